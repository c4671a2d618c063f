import { afterEach, describe, expect, it } from 'vitest';
import { setMeta, type FloorDb } from '../../src/device/db.ts';
import { appendEvent, pendingEvents, rejectedEvents } from '../../src/device/event-log.ts';
import { signIn } from '../../src/device/session.ts';
import { ManualEnvironment } from '../../src/device/sync/environment.ts';
import { DETERMINISTIC_REPEATS, SyncEngine, backoffDelay, parseRetryAfter, type SyncEngineOptions } from '../../src/device/sync/engine.ts';
import { processLock } from '../../src/device/sync/lock.ts';
import { FakeApi } from './fake-api.ts';
import { ScriptedClock } from '../fixtures/clock.ts';
import { SHIFT_START, newBackend, newDevice, pickHeld, until } from './helpers.ts';

const now = new Date('2026-11-23T10:00:00Z');
const engines: SyncEngine[] = [];

async function device(opts: Partial<SyncEngineOptions> & { db?: FloorDb; api?: FakeApi } = {}) {
  const db = opts.db ?? newDevice();
  const api = opts.api ?? new FakeApi();
  const env = (opts.env as ManualEnvironment | undefined) ?? new ManualEnvironment(true);
  await setMeta(db, 'session', {
    token: 'token-1',
    id: 'session-1-of-picker',
    user: { id: 'picker', name: 'Pat', roles: ['picker'] },
    signedInAt: now.toISOString(),
  });
  const engine = new SyncEngine({ lock: processLock(), backoffBaseMs: 1, backoffCapMs: 4, random: () => 0.5, ...opts, db, api, env });
  engines.push(engine);
  return { db, api, env, engine };
}
const record = (db: FloorDb, n: number) => appendEvent(db, pickHeld(n), { actor: 'picker', now });
const pendingCount = async (db: FloorDb) => (await pendingEvents(db)).length;

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

describe('sync engine', () => {
  it('pushes as soon as an event is durable, batching a burst, in seq order, at most batchSize at a time', async () => {
    const { db, api, engine } = await device({ batchSize: 200 });
    await engine.start();
    await until(() => api.pulls.length === 1, 'first pull');
    await Promise.all(Array.from({ length: 450 }, (_, i) => record(db, i + 1)));
    await until(async () => (await pendingCount(db)) === 0 && engine.status().phase === 'idle', 'all delivered');
    const sent = api.pushes.flatMap((p) => p.seqs);
    expect(sent).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(Math.max(...api.pushes.map((p) => p.seqs.length))).toBeLessThanOrEqual(200);
    expect(engine.status()).toMatchObject({ phase: 'idle', attempt: 0 });
  });

  it('waits while offline and flushes in order on `online`', async () => {
    const env = new ManualEnvironment(false);
    const { db, api, engine } = await device({ env });
    await engine.start();
    for (let i = 1; i <= 5; i++) await record(db, i);
    await until(() => engine.status().phase === 'offline', 'offline phase');
    expect(api.pushes).toEqual([]);
    env.setOnline(true);
    await until(async () => (await pendingCount(db)) === 0, 'delivered after online');
    expect(api.pushes.flatMap((p) => p.seqs)).toEqual([1, 2, 3, 4, 5]);
  });

  it('backs off with full jitter on 5xx and 429, honouring Retry-After, and keeps the events', async () => {
    const clock = new ScriptedClock(SHIFT_START);
    const { db, api, engine } = await device({ clock, backoffBaseMs: 1000, backoffCapMs: 60_000, random: () => 0.5 });
    api.faults.push({ method: 'GET', fault: { kind: 'status', status: 503 } });
    await record(db, 1);
    await engine.start();
    clock.advance(0);
    await until(() => engine.status().phase === 'backoff', 'backoff after 503');
    // attempt 1: 0.5 * min(60 s, 1 s * 2^1) = 1000 ms
    expect(engine.status()).toMatchObject({ attempt: 1, nextAttemptAt: clock.now() + 1000, lastError: 'injected 503' });
    api.faults.push({ method: 'GET', fault: { kind: 'status', status: 429, headers: { 'Retry-After': '30' } } });
    clock.advance(999);
    expect(api.pulls).toEqual([]);
    clock.advance(1);
    await until(() => engine.status().attempt === 2, 'second failure');
    // Retry-After (30 s) beats the jitter (2 s).
    expect(engine.status().nextAttemptAt).toBe(clock.now() + 30_000);
    clock.advance(29_999);
    expect(await pendingCount(db)).toBe(1);
    clock.advance(1);
    await until(async () => (await pendingCount(db)) === 0 && engine.status().phase === 'idle', 'delivered after backoff');
    expect(engine.status()).toMatchObject({ attempt: 0, lastError: undefined });
  });

  it('a lost answer is resent and the API holds the event once', async () => {
    const { db, api, engine } = await device();
    api.faults.push({ method: 'POST', fault: { kind: 'lose' } }, { method: 'POST', fault: { kind: 'drop' } });
    await engine.start();
    await record(db, 1);
    await record(db, 2);
    await until(async () => (await pendingCount(db)) === 0, 'delivered');
    const id = (await db.events.get(1))!.id;
    expect(api.stored.get((await db.events.get(1))!.deviceId)!.map((h) => h.id)).toEqual([id, (await db.events.get(2))!.id]);
    expect(api.pushes.length).toBeGreaterThanOrEqual(2);
  });

  it('a lost answer heals from the next pull without sending again', async () => {
    const clock = new ScriptedClock(SHIFT_START);
    const env = new ManualEnvironment(true);
    const { db, api, engine } = await device({ clock, env, backoffBaseMs: 60_000, backoffCapMs: 60_000 });
    await engine.start();
    clock.advance(0);
    await until(() => api.pulls.length === 1 && engine.status().phase === 'idle', 'first pull');
    api.faults.push({ method: 'POST', fault: { kind: 'lose' } });
    await record(db, 1);
    // No debounce: the push is due at once (or already on its way, when a turn was still running).
    await until(() => clock.pending()[0] === 0 || engine.status().phase === 'backoff', 'the push');
    clock.advance(0);
    await until(() => engine.status().phase === 'backoff', 'backoff after the lost answer');
    expect(await pendingCount(db)).toBe(1);
    // Back in the foreground: the engine pulls first, learns lastSeq 1, and has nothing left to send.
    env.setVisible(false);
    env.setVisible(true);
    clock.advance(0);
    await until(async () => (await pendingCount(db)) === 0, 'healed by pull');
    expect(api.pushes).toHaveLength(1);
    expect((await db.events.get(1))!.state).toBe('delivered');
  });

  it('gives up a request that does not answer in time, and retries', async () => {
    const clock = new ScriptedClock(SHIFT_START);
    const { db, api, engine } = await device({ clock, requestTimeoutMs: 5000 });
    api.faults.push({ method: 'GET', fault: { kind: 'hang' } });
    await record(db, 1);
    await engine.start();
    clock.advance(0);
    await until(() => api.inflight === 1, 'hanging request');
    clock.advance(5000);
    await until(() => engine.status().phase === 'backoff', 'timed out');
    expect(engine.status().lastError).toBe('no answer within 5000 ms');
    clock.advance(10);
    await until(async () => (await pendingCount(db)) === 0, 'delivered after timeout');
  });

  it('on 401 keeps the queue and asks for sign-in; after signing in it delivers', async () => {
    const { db, api, engine } = await device();
    api.tokens.clear();
    await engine.start();
    await record(db, 1);
    await until(() => engine.status().phase === 'needs_sign_in', 'needs sign-in');
    expect(engine.status().lastError).toMatch(/sign in again: session expired/);
    await record(db, 2);
    expect(await pendingCount(db)).toBe(2);
    const res = await signIn(db, api, { user: 'picker', pin: '1111' }, now, { storage: undefined });
    expect(res.ok).toBe(true);
    // The new session is noticed by itself.
    await until(async () => (await pendingCount(db)) === 0, 'delivered after sign-in');
  });

  it('a refused PIN is an answer, not an exception', async () => {
    const { db, api } = await device();
    expect(await signIn(db, api, { user: 'picker', pin: '9999' }, now)).toEqual({ ok: false, message: 'wrong user or PIN', code: 'bad_credentials' });
  });

  it('stops loudly on a seq conflict (409) and sends nothing more', async () => {
    const { db, api, engine } = await device();
    const deviceId = (await record(db, 1)).deviceId;
    api.stored.set(deviceId, [{ seq: 1, id: '0190a0b0-0000-7000-8000-0000000000ff', type: 'pick.stored', payload: {} }]);
    await engine.start();
    await until(() => engine.status().phase === 'conflict', 'conflict');
    expect(engine.status().conflict).toMatchObject({ seq: 1 });
    expect(engine.status().lastError).toMatch(/storage may be a copy/);
    const before = api.pushes.length;
    await record(db, 2);
    engine.kick();
    await until(async () => (await pendingCount(db)) === 2, 'second pending');
    expect(api.pushes.length).toBe(before);
  });

  it('resends from expectedSeq when the API lacks events the device thought delivered', async () => {
    const { db, api, engine } = await device();
    await engine.start();
    for (let i = 1; i <= 5; i++) await record(db, i);
    await until(async () => (await pendingCount(db)) === 0, 'first delivery');
    const deviceId = (await db.events.get(1))!.deviceId;
    // The API lost 3..5 (restored from a backup).
    api.stored.set(deviceId, api.stored.get(deviceId)!.slice(0, 2));
    await record(db, 6);
    await until(() => api.lastSeq(deviceId) === 6, 'gap filled');
    expect(api.stored.get(deviceId)!.map((h) => h.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await pendingCount(db)).toBe(0);
  });

  it('a pull that shows the API lost confirmed events makes the device send them again', async () => {
    const { db, api, engine } = await device();
    await engine.start();
    for (let i = 1; i <= 4; i++) await record(db, i);
    await until(async () => (await pendingCount(db)) === 0, 'first delivery');
    const deviceId = (await db.events.get(1))!.deviceId;
    api.stored.set(deviceId, api.stored.get(deviceId)!.slice(0, 1));
    engine.requestPull();
    await until(() => api.lastSeq(deviceId) === 4, 'resent');
    expect(api.stored.get(deviceId)!.map((h) => h.id)).toEqual((await db.events.toArray()).map((e) => e.id));
  });

  it('stop() cuts a hanging request short', async () => {
    const { db, api, engine } = await device({ requestTimeoutMs: 600_000 });
    api.faults.push({ method: 'GET', fault: { kind: 'hang' } });
    await record(db, 1);
    await engine.start();
    await until(() => api.inflight === 1, 'hanging request');
    await engine.stop();
    expect(engine.status().phase).toBe('stopped');
    expect(await pendingCount(db)).toBe(1);
  });

  it('marks rejected events with the API message and keeps going', async () => {
    const { db, api, engine } = await device();
    api.rejectWhen = (e) => ((e.payload as { lineId: string }).lineId === '2' ? 'line 2 is closed' : undefined);
    await engine.start();
    for (let i = 1; i <= 3; i++) await record(db, i);
    await until(async () => (await pendingCount(db)) === 0, 'delivered');
    expect((await rejectedEvents(db)).map((e) => [e.seq, e.rejection?.message])).toEqual([[2, 'line 2 is closed']]);
    expect((await db.events.toArray()).map((e) => e.state)).toEqual(['delivered', 'rejected', 'delivered']);
  });

  it('a rejection whose answer was lost is read back from the ledger, not shown as delivered', async () => {
    const { db, api, engine } = await device();
    api.rejectWhen = (e) => ((e.payload as { lineId: string }).lineId === '2' ? 'line 2 is closed' : undefined);
    api.faults.push({ method: 'POST', fault: { kind: 'lose' } });
    for (let i = 1; i <= 3; i++) await record(db, i);
    await engine.start();
    await until(async () => (await db.events.get(2))?.state === 'rejected', 'rejection read back');
    // The first push carried seq 2 and its answer was lost; the resend's answer names no rejection.
    expect(api.pushes.map((p) => p.seqs)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect((await db.events.get(2))!.rejection).toEqual({ code: 'invalid_payload', message: 'line 2 is closed' });
    expect((await db.events.toArray()).map((e) => e.state)).toEqual(['delivered', 'rejected', 'delivered']);
    expect(api.ledgerReads).toBeGreaterThan(0);
    // Nothing lost since: no more ledger reads.
    const reads = api.ledgerReads;
    await record(db, 4);
    await until(async () => (await pendingCount(db)) === 0 && engine.status().phase === 'idle', 'delivered');
    expect(api.ledgerReads).toBe(reads);
  });

  it('a page closed while its push was answered: the next start resends and still shows the refusal', async () => {
    const clock = new ScriptedClock(SHIFT_START);
    const first = await device({ clock, backoffBaseMs: 60_000, backoffCapMs: 60_000 });
    const { db, api } = first;
    api.rejectWhen = (e) => ((e.payload as { lineId: string }).lineId === '1' ? 'line 1 is closed' : undefined);
    api.faults.push({ method: 'POST', fault: { kind: 'lose' } });
    await record(db, 1);
    await first.engine.start();
    clock.advance(0);
    await until(() => first.engine.status().phase === 'backoff', 'answer lost');
    await first.engine.stop();
    // The page reloads: a new engine on the same storage.
    const second = await device({ db, api });
    await second.engine.start();
    await until(async () => (await db.events.get(1))?.state === 'rejected', 'refusal shown after restart');
    expect(api.pushes.map((p) => p.seqs)).toEqual([[1], [1]]);
  });

  it('isolates an event the API fails on every time (the same 5xx), and puts it in front of a supervisor instead of looping', async () => {
    const { db, api, engine } = await device({ batchSize: 5, backoffBaseMs: 1, backoffCapMs: 60_000 });
    const broken = 'the server failed to handle this request; it is safe to retry';
    api.failWhen = (e) => ((e.payload as { lineId: string }).lineId === '3' ? broken : undefined);
    for (let i = 1; i <= 5; i++) await record(db, i);
    await engine.start();
    await until(() => engine.status().stuck !== undefined, 'stuck event found');
    expect(engine.status()).toMatchObject({ phase: 'blocked', stuck: { seq: 3, message: broken, attempts: DETERMINISTIC_REPEATS } });
    expect(engine.status().lastError).toMatch(/event #3 .*Call a supervisor/);
    // The whole batch failed the same way three times, then went one event at a time: 1 and 2 through, 3 alone three times.
    expect(api.pushes.map((p) => p.seqs)).toEqual([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1], [2], [3], [3], [3]]);
    expect((await pendingEvents(db)).map((e) => e.seq)).toEqual([3, 4, 5]);
    // Then it waits for the long backoff rather than sending again and again.
    const sent = api.pushes.length;
    for (let i = 0; i < 2000; i++) await new Promise((r) => setImmediate(r));
    expect(api.pushes.length).toBe(sent);
    expect(engine.status().nextAttemptAt).toBeGreaterThan(Date.now() + 50_000);
    // Once the server is mended, "Send now" delivers the rest, and the stuck mark goes.
    api.failWhen = () => undefined;
    engine.resume();
    await until(async () => (await pendingCount(db)) === 0 && engine.status().phase === 'idle', 'delivered after repair');
    expect(engine.status().stuck).toBeUndefined();
    expect(api.stored.get(api.pushes[0]!.deviceId)?.map((h) => h.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps retrying a 5xx that changes or passes: a passing fault is never taken for a poison event', async () => {
    const { db, api, engine } = await device({ batchSize: 5 });
    for (const status of [500, 503, 503, 503, 500, 502])
      api.faults.push({ method: 'POST', fault: { kind: 'status', status, body: { error: 'internal', message: `fault ${status}` } } });
    for (let i = 1; i <= 5; i++) await record(db, i);
    await engine.start();
    await until(async () => (await pendingCount(db)) === 0, 'delivered');
    expect(engine.status().stuck).toBeUndefined();
    // Never shrunk: every push carried the whole batch.
    expect(api.pushes.every((p) => p.seqs.length === 5)).toBe(true);
  });

  it('halves the batch on 413', async () => {
    const { db, api, engine } = await device({ batchSize: 8 });
    api.faults.push({ method: 'POST', fault: { kind: 'status', status: 413 } });
    for (let i = 1; i <= 8; i++) await record(db, i);
    await engine.start();
    await until(async () => (await pendingCount(db)) === 0, 'delivered');
    // The 413 answer came before the API read the batch; the halves went through.
    expect(api.faults).toEqual([]);
    expect(api.pushes.map((p) => p.seqs.length)).toEqual([4, 4]);
  });

  it('prunes delivered history beyond the retention, never what waits', async () => {
    const { db, api, engine } = await device({ retention: { maxAgeDays: 14, maxEntries: 2 } });
    api.rejectWhen = (e) => ((e.payload as { lineId: string }).lineId === '1' ? 'no' : undefined);
    for (let i = 1; i <= 6; i++) await record(db, i);
    await engine.start();
    await until(async () => (await db.events.count()) === 3, 'pruned');
    expect((await db.events.toArray()).map((e) => `${e.seq}:${e.state}`)).toEqual(['1:rejected', '5:delivered', '6:delivered']);
  });

  it('two tabs of one device never send at the same time, and each event goes once', async () => {
    const backend = newBackend();
    const api = new FakeApi();
    const lock = processLock();
    const a = newDevice({ backend, name: 'shared' });
    const b = newDevice({ backend, name: 'shared' });
    const one = await device({ db: a, api, lock });
    const two = await device({ db: b, api, lock });
    await Promise.all([one.engine.start(), two.engine.start()]);
    await Promise.all(Array.from({ length: 300 }, (_, i) => record(i % 2 ? a : b, i + 1)));
    await until(async () => (await pendingCount(a)) === 0, 'delivered');
    const sent = api.pushes.flatMap((p) => p.seqs);
    expect(sent.sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(api.maxInflight).toBe(1);
  });
});

describe('backoff arithmetic', () => {
  it('is full jitter, exponential, capped', () => {
    expect(backoffDelay(1, 0.999, 500, 60_000)).toBe(999);
    expect(backoffDelay(3, 0.5, 500, 60_000)).toBe(2000);
    expect(backoffDelay(20, 0.5, 500, 60_000)).toBe(30_000);
    expect(backoffDelay(5, 0, 500, 60_000)).toBe(0);
  });

  it('reads Retry-After as seconds or a date', () => {
    const t = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('7', t)).toBe(7000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:05 GMT', t)).toBe(5000);
    expect(parseRetryAfter('soon', t)).toBeUndefined();
    expect(parseRetryAfter(null, t)).toBeUndefined();
  });
});
