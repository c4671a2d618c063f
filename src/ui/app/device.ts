/**
 * The handheld's device parts, made once per page: the Dexie database and the HTTP client
 * at once, the sync engine after the page's first sign-in (its code, the wire schemas
 * included, is not part of the first download: signed out, the engine has nothing to send).
 * Screens reach them through `useDevice()`; the sign-in screen, which runs before the
 * engine, through `useDeviceParts()`. Tests may pass their own.
 */
import { createContext, useContext } from 'react';
import { openFloorDb, type FloorDb } from '../../device/db.ts';
import type { SyncEngine } from '../../device/sync/engine.ts';
import { fetchHttpClient, type HttpClient } from '../../device/sync/http.ts';

export type Device = { db: FloorDb; http: HttpClient; engine: SyncEngine };
/** The device as the context holds it: the engine is there once it has started. */
export type DeviceParts = Omit<Device, 'engine'> & { engine?: SyncEngine };

let parts: Omit<Device, 'engine'> | undefined;
let engine: Promise<SyncEngine> | undefined;

/** The page's database and HTTP client, opened on first use. */
export function browserDeviceParts(): Omit<Device, 'engine'> {
  parts ??= { db: openFloorDb(), http: fetchHttpClient('') };
  return parts;
}

/** The page's one sync engine: loaded and started on first use. */
export function browserEngine(): Promise<SyncEngine> {
  engine ??= import('./browser-engine.ts').then((m) => m.startBrowserEngine(browserDeviceParts()));
  return engine;
}

const hasEngine = (d: DeviceParts): d is Device => d.engine !== undefined;

export const DeviceContext = createContext<DeviceParts | null>(null);

/** The device parts, the engine perhaps not yet started (the sign-in screen). */
export function useDeviceParts(): DeviceParts {
  const device = useContext(DeviceContext);
  if (!device) throw new Error('useDevice() outside <DeviceContext>');
  return device;
}

/** The device of a signed-in screen: its engine is running. */
export function useDevice(): Device {
  const device = useDeviceParts();
  if (!hasEngine(device)) throw new Error('useDevice() before the sync engine started: a signed-in screen renders under a started engine');
  return device;
}
