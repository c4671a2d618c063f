/**
 * The device's event log: every scan becomes an event made durable here before anything
 * else happens. Seqs are allocated in the same transaction that stores the event, so the
 * log has no gaps and a number is never reused.
 */
import { Dexie } from 'dexie';
import { v7 as uuidv7 } from 'uuid';
import { CURRENT_SCHEMA_VERSION, EnvelopeSchema, describeIssues, parseEvent, type DraftEvent } from '../domain/events.ts';
import type { Rejection } from '../domain/protocol.ts';
import type { FloorDb, MetaRow, StoredEvent } from './db.ts';

/** A scan could not be written to the device: it was NOT recorded and the worker must be told. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  /** The browser's error name, e.g. `QuotaExceededError`. */
  readonly reason: string;
  /** What went wrong and what to do, as said after "This scan was NOT saved: ". */
  readonly why: string;
  constructor(reason: string, detail: string, options?: { cause?: unknown }) {
    const why = storageWhy(reason, detail);
    super(`This scan was NOT saved: ${why}`, options);
    this.reason = reason;
    this.why = why;
  }
}

function storageWhy(reason: string, detail: string): string {
  switch (reason) {
    case 'QuotaExceededError':
      return `the device storage is full (${detail}). Free space or deliver pending events, then scan again.`;
    case 'VersionError':
    case 'DatabaseClosedError':
      // Another tab opened a newer version of the database (an app update): this page is out of date.
      return `the app was updated in another tab (${detail}). Reload this page, then scan again.`;
    default:
      return `it could not be written on the device (${reason}: ${detail}). Scan again; if it keeps failing, call a supervisor.`;
  }
}

/** A draft event that breaks the shared event schema: nothing was stored and no seq was used. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

export type AppendContext = {
  actor: string;
  now: Date;
  /** The session to stamp; by default the one signed in on the device, read in the same transaction. */
  session?: string;
  /** The event id; a UUID v7 from `now` by default. */
  id?: string;
};

/**
 * Validates a draft, allocates its seq and stores it as pending, in one strict-durability
 * transaction. Resolves only once the event is durable; throws `StorageError` when the write
 * fails (earlier events are untouched) and `InvalidEventError` for a draft the API would reject.
 */
export async function appendEvent(db: FloorDb, draft: DraftEvent, ctx: AppendContext): Promise<StoredEvent> {
  const id = ctx.id ?? uuidv7({ msecs: ctx.now.getTime() });
  let stored: StoredEvent | undefined;
  try {
    stored = await db.transaction('rw', db.events, db.meta, async () => {
      const [deviceRow, seqRow, sessionRow] = await db.meta.bulkGet(['deviceId', 'nextSeq', 'session']);
      const deviceId = deviceRow?.value;
      const seq = seqRow?.value;
      if (typeof deviceId !== 'string' || typeof seq !== 'number') {
        throw new Error('device identity or next seq is missing from the database');
      }
      // The session is stamped now, with the event: a queue left by a user who signed out (or
      // recorded offline) keeps the session it was recorded under.
      const signedIn = sessionRow?.key === 'session' ? sessionRow.value : undefined;
      const session = ctx.session ?? signedIn?.id;
      // An offline sign-in's events carry its grant: the API checks it in place of an online session.
      const grant = signedIn?.offline && session === signedIn.id ? signedIn.offline.grant : undefined;
      if (!session) throw new InvalidEventError('the event cannot be recorded: nobody is signed in on this device');
      const event: StoredEvent = {
        seq,
        id,
        deviceId,
        type: draft.type,
        payload: draft.payload,
        actor: ctx.actor,
        occurredAt: ctx.now.toISOString(),
        schemaVersion: CURRENT_SCHEMA_VERSION,
        session,
        ...(grant ? { grant } : {}),
        state: 'pending',
      };
      checkDraft(event);
      await db.events.add(event);
      await db.meta.put({ key: 'nextSeq', value: seq + 1 } satisfies MetaRow);
      return event;
    });
  } catch (err) {
    if (err instanceof InvalidEventError) throw err;
    throw toStorageError(err);
  }
  return stored;
}

function checkDraft(event: StoredEvent): void {
  const env = EnvelopeSchema.safeParse(event);
  if (!env.success) throw new InvalidEventError(`the event cannot be recorded: ${describeIssues(env.error)}`);
  const parsed = parseEvent(env.data);
  if (!parsed.ok) throw new InvalidEventError(`the event cannot be recorded: ${parsed.problem.message}`);
}

function toStorageError(err: unknown): StorageError {
  const inner = err instanceof Dexie.DexieError && err.inner instanceof Error ? err.inner : err;
  const name = inner instanceof Error ? inner.name : 'UnknownError';
  const message = inner instanceof Error ? inner.message : String(inner);
  const reason = name.includes('Quota') ? 'QuotaExceededError' : name;
  return new StorageError(reason, message, { cause: err });
}

/** Pending events in seq order: what the sync engine sends next. */
export function pendingEvents(db: FloorDb, limit = Infinity): Promise<StoredEvent[]> {
  return db.events.where('[state+seq]').between(['pending', Dexie.minKey], ['pending', Dexie.maxKey]).limit(limit).toArray();
}

/** Events from `fromSeq` on, whatever their state: a resend after the API asked for an earlier seq. */
export function eventsFrom(db: FloorDb, fromSeq: number, limit: number): Promise<StoredEvent[]> {
  return db.events.where('seq').aboveOrEqual(fromSeq).limit(limit).toArray();
}

export type PendingSummary = { count: number; oldestOccurredAt?: string; oldestSeq?: number };

/** How many events wait for delivery and the oldest of them. */
export async function pendingSummary(db: FloorDb): Promise<PendingSummary> {
  return db.transaction('r', db.events, async () => {
    const range = db.events.where('[state+seq]').between(['pending', Dexie.minKey], ['pending', Dexie.maxKey]);
    const count = await range.count();
    const oldest = await range.first();
    return oldest ? { count, oldestOccurredAt: oldest.occurredAt, oldestSeq: oldest.seq } : { count };
  });
}

/** Rejected events, oldest first; dismissed ones only when asked. */
export async function rejectedEvents(db: FloorDb, opts: { includeDismissed?: boolean } = {}): Promise<StoredEvent[]> {
  const all = await db.events.where('state').equals('rejected').sortBy('seq');
  return opts.includeDismissed ? all : all.filter((e) => !e.dismissed);
}

/** The device's own recent scans, newest first. */
export function recentEvents(db: FloorDb, limit = 50): Promise<StoredEvent[]> {
  return db.events.orderBy('seq').reverse().limit(limit).toArray();
}

/**
 * Records the API's answer in one transaction: every pending event with `seq <= ackedSeq`
 * becomes delivered, except those it names as rejected. Returns how many changed.
 */
export async function recordAck(db: FloorDb, ackedSeq: number, rejected: readonly Rejection[], now: Date): Promise<number> {
  const at = now.toISOString();
  const bySeq = new Map(rejected.map((r) => [r.seq, r]));
  return db.transaction('rw', db.events, db.meta, async () => {
    const last = (await db.meta.get('lastAckedSeq'))?.value;
    if (typeof last !== 'number' || ackedSeq > last) await db.meta.put({ key: 'lastAckedSeq', value: ackedSeq });
    await db.meta.put({ key: 'lastDeliveryAt', value: at });
    let changed = 0;
    // A rejection may name an event already marked delivered by a pull that healed a lost answer.
    const rejectedSeqs = [...bySeq.keys()].filter((s) => s <= ackedSeq);
    for (const e of await db.events.bulkGet(rejectedSeqs)) {
      const r = e && bySeq.get(e.seq);
      if (!e || !r || r.id !== e.id || e.state === 'rejected') continue;
      await db.events.update(e.seq, { state: 'rejected', rejection: { code: r.code, message: r.message }, deliveredAt: at });
      changed += 1;
    }
    changed += await db.events
      .where('[state+seq]')
      .between(['pending', Dexie.minKey], ['pending', ackedSeq], true, true)
      .modify({ state: 'delivered', deliveredAt: at });
    return changed;
  });
}

/**
 * Marks events the API recorded as rejected whose answer never reached the device (they read
 * as delivered). Only events whose id matches are touched. Returns how many changed.
 */
export async function recordRejections(db: FloorDb, rejected: readonly Rejection[], now: Date): Promise<number> {
  if (rejected.length === 0) return 0;
  return db.transaction('rw', db.events, async () => {
    let changed = 0;
    const bySeq = new Map(rejected.map((r) => [r.seq, r]));
    for (const e of await db.events.bulkGet([...bySeq.keys()])) {
      const r = e && bySeq.get(e.seq);
      if (!e || !r || r.id !== e.id || e.state === 'rejected') continue;
      await db.events.update(e.seq, { state: 'rejected', rejection: { code: r.code, message: r.message }, deliveredAt: e.deliveredAt ?? now.toISOString() });
      changed += 1;
    }
    return changed;
  });
}

/** Acknowledges a rejected event (supervisor): it stays in the log but leaves the needs-attention list. */
export async function dismissRejected(db: FloorDb, seq: number, by: string, now: Date): Promise<void> {
  await db.transaction('rw', db.events, async () => {
    const e = await db.events.get(seq);
    if (!e) throw new Error(`no event with seq ${seq}`);
    if (e.state !== 'rejected') throw new Error(`event ${seq} is ${e.state}, not rejected`);
    await db.events.update(seq, { dismissed: { by, at: now.toISOString() } });
  });
}

export type PruneOptions = { now: Date; maxAgeDays: number; maxEntries: number };

/**
 * Drops delivered events older than `maxAgeDays`, and the oldest delivered ones beyond
 * `maxEntries`. Pending and rejected events are never pruned. Returns how many went.
 */
export async function pruneDelivered(db: FloorDb, opts: PruneOptions): Promise<number> {
  const cutoff = new Date(opts.now.getTime() - opts.maxAgeDays * 86_400_000).toISOString();
  return db.transaction('rw', db.events, async () => {
    const old = await db.events
      .where('[state+seq]')
      .between(['delivered', Dexie.minKey], ['delivered', Dexie.maxKey])
      .filter((e) => (e.deliveredAt ?? '') < cutoff)
      .primaryKeys();
    await db.events.bulkDelete(old);
    const delivered = db.events.where('[state+seq]').between(['delivered', Dexie.minKey], ['delivered', Dexie.maxKey]);
    const excess = (await delivered.count()) - opts.maxEntries;
    let extra: number[] = [];
    if (excess > 0) {
      extra = await delivered.limit(excess).primaryKeys();
      await db.events.bulkDelete(extra);
    }
    return old.length + extra.length;
  });
}
