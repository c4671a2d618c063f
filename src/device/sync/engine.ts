/**
 * The sync engine: delivers the event log to the API exactly once, in order (protocol v1),
 * and keeps the work cache fresh. Plain TypeScript: the clock, randomness, HTTP, the
 * cross-tab lock, the change feed and online/visibility events are all injected.
 */
import { Dexie } from 'dexie';
import { API_PREFIX, MAX_BATCH, type PullResponse, type PushResponse, type Rejection } from '../../domain/protocol.ts';
import { deviceIdOf, getMeta, setMeta, type FloorDb, type StoredEvent } from '../db.ts';
import { eventsFrom, pendingEvents, pruneDelivered, recordAck, recordRejections } from '../event-log.ts';
import { storeWork } from '../work-cache.ts';
import type { SyncEnvironment } from './environment.ts';
import type { HttpClient, HttpResponse } from './http.ts';
import type { SyncLock } from './lock.ts';
import type { ChangeStream, ChangeStreamFactory } from './stream.ts';
import { realTimers, type Timers } from './timers.ts';

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
  http: HttpClient;
  lock: SyncLock;
  env: SyncEnvironment;
  timers?: Timers;
  /** Uniform in [0, 1): the jitter source. */
  random?: () => number;
  /** The live change feed; without it the engine pulls on its timer only. */
  stream?: ChangeStreamFactory;
  /** Events per push, at most `MAX_BATCH`. */
  batchSize?: number;
  /** Wait after an append before pushing, to batch a burst of scans. */
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

type Outcome =
  | { kind: 'ok'; res: HttpResponse }
  | { kind: 'retry'; message: string; retryAfterMs?: number; status?: number }
  | { kind: 'auth'; message: string }
  | { kind: 'conflict'; message: string; seq: number }
  | { kind: 'reset'; message: string }
  | { kind: 'too_big' }
  | { kind: 'bad'; message: string };

const wireEvent = (e: StoredEvent) => ({
  id: e.id,
  deviceId: e.deviceId,
  seq: e.seq,
  type: e.type,
  schemaVersion: e.schemaVersion,
  occurredAt: e.occurredAt,
  actor: e.actor,
  ...(e.session ? { session: e.session } : {}),
  payload: e.payload,
});

/** Retry-After as seconds or an HTTP date, in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt: number, random: number, baseMs: number, capMs: number): number {
  return Math.floor(random * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)));
}

function isPushResponse(x: unknown): x is PushResponse {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return Number.isInteger(r.ackedSeq) && Array.isArray(r.rejected) && (r.expectedSeq === undefined || Number.isInteger(r.expectedSeq));
}

function errorCode(res: HttpResponse): string | undefined {
  try {
    const body = JSON.parse(res.text) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `the API answered ${res.status}`;
}

export class SyncEngine {
  private readonly db: FloorDb;
  private readonly http: HttpClient;
  private readonly lock: SyncLock;
  private readonly env: SyncEnvironment;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly streamFactory?: ChangeStreamFactory;
  private batchSize: number;
  /** The last 5xx of a push: its first seq, its message and how often it came in a row. */
  private repeated: { firstSeq: number; message: string; times: number } | undefined;
  /** While isolating a poison event, events up to this seq go one per push. */
  private isolateUpTo: number | undefined;
  private readonly debounceMs: number;
  private readonly requestTimeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly pollMs: number;
  private readonly retention: { maxAgeDays: number; maxEntries: number };
  private lastPruneAt = -Infinity;

  private state: SyncStatus;
  private readonly listeners = new Set<(s: SyncStatus) => void>();
  private running = false;
  private deviceId = '';
  private pushTimer: unknown;
  private pushDueAt = Infinity;
  private pollTimer: unknown;
  private pullTimer: unknown;
  private backoffUntil = 0;
  /** A push loop is running; `again` asks it to go round once more. */
  private flushing: Promise<void> | undefined;
  private again = false;
  private pullWanted = false;
  /** Set when the API asked for an earlier seq than our first pending one. */
  private resendFrom: number | undefined;
  /** Highest seq this engine has put on the wire: a pull may only heal what was actually sent. */
  private sentUpTo = 0;
  /**
   * The lowest seq sent in a push whose answer was lost. The API does not repeat a rejection
   * on a resend, so once such events are acknowledged the engine reads its rejections back
   * from the ledger: a refused scan must never read as delivered.
   */
  private uncertainFrom: number | undefined;
  /** The session token of the last turn. */
  private token: string | undefined;
  /** The token the API refused: no point sending with it again. */
  private refusedToken: string | undefined;
  /** It was refused because a supervisor reset this device. */
  private refusedForReset = false;
  private stream: ChangeStream | undefined;
  /** A ticket is being fetched for the stream of `streamToken`. */
  private streamOpening = false;
  private streamToken: string | undefined;
  private streamAttempt = 0;
  private streamTimer: unknown;
  private unsubscribeEnv: (() => void) | undefined;
  private unwatchLog: (() => void) | undefined;
  private inflight: AbortController | undefined;

  constructor(opts: SyncEngineOptions) {
    this.db = opts.db;
    this.http = opts.http;
    this.lock = opts.lock;
    this.env = opts.env;
    this.timers = opts.timers ?? realTimers;
    this.random = opts.random ?? Math.random;
    this.streamFactory = opts.stream;
    this.batchSize = Math.max(1, Math.min(MAX_BATCH, opts.batchSize ?? 200));
    this.debounceMs = opts.debounceMs ?? 25;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.backoffCapMs = opts.backoffCapMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 30_000;
    this.retention = opts.retention ?? { maxAgeDays: 14, maxEntries: 5000 };
    this.state = { phase: 'stopped', online: this.env.isOnline(), live: false, attempt: 0 };
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
    this.deviceId = await deviceIdOf(this.db);
    // A start after a re-registration (device reset) numbers from 1 again under a new id.
    this.sentUpTo = 0;
    this.resendFrom = undefined;
    this.refusedToken = undefined;
    this.token = undefined;
    // A page closed mid-push may have left events the API holds, refusals included, whose answer
    // nobody read: treat what is pending at start as possibly sent.
    const firstPending = (await pendingEvents(this.db, 1))[0];
    if (firstPending) this.uncertainFrom = firstPending.seq;
    this.set({ phase: 'starting', online: this.env.isOnline(), conflict: undefined, lastError: undefined });
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
    this.schedulePush(0);
    this.requestPull();
    this.armPoll();
  }

  /** Stops all activity; resolves when an in-flight push has finished. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of [this.pushTimer, this.pollTimer, this.pullTimer, this.streamTimer]) if (t !== undefined) this.timers.clearTimeout(t);
    this.pushTimer = this.pollTimer = this.pullTimer = this.streamTimer = undefined;
    this.pushDueAt = Infinity;
    this.unsubscribeEnv?.();
    this.unwatchLog?.();
    this.closeStream();
    // A request cut off here is a lost answer at worst: the next start resends, harmlessly.
    this.inflight?.abort();
    await this.flushing;
    this.set({ phase: 'stopped', live: false, nextAttemptAt: undefined });
  }

  /** Something new to send (an append, a sign-in): push after the short debounce. */
  kick(): void {
    this.schedulePush(this.debounceMs);
  }

  /** Pull the work cache now (also heals a lost push answer). */
  requestPull(): void {
    if (!this.running) return;
    this.pullWanted = true;
    this.schedulePush(0);
  }

  /** Retry now even with a token the API refused (a sign-in with a new token is noticed without this). */
  resume(): void {
    this.refusedToken = undefined;
    this.backoffUntil = 0;
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
      this.closeStream();
      return;
    }
    if (change === 'hidden') return;
    // Back online or in the foreground: the old backoff no longer says anything about the network.
    this.backoffUntil = 0;
    this.set({ attempt: 0, nextAttemptAt: undefined });
    this.requestPull();
  }

  private armPoll(): void {
    this.pollTimer = this.timers.setTimeout(() => {
      if (!this.running) return;
      this.requestPull();
      this.armPoll();
    }, this.pollMs);
  }

  private schedulePush(delayMs: number): void {
    if (!this.running) return;
    const now = this.timers.now();
    const due = Math.max(now + delayMs, this.backoffUntil);
    if (due >= this.pushDueAt) return;
    if (this.pushTimer !== undefined) this.timers.clearTimeout(this.pushTimer);
    this.pushDueAt = due;
    this.pushTimer = this.timers.setTimeout(() => {
      this.pushTimer = undefined;
      this.pushDueAt = Infinity;
      void this.flush();
    }, due - now);
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
      this.closeStream();
      return;
    }
    if (session.token === this.refusedToken) {
      this.set({ phase: this.refusedForReset ? 'device_reset' : 'needs_sign_in' });
      return;
    }
    if (session.token !== this.token) {
      // A new sign-in: fresh work for this user, and the old backoff says nothing about it.
      this.token = session.token;
      this.pullWanted = true;
      this.backoffUntil = 0;
      this.set({ attempt: 0, nextAttemptAt: undefined });
    }
    if (this.state.conflict) return;
    if (this.timers.now() < this.backoffUntil) {
      this.schedulePush(0);
      return;
    }
    this.ensureStream(session.token);
    if (this.pullWanted) {
      this.pullWanted = false;
      if (!(await this.pull(session.token))) return;
    }
    await this.pushAll(session.token);
    if (this.state.phase === 'idle') await this.reconcileRejections(session.token);
    const t = this.timers.now();
    if (t - this.lastPruneAt >= PRUNE_EVERY_MS) {
      this.lastPruneAt = t;
      await pruneDelivered(this.db, { now: new Date(t), ...this.retention });
    }
  }

  private async pushAll(token: string): Promise<void> {
    while (this.running) {
      const resend = this.resendFrom;
      const size = this.isolateUpTo !== undefined ? 1 : this.batchSize;
      const batch = resend !== undefined ? await eventsFrom(this.db, resend, size) : await pendingEvents(this.db, size);
      if (this.isolateUpTo !== undefined && (batch[0]?.seq ?? Infinity) > this.isolateUpTo) this.isolateUpTo = undefined;
      if (resend !== undefined && batch.length > 0 && batch[0]!.seq !== resend) {
        // The API lacks events this device has already pruned: nothing here can fill the gap.
        this.block(`the API expects seq ${resend}, which this device no longer holds`);
        return;
      }
      if (batch.length === 0) {
        this.resendFrom = undefined;
        this.set({ phase: 'idle' });
        return;
      }
      this.set({ phase: 'sending' });
      this.sentUpTo = Math.max(this.sentUpTo, batch[batch.length - 1]!.seq);
      const out = await this.request('POST', `${API_PREFIX}/devices/${this.deviceId}/events`, token, JSON.stringify({ events: batch.map(wireEvent) }));
      if (out.kind === 'ok') {
        let body: unknown;
        try {
          body = JSON.parse(out.res.text);
        } catch {
          body = undefined;
        }
        if (!isPushResponse(body)) {
          this.retry({ message: 'the API sent an unreadable answer' });
          return;
        }
        const first = batch[0]!.seq;
        const last = batch[batch.length - 1]!.seq;
        await recordAck(this.db, body.ackedSeq, body.rejected as Rejection[], new Date(this.timers.now()));
        this.repeated = undefined;
        this.succeeded({ lastPushAt: this.timers.now(), stuck: undefined });
        if (body.expectedSeq !== undefined && body.expectedSeq <= body.ackedSeq + 1 && body.expectedSeq < first) {
          this.resendFrom = body.expectedSeq;
        } else if (body.ackedSeq < first) {
          // The API neither took the batch nor named a gap: back off rather than spin.
          this.retry({ message: `the API held seq ${body.ackedSeq} and took nothing from ${first}` });
          return;
        } else if (resend !== undefined) {
          this.resendFrom = body.ackedSeq >= last ? last + 1 : body.ackedSeq + 1;
        }
        continue;
      }
      if (out.kind === 'too_big' && this.batchSize > 1) {
        this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
        continue;
      }
      if (out.kind === 'retry') this.uncertainFrom = Math.min(this.uncertainFrom ?? Infinity, batch[0]!.seq);
      // Only a 500 can be about the batch; 502-504 say the API or its database is away for now.
      if (out.kind === 'retry' && out.status === 500 && this.poisoned(batch, out.message)) return;
      this.handleFailure(out, token);
      return;
    }
  }

  /**
   * Counts a 5xx answer for a batch. The same answer for the same first seq, again and again,
   * is no passing fault: first the batch shrinks to one event per push, to find the event it
   * is about; when that event alone keeps failing, it is put in front of a supervisor and
   * retried only slowly. Answers true when it has handled the failure.
   */
  private poisoned(batch: readonly StoredEvent[], message: string): boolean {
    const first = batch[0]!;
    const r = this.repeated;
    const times = r && r.firstSeq === first.seq && r.message === message ? r.times + 1 : 1;
    this.repeated = { firstSeq: first.seq, message, times };
    if (times < DETERMINISTIC_REPEATS) return false;
    if (batch.length > 1) {
      this.isolateUpTo = batch[batch.length - 1]!.seq;
      this.repeated = undefined;
      return false;
    }
    const stuck = { seq: first.seq, id: first.id, message, attempts: times };
    this.fail(
      `event #${first.seq} (${first.type}) cannot be delivered: the API fails on it every time (${message}). The events after it wait. Call a supervisor.`,
      this.state.attempt + 1,
      this.backoffCapMs,
      'blocked',
    );
    this.set({ stuck });
    return true;
  }

  /** Reads this device's rejections from the ledger after lost answers, and marks them. */
  private async reconcileRejections(token: string): Promise<void> {
    const from = this.uncertainFrom;
    if (from === undefined || ((await getMeta(this.db, 'lastAckedSeq')) ?? 0) < from) return;
    let cursor = (await getMeta(this.db, 'ledgerCursor')) ?? 0;
    for (;;) {
      const out = await this.request('GET', `${API_PREFIX}/ledger?deviceId=${this.deviceId}&after=${cursor}&limit=${LEDGER_PAGE}`, token);
      if (out.kind !== 'ok') {
        // Tried again on the next turn; the events themselves are delivered.
        this.set({ lastError: 'could not read back refusals after a lost answer; will retry' });
        return;
      }
      let rows: { position: number; seq: number; id: string; status: string; code?: string; message?: string }[];
      try {
        rows = (JSON.parse(out.res.text) as { events: typeof rows }).events;
      } catch {
        return;
      }
      const rejected = rows.filter((r) => r.status === 'rejected' && r.seq >= from).map((r) => ({ seq: r.seq, id: r.id, code: (r.code ?? 'rejected') as Rejection['code'], message: r.message ?? 'rejected by the API' }));
      await recordRejections(this.db, rejected, new Date(this.timers.now()));
      if (rows.length > 0) {
        cursor = rows[rows.length - 1]!.position;
        await setMeta(this.db, 'ledgerCursor', cursor);
      }
      if (rows.length < LEDGER_PAGE) break;
    }
    this.uncertainFrom = undefined;
  }

  /** Fetches work with the cursor into the cache and marks delivered what the API says it holds. */
  private async pull(token: string): Promise<boolean> {
    const cursor = await getMeta(this.db, 'pullCursor');
    // A catalog cached once is kept up to date with deltas, never fetched whole again.
    const catalogSince = await getMeta(this.db, 'catalogCursor');
    const params = [cursor ? `cursor=${encodeURIComponent(cursor)}` : '', catalogSince ? `catalogSince=${catalogSince}` : ''].filter(Boolean);
    const q = params.length > 0 ? `?${params.join('&')}` : '';
    const out = await this.request('GET', `${API_PREFIX}/devices/${this.deviceId}/work${q}`, token);
    if (out.kind === 'bad' || out.kind === 'too_big') {
      // Work the API will not give is no reason to hold back the events.
      this.set({ lastError: `could not fetch work: ${out.kind === 'bad' ? out.message : 'too large'}` });
      return true;
    }
    if (out.kind !== 'ok') {
      this.pullWanted = true;
      this.handleFailure(out, token);
      return false;
    }
    let work: PullResponse;
    try {
      work = JSON.parse(out.res.text) as PullResponse;
    } catch {
      this.pullWanted = true;
      this.retry({ message: 'the API sent unreadable work' });
      return false;
    }
    await storeWork(this.db, work);
    // A push answer lost after the API committed: the pull's lastSeq says what it holds. Only
    // seqs this engine sent can be healed this way; a higher lastSeq for numbers never sent
    // means another storage holds this device id, which the next push reports as a conflict.
    const held = Number.isInteger(work.lastSeq) ? work.lastSeq : 0;
    const healTo = Math.min(held, this.sentUpTo);
    const oldestPending = (await pendingEvents(this.db, 1))[0];
    if (healTo > 0 && oldestPending && oldestPending.seq <= healTo) {
      await recordAck(this.db, healTo, [], new Date(this.timers.now()));
      this.uncertainFrom = Math.min(this.uncertainFrom ?? Infinity, oldestPending.seq);
    }
    // The API holds less than it once confirmed (restored from a backup): send the rest again.
    const confirmed = (await getMeta(this.db, 'lastAckedSeq')) ?? 0;
    if (held < confirmed && this.resendFrom === undefined) this.resendFrom = held + 1;
    this.succeeded({ lastPullAt: this.timers.now() });
    return true;
  }

  private async request(method: 'GET' | 'POST', path: string, token: string, body?: string, aside = false): Promise<Outcome> {
    const ac = new AbortController();
    // A request on the side (a stream ticket) is not the push that `stop()` waits for.
    if (!aside) this.inflight = ac;
    const timer = this.timers.setTimeout(() => ac.abort(), this.requestTimeoutMs);
    let res: HttpResponse;
    try {
      res = await this.http.send({
        method,
        path,
        body,
        signal: ac.signal,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      });
    } catch (err) {
      const message = ac.signal.aborted ? `no answer within ${this.requestTimeoutMs} ms` : `network error: ${err instanceof Error ? err.message : String(err)}`;
      return { kind: 'retry', message };
    } finally {
      this.timers.clearTimeout(timer);
      if (this.inflight === ac) this.inflight = undefined;
    }
    if (res.status >= 200 && res.status < 300) return { kind: 'ok', res };
    if (res.status === 401) return { kind: 'auth', message: errorMessage(res) };
    if (res.status === 403 && errorCode(res) === 'device_reset') return { kind: 'reset', message: errorMessage(res) };
    if (res.status === 409) {
      let seq: number;
      try {
        seq = Number((JSON.parse(res.text) as { seq?: unknown }).seq) || 0;
      } catch {
        seq = 0;
      }
      return { kind: 'conflict', seq, message: errorMessage(res) };
    }
    if (res.status === 413) return { kind: 'too_big' };
    if (res.status === 429 || res.status >= 500 || res.status === 408) {
      return { kind: 'retry', message: errorMessage(res), retryAfterMs: parseRetryAfter(res.header('retry-after'), this.timers.now()), status: res.status };
    }
    return { kind: 'bad', message: errorMessage(res) };
  }

  private handleFailure(out: Exclude<Outcome, { kind: 'ok' }>, token: string): void {
    switch (out.kind) {
      case 'retry':
        this.retry(out);
        return;
      case 'auth':
        this.refusedToken = token;
        this.refusedForReset = false;
        this.closeStream();
        this.set({ phase: 'needs_sign_in', lastError: `sign in again: ${out.message}` });
        return;
      case 'reset':
        this.refusedToken = token;
        this.refusedForReset = true;
        this.closeStream();
        this.set({ phase: 'device_reset', lastError: `${out.message}. Sign out and sign in again: this handheld re-registers and sends what it holds.` });
        return;
      case 'conflict':
        this.set({
          phase: 'conflict',
          conflict: { seq: out.seq, message: out.message },
          lastError: `sending stopped: the API holds another event under seq ${out.seq}. This device's storage may be a copy. Call a supervisor.`,
        });
        return;
      case 'too_big':
        this.block('the API refused even a single event as too large');
        return;
      case 'bad':
        this.block(out.message);
        return;
    }
  }

  private retry(out: { message: string; retryAfterMs?: number }): void {
    const attempt = this.state.attempt + 1;
    const jitter = backoffDelay(attempt, this.random(), this.backoffBaseMs, this.backoffCapMs);
    const delay = Math.max(jitter, out.retryAfterMs ?? 0);
    this.fail(out.message, attempt, delay);
  }

  private block(message: string): void {
    this.fail(message, this.state.attempt + 1, this.backoffCapMs, 'blocked');
  }

  private fail(message: string, attempt = this.state.attempt + 1, delay = backoffDelay(attempt, this.random(), this.backoffBaseMs, this.backoffCapMs), phase: SyncPhase = 'backoff'): void {
    const now = this.timers.now();
    this.backoffUntil = now + delay;
    // A push due sooner was asked for before this failure: the backoff overrides it.
    if (this.pushTimer !== undefined) this.timers.clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    this.pushDueAt = Infinity;
    this.set({ phase, attempt, lastError: message, nextAttemptAt: this.backoffUntil });
    this.schedulePush(delay);
  }

  private succeeded(patch: Partial<SyncStatus>): void {
    this.backoffUntil = 0;
    this.set({ ...patch, attempt: 0, nextAttemptAt: undefined, lastError: undefined });
  }

  private ensureStream(token: string): void {
    if (!this.streamFactory || !this.running) return;
    if ((this.stream || this.streamOpening) && this.streamToken === token) return;
    this.closeStream();
    if (this.streamTimer !== undefined) return;
    this.streamToken = token;
    this.streamOpening = true;
    void this.openStream(token).finally(() => (this.streamOpening = false));
  }

  /** Asks for a single-use ticket (the token never goes in a URL), then opens the feed with it. */
  private async openStream(token: string): Promise<void> {
    const factory = this.streamFactory;
    if (!factory) return;
    const out = await this.request('POST', `${API_PREFIX}/stream-tickets`, token, undefined, true);
    let ticket: string | undefined;
    if (out.kind === 'ok') {
      try {
        const t = (JSON.parse(out.res.text) as { ticket?: unknown }).ticket;
        ticket = typeof t === 'string' ? t : undefined;
      } catch {
        ticket = undefined;
      }
    }
    if (!this.running || this.streamToken !== token) return;
    if (!ticket) {
      this.streamRetry();
      return;
    }
    this.stream = factory(`${API_PREFIX}/stream?ticket=${encodeURIComponent(ticket)}`, {
      onOpen: () => {
        this.streamAttempt = 0;
        this.set({ live: true });
        // Anything may have changed while the feed was down.
        this.requestPull();
      },
      onChange: (msg) => {
        if (msg.kind === 'work') this.schedulePull();
      },
      onClose: () => {
        this.stream = undefined;
        this.set({ live: false });
        this.streamRetry();
      },
    });
  }

  private streamRetry(): void {
    if (!this.running) return;
    this.streamAttempt += 1;
    const delay = backoffDelay(this.streamAttempt, this.random(), this.backoffBaseMs, this.backoffCapMs);
    this.streamTimer = this.timers.setTimeout(() => {
      this.streamTimer = undefined;
      this.schedulePush(0);
    }, delay);
  }

  private schedulePull(): void {
    if (this.pullTimer !== undefined) return;
    this.pullTimer = this.timers.setTimeout(() => {
      this.pullTimer = undefined;
      this.requestPull();
    }, 100);
  }

  private closeStream(): void {
    const s = this.stream;
    this.stream = undefined;
    this.streamToken = undefined;
    s?.close();
    if (this.state.live) this.set({ live: false });
  }
}
