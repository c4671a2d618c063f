/**
 * The handheld's device parts, made once per page: the Dexie database, the API client (every
 * call to the API goes through it) and the sync engine. Screens reach them through `useDevice()`; tests may pass their own.
 */
import { createContext, useContext } from 'react';
import { openFloorDb, type FloorDb } from '../../device/db.ts';
import { SyncEngine } from '../../device/sync/engine.ts';
import { browserEnvironment } from '../../device/sync/environment.ts';
import { httpApiClient, type ApiClient } from '../../device/api/client.ts';
import { fetchHttpClient } from '../../device/sync/http.ts';
import { defaultLock } from '../../device/sync/lock.ts';
import { eventSourceStream } from '../../device/sync/stream.ts';

export type Device = { db: FloorDb; api: ApiClient; engine: SyncEngine };

let shared: Device | undefined;

/** The page's one device: opened and started on first use. */
export function browserDevice(): Device {
  if (!shared) {
    const db = openFloorDb();
    const api = httpApiClient(fetchHttpClient(''));
    const engine = new SyncEngine({ db, api, lock: defaultLock(), env: browserEnvironment(), stream: eventSourceStream('') });
    void engine.start();
    shared = { db, api, engine };
  }
  return shared;
}

export const DeviceContext = createContext<Device | null>(null);

export function useDevice(): Device {
  const device = useContext(DeviceContext);
  if (!device) throw new Error('useDevice() outside <DeviceContext>');
  return device;
}
