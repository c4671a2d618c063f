/**
 * The handheld's device parts, made once per page: the HTTP transport at once; the Dexie
 * database when first asked for (the sign-in screen renders before the database library loads:
 * the page start reads the stored session straight from IndexedDB, src/device/stored-session.ts);
 * the API client (every call to the API goes through it, each answer checked against the wire
 * schemas) and the sync engine after the page's first sign-in, so neither they nor the schemas
 * are part of the first download: signed out, the engine has nothing to send.
 * Screens reach them through `useDevice()`; the sign-in screen, which runs before the engine,
 * through `useDeviceParts()`. Tests may pass their own.
 */
import { createContext, useContext } from 'react';
import type { FloorDb } from '../../device/db.ts';
import type { ApiClient } from '../../device/api/client.ts';
import type { SyncEngine } from '../../device/sync/engine.ts';
import { fetchHttpClient, type HttpClient } from '../../device/sync/http.ts';

export type Device = { db: FloorDb; http: HttpClient; api: ApiClient; engine: SyncEngine };
/**
 * The device as the context holds it: the transport, and the database on demand (`openDb`);
 * the database, client and engine are there once the engine has started.
 */
export type DeviceParts = Partial<Device> & Pick<Device, 'http'> & { openDb(): Promise<FloorDb> };

let http: HttpClient | undefined;
let db: Promise<FloorDb> | undefined;
let started: Promise<Pick<Device, 'db' | 'api' | 'engine'>> | undefined;

/** The page's database: Dexie loaded and the database opened on first use. */
export function browserDb(): Promise<FloorDb> {
  db ??= import('../../device/db.ts').then((m) => m.openFloorDb());
  return db;
}

/** The page's HTTP transport, and its database on demand. */
export function browserDeviceParts(): DeviceParts {
  http ??= fetchHttpClient('');
  return { http, openDb: browserDb };
}

/** The page's database, API client and sync engine: loaded and started on first use. */
export function browserEngine(): Promise<Pick<Device, 'db' | 'api' | 'engine'>> {
  started ??= Promise.all([browserDb(), import('./browser-engine.ts')]).then(([floorDb, m]) => ({
    db: floorDb,
    ...m.startBrowserEngine({ db: floorDb, http: browserDeviceParts().http }),
  }));
  return started;
}

const hasEngine = (d: DeviceParts): d is DeviceParts & Device => d.db !== undefined && d.engine !== undefined && d.api !== undefined;

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
