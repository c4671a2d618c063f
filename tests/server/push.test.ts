import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../fixtures/server-app.ts';
import { BACKEND_NAMES, DeviceEvents, deviceId, eventId, openBackend, pickHeld, pickLine, startApp, type Backend } from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import { MAX_BODY_BYTES } from '../../src/domain/protocol.ts';

type LedgerRow = { seq: number; id: string; status: string; code?: string; type: string };

describe.each(BACKEND_NAMES)('push protocol v1 on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let n = 100;
  /** A fresh device with the picker signed in on it. */
  const fresh = async (actor = 'picker') => {
    n += 1;
    const dev = new DeviceEvents(n, actor);
    const token = await api.signIn(actor, dev.id);
    return { dev, token };
  };
  /** Each place the tests pick from has a line of this file's own that wants plenty. */
  const PLACES = [
    ['SKU-1001', 'A-01-01'],
    ['SKU-1002', 'A-01-02'],
    ['SKU-1003', 'A-02-01'],
    ['SKU-1005', 'B-01-01'],
    ['SKU-1007', 'B-01-01'],
  ] as const;
  const lines = new Map<string, { pickListId: string; lineId: string }>();
  const pick = (sku: string, location: string, qty: number) => {
    const line = lines.get(`${sku} ${location}`);
    return pickHeld(sku, location, qty, line?.pickListId, line?.lineId);
  };
  const ledger = async (token: string, device: string) => (await api.get<{ events: LedgerRow[] }>(`/api/v1/ledger?deviceId=${device}`, token)).body.events;

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend));
    for (const [sku, location] of PLACES) lines.set(`${sku} ${location}`, await pickLine(app.db, sku, location));
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('applies events in order and answers the highest held seq', async () => {
    const { dev, token } = await fresh();
    const before = await api.stock(token, 'SKU-1001', 'A-01-01');
    const res = await api.push(dev.id, token, [dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), dev.next('pick.held', pick('SKU-1001', 'A-01-01', 2))]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ackedSeq: 2, rejected: [] });
    const after = await api.stock(token, 'SKU-1001', 'A-01-01');
    expect(after.available).toBe(before.available - 3);
    expect(after.committed).toBe(before.committed + 3);
  });

  it('treats a repeated batch as a no-op (a retry after a lost answer)', async () => {
    const { dev, token } = await fresh();
    const batch = [dev.next('pick.held', pick('SKU-1002', 'A-01-02', 1)), dev.next('pick.held', pick('SKU-1002', 'A-01-02', 1))];
    expect((await api.push(dev.id, token, batch)).body.ackedSeq).toBe(2);
    const mid = await api.stock(token, 'SKU-1002', 'A-01-02');
    const again = await api.push(dev.id, token, batch);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ackedSeq: 2, rejected: [] });
    // Old and new together: the old part is skipped, the new part applied.
    const third = dev.next('pick.held', pick('SKU-1002', 'A-01-02', 1));
    expect((await api.push(dev.id, token, [...batch, third])).body).toEqual({ ackedSeq: 3, rejected: [] });
    expect((await api.stock(token, 'SKU-1002', 'A-01-02')).committed).toBe(mid.committed + 1);
    expect((await ledger(token, dev.id)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('answers 409 when a held seq comes back with another id, and changes nothing', async () => {
    const { dev, token } = await fresh();
    const first = dev.next('pick.held', pick('SKU-1003', 'A-02-01', 1));
    await api.push(dev.id, token, [first]);
    const stockBefore = await api.stock(token, 'SKU-1003', 'A-02-01');
    const impostor = { ...first, id: eventId(dev.n, 1, 9) };
    const next = dev.next('pick.held', pick('SKU-1003', 'A-02-01', 1));
    const res = await api.push(dev.id, token, [impostor, next]);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'seq_conflict', seq: 1, ackedSeq: 1 });
    expect(await api.stock(token, 'SKU-1003', 'A-02-01')).toEqual(stockBefore);
    expect((await ledger(token, dev.id)).map((e) => [e.seq, e.id])).toEqual([[1, first.id]]);
  });

  it('stops at a gap and answers expectedSeq, applying what came before it', async () => {
    const { dev, token } = await fresh();
    const e1 = dev.next('pick.held', pick('SKU-1007', 'B-01-01', 1));
    const e2 = dev.next('pick.held', pick('SKU-1007', 'B-01-01', 1));
    const e3 = dev.next('pick.held', pick('SKU-1007', 'B-01-01', 1));
    const onlyLater = await api.push(dev.id, token, [e3]);
    expect(onlyLater.body).toEqual({ ackedSeq: 0, rejected: [], expectedSeq: 1 });
    const holey = await api.push(dev.id, token, [e1, e3]);
    expect(holey.body).toEqual({ ackedSeq: 1, rejected: [], expectedSeq: 2 });
    expect((await api.push(dev.id, token, [e2, e3])).body).toEqual({ ackedSeq: 3, rejected: [] });
    expect((await ledger(token, dev.id)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('records an unreadable-payload event as rejected, consumes its number and keeps going', async () => {
    const { dev, token } = await fresh();
    const bad = dev.next('pick.held', { ...pick('SKU-1001', 'A-01-01', 1), qty: 0 });
    const unknown = dev.next('pick.teleported' as never, { sku: 'SKU-1001' });
    const good = dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1));
    const res = await api.push(dev.id, token, [bad, unknown, good]);
    expect(res.status).toBe(200);
    expect(res.body.ackedSeq).toBe(3);
    expect(res.body.rejected).toEqual([
      { seq: 1, id: bad.id, code: 'invalid_payload', message: 'payload.qty: qty must be at least 1' },
      { seq: 2, id: unknown.id, code: 'unknown_type', message: 'unknown event type "pick.teleported"' },
    ]);
    expect((await ledger(token, dev.id)).map((e) => [e.seq, e.status])).toEqual([
      [1, 'rejected'],
      [2, 'rejected'],
      [3, 'applied'],
    ]);
  });

  it('names the envelope field that is wrong and still consumes the number', async () => {
    const { dev, token } = await fresh();
    const e = { ...dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), occurredAt: 12 };
    const res = await api.push(dev.id, token, [e]);
    expect(res.body.rejected[0]).toMatchObject({ seq: 1, code: 'invalid_envelope' });
    expect(res.body.rejected[0]?.message).toMatch(/^occurredAt: /);
  });

  it('enforces roles: only a supervisor resolves a return or approves a count', async () => {
    const { dev, token } = await fresh('receiver');
    const resolve = dev.next('return.resolved', { returnId: 'RMA-9', decision: 'resale', sku: 'SKU-1001', from: 'RET-1', to: 'A-01-01', qty: 1 });
    const approve = dev.next('count.approved', { countTaskId: 'CT-9', approve: true });
    const res = await api.push(dev.id, token, [resolve, approve]);
    expect(res.body.ackedSeq).toBe(2);
    expect(res.body.rejected.map((r) => r.code)).toEqual(['forbidden', 'forbidden']);
    expect(res.body.rejected[0]?.message).toContain('return.resolved');
    await api.signIn('supervisor', dev.id);
    // The supervisor may decide; a decision on a count nobody holds is still refused, for what it is.
    const bySupervisor = dev.next('count.approved', { countTaskId: 'CT-9', approve: true }, 'supervisor');
    const decided = await api.push(dev.id, token, [bySupervisor]);
    expect(decided.body.ackedSeq).toBe(3);
    expect(decided.body.rejected.map((r) => r.code)).toEqual(['not_awaiting_approval']);
  });

  it('rejects events of an unknown actor or of a user who never signed in on the device', async () => {
    const { dev, token } = await fresh();
    const ghost = dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1), 'ghost');
    const stranger = dev.next('count.started', { countTaskId: 'CT-77', location: 'A-01-01' }, 'receiver');
    const res = await api.push(dev.id, token, [ghost, stranger]);
    // Sessions (schemaVersion 2): an event counts as its actor's only under a session that actor opened here.
    expect(res.body.rejected).toEqual([
      { seq: 1, id: ghost.id, code: 'forbidden', message: 'unknown user "ghost"' },
      { seq: 2, id: stranger.id, code: 'session_mismatch', message: 'session no-session-of-this-user is unknown: the event is not recorded as "receiver"' },
    ]);
  });

  it('rejects an event id that is already recorded under another number', async () => {
    const { dev, token } = await fresh();
    const e1 = dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1));
    const e2 = { ...dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), id: e1.id };
    const res = await api.push(dev.id, token, [e1, e2]);
    expect(res.body).toMatchObject({ ackedSeq: 2, rejected: [{ seq: 2, code: 'duplicate_id' }] });
  });

  it('applies a physical fact that contradicts the figures and raises a discrepancy and a count task', async () => {
    const { dev, token } = await fresh();
    const sup = await api.signIn('supervisor', deviceId(9000 + n));
    const before = await api.stock(token, 'SKU-1005', 'B-01-01');
    const huge = dev.next('pick.held', pick('SKU-1005', 'B-01-01', before.available + 5));
    expect((await api.push(dev.id, token, [huge])).body).toEqual({ ackedSeq: 1, rejected: [] });
    const after = await api.stock(token, 'SKU-1005', 'B-01-01');
    expect(after.available).toBe(0);
    // Committed gets only what was there: the 5 beyond are a claim, not units.
    expect(after.committed).toBe(before.committed + before.available);
    expect(after.onHand).toBe(before.onHand);
    const discrepancies = (await api.get<{ discrepancies: { eventId: string; kind: string; claimed: number }[] }>('/api/v1/discrepancies', sup)).body
      .discrepancies;
    expect(discrepancies.find((d) => d.eventId === huge.id)).toMatchObject({ kind: 'pick_exceeds_available', claimed: 5 });
    const tasks = (await api.get<{ countTasks: { id: string; status: string }[] }>('/api/v1/count-tasks', sup)).body.countTasks;
    expect(tasks.find((t) => t.id === `cnt-${huge.id}`)?.status).toBe('open');
  });

  describe('unreadable batches: 400, field named, nothing applied', () => {
    const cases: [string, (d: DeviceEvents) => unknown, string][] = [
      ['events is not an array', () => ({ events: 'nope' }), 'events'],
      ['events is empty', () => ({ events: [] }), 'events'],
      ['an envelope is not an object', (d) => ({ events: [d.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), 42] }), 'events[1]'],
      ['a seq is missing', (d) => ({ events: [{ ...d.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), seq: undefined }] }), 'events[0].seq'],
      ['a seq is text', (d) => ({ events: [{ ...d.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), seq: '1' }] }), 'events[0].seq'],
      ['an id is not a UUID', (d) => ({ events: [{ ...d.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), id: 'x' }] }), 'events[0].id'],
      ['another device id', (d) => ({ events: [{ ...d.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), deviceId: deviceId(4242) }] }), 'events[0].deviceId'],
      [
        'a seq twice in one batch',
        (d) => {
          const e = d.next('pick.held', pick('SKU-1001', 'A-01-01', 1));
          return { events: [e, { ...e, id: eventId(d.n, 1, 5) }] };
        },
        'events[1].seq',
      ],
      [
        'seqs out of order',
        (d) => {
          const a = d.next('pick.held', pick('SKU-1001', 'A-01-01', 1));
          const b = d.next('pick.held', pick('SKU-1001', 'A-01-01', 1));
          return { events: [b, a] };
        },
        'events[1].seq',
      ],
      ['an unexpected top-level field', (d) => ({ events: [d.next('pick.held', pick('SKU-1001', 'A-01-01', 1))], extra: 1 }), 'events'],
    ];
    it.each(cases)('%s', async (_label, build, field) => {
      const { dev, token } = await fresh();
      const before = await api.stock(token, 'SKU-1001', 'A-01-01');
      const res = await api.request<{ error: string; field: string; message: string }>('POST', `/api/v1/devices/${dev.id}/events`, { token, body: build(dev) });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('unreadable_batch');
      expect(res.body.field).toBe(field);
      expect(res.body.message).toContain('nothing was applied');
      expect(await api.stock(token, 'SKU-1001', 'A-01-01')).toEqual(before);
      expect(await ledger(token, dev.id)).toEqual([]);
    });
  });

  it('refuses malformed JSON with 400 naming the problem', async () => {
    const { dev, token } = await fresh();
    const res = await api.request<{ error: string; message: string; field: string }>('POST', `/api/v1/devices/${dev.id}/events`, {
      token,
      raw: '{"events": [1,',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'malformed_json', field: 'body' });
    expect(res.body.message).toMatch(/^body is not valid JSON: /);
  });

  it('refuses a body over the limit with 413', async () => {
    const { dev, token } = await fresh();
    const e = dev.next('pick.held', { ...pick('SKU-1001', 'A-01-01', 1), note: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await api.push(dev.id, token, [e]);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'body_too_large' });
    expect(await ledger(token, dev.id)).toEqual([]);
  });

  it('needs a valid token, and a token of this device', async () => {
    const { dev, token } = await fresh();
    const e = dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1));
    const none = await api.request('POST', `/api/v1/devices/${dev.id}/events`, { body: { events: [e] } });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: 'unauthorized' });
    expect((await api.push(dev.id, 'not-a-token', [e])).status).toBe(401);
    const other = await fresh();
    const wrong = await api.push(dev.id, other.token, [e]);
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ error: 'wrong_device' });
    expect((await api.request('POST', `/api/v1/devices/not-a-uuid/events`, { token, body: { events: [e] } })).body).toMatchObject({ field: 'deviceId' });
  });

  it('signs in with a PIN and refuses a wrong one', async () => {
    const dev = deviceId(7001);
    const ok = await api.request<{ token: string; user: unknown; session: string; deviceSecret: string }>('POST', '/api/v1/sessions', {
      body: { user: 'supervisor', pin: '3333', deviceId: dev },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual({ id: 'supervisor', name: 'Sam Supervisor', roles: ['supervisor'] });
    expect(ok.body.token.length).toBeGreaterThan(30);
    // The first sign-in registered the device: its secret comes once, with a public session id.
    expect(ok.body.deviceSecret.length).toBeGreaterThan(30);
    expect(ok.body.session).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const deviceSecret = ok.body.deviceSecret;
    const wrongPin = await api.request('POST', '/api/v1/sessions', { body: { user: 'supervisor', pin: '9999', deviceId: dev, deviceSecret } });
    expect(wrongPin.status).toBe(401);
    expect(wrongPin.body).toMatchObject({ error: 'bad_credentials' });
    expect((await api.request('POST', '/api/v1/sessions', { body: { user: 'nobody', pin: '9999', deviceId: dev, deviceSecret } })).status).toBe(401);
    const badPin = await api.request('POST', '/api/v1/sessions', { body: { user: 'supervisor', pin: 'abc', deviceId: dev } });
    expect(badPin.status).toBe(400);
    expect(badPin.body).toMatchObject({ field: 'pin' });
  });

  it('answers the device lastSeq in the pull, so a lost push answer heals', async () => {
    const { dev, token } = await fresh();
    await api.push(dev.id, token, [dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1)), dev.next('pick.held', pick('SKU-1001', 'A-01-01', 1))]);
    const work = await api.get<{ lastSeq: number }>(`/api/v1/devices/${dev.id}/work`, token);
    expect(work.body.lastSeq).toBe(2);
  });
});

describe('floods', () => {
  it('answers 429 with Retry-After past the limit', async () => {
    const backend = await openBackend('pglite');
    const { app, client } = await startApp(backend, { rateLimit: { max: 5, timeWindowMs: 60_000 } });
    try {
      const token = await client.signIn('picker', deviceId(1));
      const answers = [];
      // Any read a picker may make; /stock is a supervisor's.
      for (let i = 0; i < 7; i++) answers.push(await client.get(`/api/v1/count-tasks`, token));
      expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      const refused = answers[6];
      expect(refused?.status).toBe(429);
      expect(refused?.body).toMatchObject({ error: 'rate_limited' });
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});

describe('PIN guessing', () => {
  it('locks a user name out after repeated wrong PINs, with Retry-After', async () => {
    const backend = await openBackend('pglite');
    const { app, client } = await startApp(backend);
    try {
      const dev = deviceId(2);
      const attempt = (pin: string) => client.request('POST', '/api/v1/sessions', { body: { user: 'supervisor', pin, deviceId: dev } });
      for (let i = 0; i < 5; i++) expect((await attempt('0000')).status).toBe(401);
      const locked = await attempt('3333');
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ error: 'rate_limited' });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      // Other users are not locked out by it.
      expect((await client.request('POST', '/api/v1/sessions', { body: { user: 'picker', pin: '1111', deviceId: dev } })).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
