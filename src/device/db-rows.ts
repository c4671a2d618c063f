/**
 * The typed reads and writes of the handheld database's meta and settings rows. They take an
 * open database and import no Dexie, so the first screen's code can hold them while Dexie itself
 * loads on demand (src/ui/app/device.ts); the schema and its versions stay in db.ts.
 */
import type { FloorDb, MetaKey, MetaRow, MetaValues } from './db.ts';

export const DEFAULT_DB_NAME = 'floor-scanner';

/** Reads one typed meta value. */
export async function getMeta<K extends MetaKey>(db: FloorDb, key: K): Promise<MetaValues[K] | undefined> {
  const row = await db.meta.get(key);
  return row?.value as MetaValues[K] | undefined;
}

/** Writes one typed meta value. */
export async function setMeta<K extends MetaKey>(db: FloorDb, key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value } as MetaRow);
}

/** Removes one meta value (e.g. the session at sign-out). */
export async function deleteMeta(db: FloorDb, key: MetaKey): Promise<void> {
  await db.meta.delete(key);
}

/** This device's id; the database creates it on first open. */
export async function deviceIdOf(db: FloorDb): Promise<string> {
  const id = await getMeta(db, 'deviceId');
  if (!id) throw new Error('device identity is missing from the database');
  return id;
}

/** Reads a setting (e.g. scanner settings), or the fallback when unset. */
export async function getSetting<T>(db: FloorDb, key: string, fallback: T): Promise<T> {
  const row = await db.settings.get(key);
  return row === undefined ? fallback : (row.value as T);
}

/** Stores a setting. */
export async function putSetting(db: FloorDb, key: string, value: unknown): Promise<void> {
  await db.settings.put({ key, value });
}
