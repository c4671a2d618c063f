/**
 * The sync engine: delivers the event log to the API exactly once, in order (protocol v1),
 * and keeps the work cache fresh. Plain TypeScript: the clock, randomness, HTTP, the
 * cross-tab lock, the change feed and online/visibility events are all injected.
 */
import { Dexie } from 'dexie';
import { asDeviceId, type DeviceId } from '../../domain/ids.ts';
import { MAX_BATCH, type Rejection } from '../../domain/protocol.ts';
import { encodeEvents, type Answer, type ApiClient, type EncodedBatch, type Failure, type WireEvent } from '../api/client.ts';
import { deviceIdOf, getMeta, setMeta, type FloorDb, type StoredEvent } from '../db.ts';
import { eventsFrom, pendingEvents, pruneDelivered, recordAck, recordRejections } from '../event-log.ts';
import { storeWork } from '../work-cache.ts';
import type { SyncEnvironment } from './environment.ts';
import { LiveFeed } from './live-feed.ts';
import type { SyncLock } from './lock.ts';
import { Backoff, TurnScheduler } from './schedule.ts';
import type { ChangeStreamFactory } from './stream.ts';
import type { Clock } from '../../domain/clock.ts';
import { wallClock } from './clock.ts';

export { parseRetryAfter } from '../api/http-status.ts';
export { backoffDelay } from './schedule.ts';

export type SyncPhase =
  | 'starting'
  | 'idle'
  | 'sending'
  | 'backoff'
  | 'offline'
  /** Nobody is signed in on this device: events wait. */
  | 'signed_out'
  /** The API refused the session (401): events wait until someone signs in again. */
  | 'needs_sign_in'
  /** The API holds a different event under one of our seqs (409): sending stopped. */
  | 'conflict'
  /** A supervisor reset this device: it re-registers at the next sign-in and sends its backlog again. */
  | 'device_reset'
  /** The API cannot read a batch (400) or the log cannot fill a gap: retried slowly, needs attention. */
  | 'blocked'
  | 'stopped';

export type SyncStatus = {
  phase: SyncPhase;
  online: boolean;
  /** The live change feed is connected. */
  live: boolean;
  /** Consecutive failed attempts; 0 after a success. */
  attempt: number;
  /** When the next retry is due (epoch ms), while backing off. */
  nextAttemptAt?: number;
  /** Last push the API answered (epoch ms). */
  lastPushAt?: number;
  lastPullAt?: number;
  /** The last failure, in words for the status screen. */
  lastError?: string;
  /** Set when the API reported a seq conflict: a bug or cloned storage; needs a supervisor. */
  conflict?: { seq: number; message: string };
  /**
   * Set when the API fails on one event the same way every time (a 5xx repeated for it alone):
   * the event waits for a supervisor, retried only slowly, instead of being sent in a loop.
   */
  stuck?: { seq: number; id: string; message: string; attempts: number };
};

export type SyncEngineOptions = {
  db: FloorDb;
  /** The API, through the client that validates every answer. */
  api: ApiClient;
  lock: SyncLock;
  env: SyncEnvironment;
  clock?: Clock;
  /** Uniform in [0, 1): the jitter source. */
  random?: () => number;
  /** The live change feed; without it the engine pulls on its timer only. */
  stream?: ChangeStreamFactory;
  /** Events per push, at most `MAX_BATCH` (the default: a backlog goes in large batches). */
  batchSize?: number;
  /**
   * Wait after an append before pushing; 0 (the default) sends an event the moment it is
   * durable when nothing is in flight. Events recorded while a push is in flight go in the next.
   */
  debounceMs?: number;
  requestTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Push and pull on this period even when nothing else prompts it. */
  pollMs?: number;
  /** Delivered events kept as the device's scan history; pending and rejected ones are always kept. */
  retention?: { maxAgeDays: number; maxEntries: number };
};

const PRUNE_EVERY_MS = 3_600_000;
/** The same 500 for a batch starting at the same seq this many times in a row is no passing fault. */
export const DETERMINISTIC_REPEATS = 3;
const LEDGER_PAGE = 1000;

const wireEvent = (e: StoredEvent): WireEvent => ({
  id: e.id,
  deviceId: e.deviceId,
  seq: e.seq,
  type: e.type,
  schemaVersion: e.schemaVersion,
  occurredAt: e.occurredAt,
  actor: e.actor,
  ...(e.session ? { session: e.session } : {}),
  ...(e.grant ? { grant: e.grant } : {}),
  payload: e.payload,
});

/** A batch read from the log and serialised, ready to send. */
type Prepared = { events: StoredEvent[]; body: EncodedBatch };
const prepare = (events: StoredEvent[]): Prepared => ({ events, body: encodeEvents(events.map(wireEvent)) });

export class SyncEngine {
  private readonly db: FloorDb;
  private readonly api: ApiClient;
  private readonly lock: SyncLock;
  private readonly env: SyncEnvironment;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly scheduler: TurnScheduler;
  private readonly feed: LiveFeed | undefined;
  private readonly debounceMs: number;
  private readonly requestTimeoutMs: number;
  private readonly pollMs: number;
  private readonly retention: { maxAgeDays: number; maxEntries: number };
  private batchSize: number;

  private state: SyncStatus;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private running = false;
  private deviceId = '' as DeviceId;
  private pollTimer: unknown;
  private lastPruneAt = -Infinity;
  /** A turn is running; `again` asks it to go round once more. */
  private flushing: Promise<void> | undefined;
  private again = false;
  private pullWanted = false;
  private inflight: AbortController | undefined;
  private unsubscribeEnv: (() => void) | undefined;
  private unwatchLog: (() => void) | undefined;
  /** What the protocol knows of this device's stream of events; reset by `start`. */
  private proto = freshProtocolState();
  /** The session of the last turn, and the one the API refused (no point sending with it again). */
  private session: { token?: string; refused?: string; refusedForReset: boolean } = { refusedForReset: false };

  constructor(opts: SyncEngineOptions) {
    this.db = opts.db;
    this.api = opts.api;
    this.lock = opts.lock;
    this.env = opts.env;
    this.clock = opts.clock ?? wallClock;
    this.backoff = new Backoff(opts.backoffBaseMs ?? 500, opts.backoffCapMs ?? 60_000, opts.random ?? Math.random);
    this.scheduler = new TurnScheduler(this.clock, () => void this.flush());
    this.batchSize = Math.max(1, Math.min(MAX_BATCH, opts.batchSize ?? MAX_BATCH));
    this.debounceMs = opts.debounceMs ?? 0;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.pollMs = opts.pollMs ?? 30_000;
    this.retention = opts.retention ?? { maxAgeDays: 14, maxEntries: 5000 };
    this.state = { phase: 'stopped', online: this.env.isOnline(), live: false, attempt: 0 };
    this.feed = opts.stream
      ? new LiveFeed({
          factory: opts.stream,
          clock: this.clock,
          backoff: this.backoff,
          // A request on the side: not the push that `stop()` waits for.
          ticket: (token) => this.call((signal) => this.api.streamTicket(token, { signal }), true),
          wantPull: () => this.requestPull(),
          onLive: (live) => this.set({ live }),
          onRetryDue: () => this.scheduler.request(0),
        })
      : undefined;
  }

  /** The current status; a new object after every change. */
  status(): SyncStatus {
    return this.state;
  }

  /** Calls `listener` on every status change; returns the unsubscribe function. */
  subscribe(listener: (s: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts pushing and pulling: at once, after every append, on `online`, on return to the foreground and on a timer. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.deviceId = asDeviceId(await deviceIdOf(this.db));
    // A start after a re-registration (device reset) numbers from 1 again under a new id.
    this.proto = freshProtocolState();
    this.session = { refusedForReset: false };
    // A page closed mid-push may have left events the API holds, refusals included, whose answer
    // nobody read: treat what is pending at start as possibly sent.
    const firstPending = (await pendingEvents(this.db, 1))[0];
    if (firstPending) this.proto.uncertainFrom = firstPending.seq;
    this.set({ phase: 'starting', online: this.env.isOnline(), conflict: undefined, lastError: undefined });
    // A stop closed the feed for good; this start opens it again (a second sign-in on a page stops and starts).
    this.feed?.start();
    this.unsubscribeEnv = this.env.subscribe((change) => this.onEnvironment(change));
    // Any write to the log or meta, in this tab or another (Dexie broadcasts commits), may be
    // an append or a sign-in. The engine's own writes cost one empty turn at most.
    const logKey = `idb://${this.db.name}/events/`;
    const metaKey = `idb://${this.db.name}/meta/`;
    const onMutated = (parts: Record<string, unknown>) => {
      if (logKey in parts || metaKey in parts) this.kick();
    };
    Dexie.on('storagemutated', onMutated);
    this.unwatchLog = () => Dexie.on('storagemutated').unsubscribe(onMutated);
    this.scheduler.start();
    this.scheduler.request(0);
    this.requestPull();
    this.armPoll();
  }

  /** Stops all activity; resolves when an in-flight push has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.scheduler.stop();
    if (this.pollTimer !== undefined) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.unsubscribeEnv?.();
    this.unwatchLog?.();
    this.feed?.stop();
    // A request cut off here is a lost answer at worst: the next start resends, harmlessly.
    this.inflight?.abort();
    await this.flushing;
    this.set({ phase: 'stopped', live: false, nextAttemptAt: undefined });
  }

  /**
   * Something new to send (an append, a sign-in). Nothing in flight: a turn starts now. A turn
   * in flight: it goes round again when its answer is in, so what was recorded meanwhile goes
   * in the next batch.
   */
  kick(): void {
    if (this.flushing && this.debounceMs === 0) {
      this.again = true;
      return;
    }
    this.scheduler.request(this.debounceMs);
  }

  /** Pull the work cache now (also heals a lost push answer). */
  requestPull(): void {
    if (!this.running) return;
    this.pullWanted = true;
    this.scheduler.request(0);
  }

  /** Retry now even with a token the API refused (a sign-in with a new token is noticed without this). */
  resume(): void {
    this.session.refused = undefined;
    this.scheduler.endBackoff();
    this.set({ attempt: 0, nextAttemptAt: undefined });
    this.requestPull();
  }

  private set(patch: Partial<SyncStatus>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  private onEnvironment(change: 'online' | 'offline' | 'visible' | 'hidden'): void {
    this.set({ online: this.env.isOnline() });
    if (change === 'offline') {
      this.set({ phase: 'offline' });
      this.feed?.close();
      return;
    }
    if (change === 'hidden') return;
    // Back online or in the foreground: the old backoff no longer says anything about the network.
    this.scheduler.endBackoff();
    this.set({ attempt: 0, nextAttemptAt: undefined });
    this.requestPull();
  }

  private armPoll(): void {
    this.pollTimer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.requestPull();
      this.armPoll();
    }, this.pollMs);
  }

  private flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.again = false;
          await this.lock.withLock(`floor-sync-${this.deviceId}`, () => this.cycle());
        } while (this.again && this.running);
      } catch (err) {
        // A storage failure while recording an answer: the events stay pending and are resent.
        this.fail(err instanceof Error ? err.message : String(err));
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** One turn holding the lock: pull if asked, then push until the queue is empty or a failure. */
  private async cycle(): Promise<void> {
    if (!this.running) return;
    if (!this.env.isOnline()) {
      this.set({ phase: 'offline', online: false });
      return;
    }
    const session = await getMeta(this.db, 'session');
    if (!session) {
      this.set({ phase: 'signed_out' });
      this.feed?.close();
      return;
    }
    // Signed in offline (no token): the queue waits for an online sign-in (shift, issue 13).
    if (!session.token) {
      this.set({ phase: 'needs_sign_in' });
      return;
    }
    if (session.token === this.session.refused) {
      this.set({ phase: this.session.refusedForReset ? 'device_reset' : 'needs_sign_in' });
      return;
    }
    if (session.token !== this.session.token) {
      // A new sign-in: fresh work for this user, and the old backoff says nothing about it.
      this.session.token = session.token;
      this.pullWanted = true;
      this.scheduler.endBackoff();
      this.set({ attempt: 0, nextAttemptAt: undefined });
    }
    if (this.state.conflict) return;
    if (this.scheduler.backingOff()) {
      this.scheduler.request(0);
      return;
    }
    this.feed?.ensure(session.token);
    if (this.pullWanted) {
      this.pullWanted = false;
      if (!(await this.pull(session.token))) return;
    }
    await this.pushAll(session.token);
    if (this.state.phase === 'idle') await this.reconcileRejections(session.token);
    const t = this.clock.now();
    if (t - this.lastPruneAt >= PRUNE_EVERY_MS) {
      this.lastPruneAt = t;
      await pruneDelivered(this.db, { now: new Date(t), ...this.retention });
    }
  }

  /** The next batch to send: from the seq the API asked for, one event at a time while isolating a poison event. */
  private async nextBatch(): Promise<StoredEvent[]> {
    const p = this.proto;
    const size = p.isolateUpTo !== undefined ? 1 : this.batchSize;
    const batch = p.resendFrom !== undefined ? await eventsFrom(this.db, p.resendFrom, size) : await pendingEvents(this.db, size);
    if (p.isolateUpTo !== undefined && (batch[0]?.seq ?? Infinity) > p.isolateUpTo) p.isolateUpTo = undefined;
    return batch;
  }

  /**
   * Pushes until the log is empty or a failure. A backlog is a stream: while a batch is on the
   * wire the next one is read and serialised, and sent the moment the answer is in, while the
   * device records that answer.
   */
  private async pushAll(token: string): Promise<void> {
    let recording: Promise<void> = Promise.resolve();
    try {
      let ready: Prepared | undefined;
      while (this.running) {
        const p = this.proto;
        const resend = p.resendFrom;
        let batch: StoredEvent[];
        let body: EncodedBatch;
        if (ready) {
          ({ events: batch, body } = ready);
          ready = undefined;
        } else {
          await recording;
          batch = await this.nextBatch();
          if (resend !== undefined && batch.length > 0 && batch[0]!.seq !== resend) {
            // The API lacks events this device has already pruned: nothing here can fill the gap.
            this.block(`the API expects seq ${resend}, which this device no longer holds`);
            return;
          }
          if (batch.length === 0) {
            p.resendFrom = undefined;
            this.set({ phase: 'idle' });
            return;
          }
          body = prepare(batch).body;
        }
        const first = batch[0]!.seq;
        const last = batch[batch.length - 1]!.seq;
        if (this.state.phase !== 'sending') this.set({ phase: 'sending' });
        p.sentUpTo = Math.max(p.sentUpTo, last);
        const answer = this.call((signal) => this.api.push(token, this.deviceId, body, { signal }));
        // Streaming: the plain case (no resend, no isolation) reads the next batch while this one is applied.
        const streaming = resend === undefined && p.isolateUpTo === undefined && batch.length === this.batchSize;
        const next = streaming ? recording.then(() => eventsFrom(this.db, last + 1, this.batchSize)) : undefined;
        const out = await answer;
        await recording;
        if (out.ok) {
          const ack = out.value;
          recording = recordAck(this.db, ack.ackedSeq, ack.rejected, new Date(this.clock.now())).then(() => undefined);
          p.repeated = undefined;
          this.succeeded({ lastPushAt: this.clock.now(), stuck: undefined });
          if (ack.expectedSeq !== undefined && ack.expectedSeq <= ack.ackedSeq + 1 && ack.expectedSeq < first) {
            p.resendFrom = ack.expectedSeq;
          } else if (ack.ackedSeq < first) {
            // The API neither took the batch nor named a gap: back off rather than spin.
            await recording;
            this.retry({ message: `the API confirmed seq ${ack.ackedSeq} and took nothing from ${first}` });
            return;
          } else if (resend !== undefined) {
            p.resendFrom = ack.ackedSeq >= last ? last + 1 : ack.ackedSeq + 1;
          } else if (next && ack.ackedSeq >= last && ack.expectedSeq === undefined) {
            const following = await next;
            if (following.length > 0 && following[0]!.seq === last + 1 && following.every((e) => e.state === 'pending')) ready = prepare(following);
          }
          continue;
        }
        await next?.catch(() => undefined);
        const failure = out.failure;
        if (failure.kind === 'too_big' && this.batchSize > 1) {
          this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
          continue;
        }
        if (failure.kind === 'retry') p.uncertainFrom = Math.min(p.uncertainFrom ?? Infinity, first);
        // Only a 500 can be about the batch; 502-504 say the API or its database is away for now.
        if (failure.kind === 'retry' && failure.status === 500 && this.poisoned(batch, failure.message)) return;
        this.handleFailure(failure, token);
        return;
      }
    } finally {
      await recording;
    }
  }

  /**
   * Counts a 5xx answer for a batch. The same answer for the same first seq, again and again,
   * is no passing fault: first the batch shrinks to one event per push, to find the event it
   * is about; when that event alone keeps failing, it is put in front of a supervisor and
   * retried only slowly. Answers true when it has handled the failure.
   */
  private poisoned(batch: readonly StoredEvent[], message: string): boolean {
    const p = this.proto;
    const first = batch[0]!;
    const r = p.repeated;
    const times = r && r.firstSeq === first.seq && r.message === message ? r.times + 1 : 1;
    p.repeated = { firstSeq: first.seq, message, times };
    if (times < DETERMINISTIC_REPEATS) return false;
    if (batch.length > 1) {
      p.isolateUpTo = batch[batch.length - 1]!.seq;
      p.repeated = undefined;
      return false;
    }
    const stuck = { seq: first.seq, id: first.id, message, attempts: times };
    this.fail(
      `event #${first.seq} (${first.type}) cannot be delivered: the API fails on it every time (${message}). The events after it wait. Call a supervisor.`,
      this.state.attempt + 1,
      this.backoff.capMs,
      'blocked',
    );
    this.set({ stuck });
    return true;
  }

  /** Reads this device's rejections from the ledger after lost answers, and marks them. */
  private async reconcileRejections(token: string): Promise<void> {
    const from = this.proto.uncertainFrom;
    if (from === undefined || ((await getMeta(this.db, 'lastAckedSeq')) ?? 0) < from) return;
    let cursor = (await getMeta(this.db, 'ledgerCursor')) ?? 0;
    for (;;) {
      const out = await this.call((signal) => this.api.ledger(token, { deviceId: this.deviceId, after: cursor, limit: LEDGER_PAGE }, { signal }));
      if (!out.ok) {
        // Tried again on the next turn; the events themselves are delivered.
        this.set({ lastError: 'could not read back refusals after a lost answer; will retry' });
        return;
      }
      const rows = out.value.events;
      const rejected = rows
        .filter((r) => r.status === 'rejected' && r.seq >= from)
        .map((r) => ({ seq: r.seq, id: r.id, code: (r.code ?? 'rejected') as Rejection['code'], message: r.message ?? 'rejected by the API' }));
      await recordRejections(this.db, rejected, new Date(this.clock.now()));
      if (rows.length > 0) {
        cursor = rows[rows.length - 1]!.position;
        await setMeta(this.db, 'ledgerCursor', cursor);
      }
      if (rows.length < LEDGER_PAGE) break;
    }
    this.proto.uncertainFrom = undefined;
  }

  /** Fetches work with the cursor into the cache and marks delivered what the API says it holds. */
  private async pull(token: string): Promise<boolean> {
    const p = this.proto;
    const cursor = await getMeta(this.db, 'pullCursor');
    // A catalog cached once is kept up to date with deltas, never fetched whole again.
    const catalogSince = await getMeta(this.db, 'catalogCursor');
    const out = await this.call((signal) =>
      this.api.work(token, this.deviceId, { cursor: cursor || undefined, catalogSince: catalogSince || undefined }, { signal }),
    );
    if (!out.ok && (out.failure.kind === 'bad' || out.failure.kind === 'too_big')) {
      // Work the API will not give is no reason to hold back the events.
      this.set({ lastError: `could not fetch work: ${out.failure.kind === 'bad' ? out.failure.message : 'too large'}` });
      return true;
    }
    if (!out.ok) {
      this.pullWanted = true;
      this.handleFailure(out.failure, token);
      return false;
    }
    const work = out.value;
    await storeWork(this.db, work);
    // A push answer lost after the API committed: the pull's lastSeq says what it holds. Only
    // seqs this engine sent can be healed this way; a higher lastSeq for numbers never sent
    // means another storage holds this device id, which the next push reports as a conflict.
    const stored = work.lastSeq;
    const healTo = Math.min(stored, p.sentUpTo);
    const oldestPending = (await pendingEvents(this.db, 1))[0];
    if (healTo > 0 && oldestPending && oldestPending.seq <= healTo) {
      await recordAck(this.db, healTo, [], new Date(this.clock.now()));
      p.uncertainFrom = Math.min(p.uncertainFrom ?? Infinity, oldestPending.seq);
    }
    // The API holds less than it once confirmed (restored from a backup): send the rest again.
    const confirmed = (await getMeta(this.db, 'lastAckedSeq')) ?? 0;
    if (stored < confirmed && p.resendFrom === undefined) p.resendFrom = stored + 1;
    this.succeeded({ lastPullAt: this.clock.now() });
    return true;
  }

  /** One API call with the request timeout; `aside` calls (a stream ticket) are not what `stop()` waits for. */
  private async call<T>(send: (signal: AbortSignal) => Promise<Answer<T>>, aside = false): Promise<Answer<T>> {
    const ac = new AbortController();
    if (!aside) this.inflight = ac;
    const timer = this.clock.setTimeout(() => ac.abort(), this.requestTimeoutMs);
    try {
      const out = await send(ac.signal);
      if (!out.ok && out.failure.kind === 'retry' && out.failure.aborted) {
        return { ok: false, failure: { kind: 'retry', message: `no answer within ${this.requestTimeoutMs} ms` } };
      }
      return out;
    } finally {
      this.clock.clearTimeout(timer);
      if (this.inflight === ac) this.inflight = undefined;
    }
  }

  private handleFailure(failure: Failure, token: string): void {
    switch (failure.kind) {
      case 'retry':
        this.retry(failure);
        return;
      case 'incompatible':
        // An answer this build cannot read: retried slowly, in front of whoever looks at the status.
        this.fail(failure.message, this.state.attempt + 1, this.backoff.capMs, 'blocked');
        return;
      case 'auth':
        this.session.refused = token;
        this.session.refusedForReset = false;
        this.feed?.close();
        this.set({ phase: 'needs_sign_in', lastError: `sign in again: ${failure.message}` });
        return;
      case 'reset':
        this.session.refused = token;
        this.session.refusedForReset = true;
        this.feed?.close();
        this.set({ phase: 'device_reset', lastError: `${failure.message}. Sign out and sign in again: this handheld re-registers and sends what it holds.` });
        return;
      case 'conflict':
        this.set({
          phase: 'conflict',
          conflict: { seq: failure.seq, message: failure.message },
          lastError: `sending stopped: the API holds another event under seq ${failure.seq}. This device's storage may be a copy. Call a supervisor.`,
        });
        return;
      case 'too_big':
        this.block('the API refused even a single event as too large');
        return;
      case 'bad':
        this.block(failure.message);
        return;
    }
  }

  private retry(out: { message: string; retryAfterMs?: number }): void {
    const attempt = this.state.attempt + 1;
    const delay = Math.max(this.backoff.delay(attempt), out.retryAfterMs ?? 0);
    this.fail(out.message, attempt, delay);
  }

  private block(message: string): void {
    this.fail(message, this.state.attempt + 1, this.backoff.capMs, 'blocked');
  }

  private fail(message: string, attempt = this.state.attempt + 1, delay = this.backoff.delay(attempt), phase: SyncPhase = 'backoff'): void {
    // A push due sooner was asked for before this failure: the backoff overrides it.
    const until = this.scheduler.backOff(delay);
    this.set({ phase, attempt, lastError: message, nextAttemptAt: until });
  }

  private succeeded(patch: Partial<SyncStatus>): void {
    this.scheduler.endBackoff();
    this.set({ ...patch, attempt: 0, nextAttemptAt: undefined, lastError: undefined });
  }
}

/** What the protocol knows of this device's stream of events between two starts. */
type ProtocolState = {
  /** Highest seq this engine has put on the wire: a pull may only heal what was actually sent. */
  sentUpTo: number;
  /** Set when the API asked for an earlier seq than our first pending one. */
  resendFrom?: number;
  /**
   * The lowest seq sent in a push whose answer was lost. The API does not repeat a rejection
   * on a resend, so once such events are acknowledged the engine reads its rejections back
   * from the ledger: a refused scan must never read as delivered.
   */
  uncertainFrom?: number;
  /** The last 5xx of a push: its first seq, its message and how often it came in a row. */
  repeated?: { firstSeq: number; message: string; times: number };
  /** While isolating a poison event, events up to this seq go one per push. */
  isolateUpTo?: number;
};
const freshProtocolState = (): ProtocolState => ({ sentUpTo: 0 });
