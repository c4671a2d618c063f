/**
 * The handheld's device parts, made once per page: the Dexie database, the HTTP client and
 * the sync engine. Screens reach them through `useDevice()`; tests may pass their own.
 */
import { createContext, useContext } from 'react';
import { openFloorDb, type FloorDb } from '../../device/db.ts';
import { SyncEngine } from '../../device/sync/engine.ts';
import { browserEnvironment } from '../../device/sync/environment.ts';
import { fetchHttpClient, type HttpClient } from '../../device/sync/http.ts';
import { defaultLock } from '../../device/sync/lock.ts';
import { eventSourceStream } from '../../device/sync/stream.ts';

export type Device = { db: FloorDb; http: HttpClient; engine: SyncEngine };

let shared: Device | undefined;

/** The page's one device: opened and started on first use. */
export function browserDevice(): Device {
  if (!shared) {
    const db = openFloorDb();
    const http = fetchHttpClient('');
    const engine = new SyncEngine({ db, http, lock: defaultLock(), env: browserEnvironment(), stream: eventSourceStream('') });
    void engine.start();
    shared = { db, http, engine };
  }
  return shared;
}

export const DeviceContext = createContext<Device | null>(null);

export function useDevice(): Device {
  const device = useContext(DeviceContext);
  if (!device) throw new Error('useDevice() outside <DeviceContext>');
  return device;
}
