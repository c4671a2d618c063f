/**
 * Hooks over the device's sync state: the engine's status (a subscription) and the log's
 * figures (Dexie live queries, so every tab sees its own writes and the engine's at once).
 */
import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { getMeta, type FloorDb, type StoredEvent } from '../../device/db.ts';
import { pendingSummary, rejectedEvents, type PendingSummary } from '../../device/event-log.ts';
import { storageHealth, type StorageApi, type StorageHealth } from '../../device/storage.ts';
import type { SyncEngine, SyncStatus } from '../../device/sync/engine.ts';

/** The engine's live status. */
export function useSyncStatus(engine: SyncEngine): SyncStatus {
  const read = () => engine.status();
  return useSyncExternalStore((cb) => engine.subscribe(cb), read, read);
}

/** Pending count and oldest pending event; undefined while loading. */
export function usePendingSummary(db: FloorDb): PendingSummary | undefined {
  return useLiveQuery(() => pendingSummary(db), [db]);
}

/** Rejected events not yet dismissed by a supervisor, oldest first. */
export function useRejected(db: FloorDb): StoredEvent[] | undefined {
  return useLiveQuery(() => rejectedEvents(db), [db]);
}

/** When the API last confirmed a delivery (ISO), if ever. */
export function useLastDelivery(db: FloorDb): string | undefined {
  return useLiveQuery(() => getMeta(db, 'lastDeliveryAt'), [db]);
}

/** Storage persistence and usage, refreshed every `everyMs` and whenever the log changes size. */
export function useStorageHealth(db: FloorDb, storage?: StorageApi, everyMs = 60_000): StorageHealth | undefined {
  const [health, setHealth] = useState<StorageHealth>();
  const size = useLiveQuery(() => db.events.count(), [db]);
  useEffect(() => {
    let live = true;
    const read = () => void storageHealth(db, storage).then((h) => live && setHealth(h));
    read();
    const t = setInterval(read, everyMs);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [db, storage, everyMs, size]);
  return health;
}

/** The current time, re-read every `everyMs`: for ages shown on screen. */
export function useNow(everyMs = 5_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** Problems the engine reports that a person must act on (beyond rejected events). */
export function engineAttention(status: SyncStatus): string | undefined {
  switch (status.phase) {
    case 'conflict':
    case 'blocked':
      return status.lastError ?? 'sending is stopped';
    case 'needs_sign_in':
      return 'Sign in again to send the waiting scans.';
    case 'device_reset':
      return 'A supervisor reset this handheld. Sign in again: it re-registers and sends the waiting scans.';
    default:
      return undefined;
  }
}

/** "3 min", "2 h 5 min": an age for people. */
export function formatAge(fromIso: string | undefined, now: Date): string {
  if (!fromIso) return '-';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

/** Bytes for people: "12.3 MB". */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return 'unknown';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
