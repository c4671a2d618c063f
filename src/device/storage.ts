/**
 * Storage health: browsers may evict an origin's data under pressure unless it is
 * persistent, and a full quota turns every scan into a failed write.
 */
import { getMeta, setMeta, type FloorDb } from './db.ts';

/** Below this share of the quota left, the device warns. */
export const LOW_QUOTA_SHARE = 0.1;
/** Or below this many bytes left, whichever is larger. */
export const LOW_QUOTA_BYTES = 50 * 1024 * 1024;

/** The part of `navigator.storage` the device uses. */
export type StorageApi = Pick<StorageManager, 'persist' | 'persisted' | 'estimate'>;

const browserStorage = (): StorageApi | undefined => (typeof navigator !== 'undefined' ? navigator.storage : undefined);

/** Asks the browser to keep this origin's data (call at sign-in) and records whether it agreed. */
export async function requestPersistence(db: FloorDb, now: Date, storage: StorageApi | undefined = browserStorage()): Promise<boolean> {
  let persisted: boolean;
  try {
    persisted = storage ? (await storage.persisted()) || (await storage.persist()) : false;
  } catch {
    persisted = false;
  }
  await setMeta(db, 'storage', { persisted, askedAt: now.toISOString() });
  return persisted;
}

export type StorageHealth = {
  /** Undefined until asked at sign-in. */
  persisted?: boolean;
  usage?: number;
  quota?: number;
  /** Little room left: scans may soon fail to save. */
  low: boolean;
};

/** Usage, quota and persistence, for the status screen. */
export async function storageHealth(db: FloorDb, storage: StorageApi | undefined = browserStorage()): Promise<StorageHealth> {
  const recorded = await getMeta(db, 'storage');
  let persisted = recorded?.persisted;
  let usage: number | undefined;
  let quota: number | undefined;
  try {
    if (storage) {
      persisted = await storage.persisted();
      const est = await storage.estimate();
      usage = est.usage;
      quota = est.quota;
    }
  } catch {
    // Estimates are best effort; the recorded answer stands.
  }
  return { persisted, usage, quota, low: isLow(usage, quota) };
}

/** Whether the space left is under the warning threshold. */
export function isLow(usage: number | undefined, quota: number | undefined): boolean {
  if (usage === undefined || quota === undefined || quota <= 0) return false;
  const left = quota - usage;
  return left < Math.max(quota * LOW_QUOTA_SHARE, Math.min(LOW_QUOTA_BYTES, quota * 0.5));
}
