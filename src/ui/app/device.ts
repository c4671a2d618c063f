/**
 * The handheld's device parts, made once per page: the Dexie database and the HTTP transport
 * at once; the API client (every call to the API goes through it, each answer checked against
 * the wire schemas) and the sync engine after the page's first sign-in, so neither they nor the
 * schemas are part of the first download: signed out, the engine has nothing to send.
 * Screens reach them through `useDevice()`; the sign-in screen, which runs before the engine,
 * through `useDeviceParts()`. Tests may pass their own.
 */
import { createContext, useContext } from 'react';
import { openFloorDb, type FloorDb } from '../../device/db.ts';
import type { ApiClient } from '../../device/api/client.ts';
import type { SyncEngine } from '../../device/sync/engine.ts';
import { fetchHttpClient, type HttpClient } from '../../device/sync/http.ts';

export type Device = { db: FloorDb; http: HttpClient; api: ApiClient; engine: SyncEngine };
/** The device as the context holds it: the client and engine are there once the engine has started. */
export type DeviceParts = Omit<Device, 'engine' | 'api'> & { api?: ApiClient; engine?: SyncEngine };

let parts: Omit<Device, 'engine' | 'api'> | undefined;
let started: Promise<Pick<Device, 'api' | 'engine'>> | undefined;

/** The page's database and HTTP transport, opened on first use. */
export function browserDeviceParts(): Omit<Device, 'engine' | 'api'> {
  parts ??= { db: openFloorDb(), http: fetchHttpClient('') };
  return parts;
}

/** The page's one API client and sync engine: loaded and started on first use. */
export function browserEngine(): Promise<Pick<Device, 'api' | 'engine'>> {
  started ??= import('./browser-engine.ts').then((m) => m.startBrowserEngine(browserDeviceParts()));
  return started;
}

const hasEngine = (d: DeviceParts): d is Device => d.engine !== undefined && d.api !== undefined;

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
