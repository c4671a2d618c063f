/**
 * The handheld's health report to the control room: how many events it holds undelivered (and
 * since when), what the API refused that still needs attention, how full its storage is. Sent
 * when the sync state or the log changes (at most every `minGapMs`) and on a heartbeat; a
 * report that cannot be sent is simply superseded by the next (it carries no scan, only state).
 */
import Dexie from 'dexie';
import { API_PREFIX } from '../domain/protocol.ts';
import type { HealthReport } from '../domain/control/protocol.ts';
import { getMeta, type FloorDb } from './db.ts';
import { pendingSummary, rejectedEvents } from './event-log.ts';
import { storageHealth, type StorageApi } from './storage.ts';
import { currentSession } from './stored-session.ts';
import type { HttpClient } from './sync/http.ts';
import type { Clock } from '../domain/clock.ts';
import { wallClock } from './sync/clock.ts';

export type HealthReporterOptions = {
  db: FloorDb;
  http: HttpClient;
  /** Status changes of the sync engine (a push answered, the network lost): each may change the report. */
  engine: { subscribe(listener: () => void): () => void };
  clock?: Clock;
  /** A report at least this often, changed or not (ms). */
  heartbeatMs?: number;
  /** Reports no closer together than this (ms). */
  minGapMs?: number;
  storage?: StorageApi;
};

/** What the device would report now. */
export async function healthReport(db: FloorDb, storage?: StorageApi): Promise<HealthReport> {
  const [pending, rejected, store] = await Promise.all([pendingSummary(db), rejectedEvents(db), storageHealth(db, storage)]);
  const oldest = pending.oldestOccurredAt ? new Date(pending.oldestOccurredAt) : null;
  return {
    pending: pending.count,
    oldestPendingAt: oldest && !Number.isNaN(oldest.getTime()) ? oldest.toISOString() : null,
    needsAttention: rejected.length,
    storageUsage: store.usage ?? null,
    storageQuota: store.quota ?? null,
  };
}

/** Starts reporting; answers the function that stops it. */
export function startHealthReports(o: HealthReporterOptions): () => void {
  const clock = o.clock ?? wallClock;
  const heartbeatMs = o.heartbeatMs ?? 60_000;
  const minGapMs = o.minGapMs ?? 2000;
  let stopped = false;
  let sending = false;
  let again = false;
  let timer: unknown;
  let lastSentAt = -Infinity;
  let lastSent = '';

  const send = async (): Promise<void> => {
    const [session, deviceId] = await Promise.all([currentSession(o.db), getMeta(o.db, 'deviceId')]);
    if (!session?.token || !deviceId) return;
    const body = JSON.stringify(await healthReport(o.db, o.storage));
    if (body === lastSent && clock.now() - lastSentAt < heartbeatMs) return;
    const res = await o.http.send({
      method: 'PUT',
      path: `${API_PREFIX}/control/devices/${encodeURIComponent(deviceId)}/health`,
      headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
      body,
    });
    if (res.status === 204) {
      lastSent = body;
      lastSentAt = clock.now();
    }
  };

  const run = (): void => {
    if (stopped) return;
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    void send()
      .catch(() => undefined)
      .finally(() => {
        sending = false;
        if (again) {
          again = false;
          schedule(minGapMs);
        }
      });
  };

  /** A report within `ms` (an earlier one already due stands). */
  const schedule = (ms: number): void => {
    if (stopped || timer !== undefined) return;
    const wait = Math.max(ms, lastSentAt + minGapMs - clock.now(), 0);
    timer = clock.setTimeout(() => {
      timer = undefined;
      run();
    }, wait);
  };

  const beat = (): void => {
    if (stopped) return;
    run();
    heartbeat = clock.setTimeout(beat, heartbeatMs);
  };
  let heartbeat = clock.setTimeout(beat, 0);

  const unsubscribe = o.engine.subscribe(() => schedule(0));
  const logKey = `idb://${o.db.name}/events/`;
  const onMutated = (parts: Record<string, unknown>) => {
    if (logKey in parts) schedule(0);
  };
  Dexie.on('storagemutated', onMutated);

  return () => {
    stopped = true;
    unsubscribe();
    Dexie.on('storagemutated').unsubscribe(onMutated);
    if (timer !== undefined) clock.clearTimeout(timer);
    clock.clearTimeout(heartbeat);
  };
}
