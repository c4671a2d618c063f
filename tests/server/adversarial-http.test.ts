/**
 * A hostile or careless client over HTTP: poison text, absurd nesting, junk times, resends with
 * other content, reserved device ids, reads beyond a role, a broken or constrained database.
 * After each attack the device keeps delivering: its next event is applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, T0, deviceId, openBackend, pickHeld, pickLine, startApp, type Backend } from '../fixtures/server-app.ts';
import type { Client } from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import type { LedgerEntry, PullResponse, PushResponse } from '../../src/domain/protocol.ts';
import { MAX_BODY_DEPTH } from '../../src/domain/protocol.ts';
import { MAX_STORED_PAYLOAD_CHARS } from '../../src/server/payload.ts';
import { OPENING_DEVICE } from '../../src/server/seed.ts';

const NUL = String.fromCharCode(0);
const LONE = '\ud800';
type PushBody = PushResponse & { error?: string; message?: string };

/** The JSON text `{"a":{"a": ... 1}}`, `depth` levels (JSON.stringify itself overflows on such values). */
const nestedJson = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A push body whose first envelope's payload is `payloadJson`, written as text. */
function bodyWithPayload(envelopes: Record<string, unknown>[], payloadJson: string): string {
  const [first, ...rest] = envelopes;
  const head = JSON.stringify({ ...first, payload: '__PAYLOAD__' }).replace('"__PAYLOAD__"', payloadJson);
  return `{"events":[${[head, ...rest.map((e) => JSON.stringify(e))].join(',')}]}`;
}

// Also on PGlite's database thread (PGLITE_THREAD=1): hostile input crosses threads there.
describe.each([...BACKEND_NAMES, 'pglite-thread' as const])('a hostile client over HTTP on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let sup: string;
  let line: { pickListId: string; lineId: string };
  /** A pick of SKU-1007 at B-01-01 on a line of the test's own (a pick must name a line that wants it). */
  const pick7 = (qty: number) => pickHeld('SKU-1007', 'B-01-01', qty, line.pickListId, line.lineId);
  let n = 500;
  const fresh = async (actor: string) => {
    n += 1;
    const dev = new DeviceEvents(n, actor);
    return { dev, token: await api.signIn(actor, dev.id) };
  };
  const ledgerOf = async (device: string) => (await api.get<{ events: LedgerEntry[] }>(`/api/v1/ledger?deviceId=${device}&limit=1000`, sup)).body.events;

  /** The device's next ordinary event is applied after whatever came before: it is not blocked. */
  async function keepsDelivering(dev: DeviceEvents, token: string, ackedBefore: number) {
    const before = await api.stock(token, 'SKU-1007', 'B-01-01');
    const next = dev.next('pick.held', pick7(1));
    const res = await api.push(dev.id, token, [next]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ackedSeq: ackedBefore + 1, rejected: [] });
    expect(await api.stock(token, 'SKU-1007', 'B-01-01')).toMatchObject({ available: before.available - 1, committed: before.committed + 1 });
  }

  beforeAll(async () => {
    backend = await openBackend(name === 'pglite-thread' ? 'pglite' : name);
    ({ app, client: api } = await startApp(backend, { pgliteThread: name === 'pglite-thread' }));
    sup = await api.signIn('supervisor', deviceId(0xeeee));
    line = await pickLine(app.db, 'SKU-1007', 'B-01-01');
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  describe('poison text', () => {
    const cases: [string, string, (text: string) => [Parameters<DeviceEvents['next']>[0], Record<string, unknown>]][] = [
      [
        'note',
        'returns',
        (t) => ['return.quarantined', { returnId: `RMA-P-${n}`, sku: 'SKU-1003', location: 'RET-1', qty: 1, condition: 'opened', note: `box ${t} torn` }],
      ],
      ['lot', 'receiver', (t) => ['receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1004', location: 'DOCK-1', qty: 1, lot: `L${t}1` }]],
      [
        'order ref',
        'returns',
        (t) => ['return.quarantined', { returnId: `RMA-Q-${n}`, sku: 'SKU-1003', location: 'RET-1', qty: 1, condition: 'sealed', orderRef: `SO${t}9` }],
      ],
      ['pick line id', 'picker', (t) => ['pick.held', pickHeld('SKU-1001', 'A-01-01', 1, 'PL-0001', `1${t}`)]],
      [
        'write-off reason',
        'supervisor',
        (t) => ['return.resolved', { returnId: 'RMA-NONE', decision: 'write_off', sku: 'SKU-1003', from: 'RET-1', qty: 1, reason: `dropped ${t}` }],
      ],
    ];
    for (const [field, actor, build] of cases) {
      for (const [what, text, said] of [
        ['a NUL', NUL, /NUL/],
        ['a lone surrogate', LONE, /surrogate/],
      ] as const) {
        it(`${what} in a ${field} is a rejected event with a clear reason; the batch and the device go on`, async () => {
          const { dev, token } = await fresh(actor);
          const [type, payload] = build(text);
          const bad = dev.next(type, payload);
          const good = dev.next('pick.held', pick7(1));
          const before = await api.stock(token, 'SKU-1007', 'B-01-01');
          const res = await api.push(dev.id, token, actor === 'picker' || actor === 'supervisor' ? [bad, good] : [bad]);
          expect(res.status).toBe(200);
          expect(res.body.rejected).toEqual([expect.objectContaining({ seq: 1, code: 'invalid_payload', message: expect.stringMatching(said) })]);
          expect(res.body.ackedSeq).toBe(actor === 'picker' || actor === 'supervisor' ? 2 : 1);
          if (res.body.ackedSeq === 2) expect(await api.stock(token, 'SKU-1007', 'B-01-01')).toMatchObject({ available: before.available - 1 });
          // Recorded, with its text made storable, never applied.
          const [row] = await ledgerOf(dev.id);
          expect(row).toMatchObject({ seq: 1, status: 'rejected', code: 'invalid_payload' });
          expect(JSON.stringify(row?.payload)).toContain('\ufffd');
          expect(JSON.stringify(row?.payload)).not.toContain('\\u0000');
          if (actor !== 'picker' && actor !== 'supervisor') {
            // The device's own events are its own to read; its next one is applied.
            const own = (await api.get<{ events: LedgerEntry[] }>(`/api/v1/ledger?deviceId=${dev.id}`, token)).body.events;
            expect(own.map((e) => e.seq)).toEqual([1]);
          }
        });
      }
    }

    it('keeps delivering after a NUL note (ackedSeq advances, the next event is applied)', async () => {
      const { dev, token } = await fresh('picker');
      const bad = dev.next('pick.held', { ...pickHeld('SKU-1001', 'A-01-01', 1), lineId: `x${NUL}` });
      expect((await api.push(dev.id, token, [bad])).body).toMatchObject({ ackedSeq: 1 });
      await keepsDelivering(dev, token, 1);
    });

    it('refuses a NUL in a sign-in user name as a 400, not a 500', async () => {
      const res = await api.request('POST', '/api/v1/sessions', { body: { user: `sup${NUL}`, pin: '3333', deviceId: deviceId(4242) } });
      expect(res.status).toBe(400);
    });
  });

  describe('nesting', () => {
    it('records a payload nested 10,000 deep as a rejected event, stored as a marker; the device goes on', async () => {
      const { dev, token } = await fresh('picker');
      const deep = dev.next('pick.held', {});
      const good = dev.next('pick.held', pick7(1));
      const res = await api.request<PushBody>('POST', `/api/v1/devices/${dev.id}/events`, { token, raw: bodyWithPayload([deep, good], nestedJson(10_000)) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ackedSeq: 2,
        rejected: [expect.objectContaining({ seq: 1, code: 'invalid_payload', message: expect.stringMatching(/deeper than/) })],
      });
      const [row, next] = await ledgerOf(dev.id);
      expect(row?.payload).toMatchObject({ truncated: true });
      expect(next).toMatchObject({ seq: 2, status: 'applied' });
      await keepsDelivering(dev, token, 2);
    });

    it('refuses a body nested 100,000 deep with 400 before parsing; nothing applied, the next push is taken', async () => {
      const { dev, token } = await fresh('picker');
      const raw = `{"events":[{"seq":1,"payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
      const res = await api.request<{ error: string; message: string }>('POST', `/api/v1/devices/${dev.id}/events`, { token, raw });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'too_deep' });
      expect(await ledgerOf(dev.id)).toEqual([]);
      await keepsDelivering(dev, token, 0);
    });

    it('reads a body just within the depth limit without failing the server', async () => {
      const { dev, token } = await fresh('picker');
      const e = dev.next('pick.held', {});
      const res = await api.request<PushBody>('POST', `/api/v1/devices/${dev.id}/events`, { token, raw: bodyWithPayload([e], nestedJson(MAX_BODY_DEPTH - 3)) });
      expect(res.status).toBe(200);
      expect(res.body.rejected[0]).toMatchObject({ seq: 1, code: 'invalid_payload' });
    });

    it('stores a large rejected payload truncated, with a marker', async () => {
      const { dev, token } = await fresh('picker');
      const big = dev.next('pick.held', { junk: 'x'.repeat(200_000) });
      expect((await api.push(dev.id, token, [big])).body).toMatchObject({ ackedSeq: 1, rejected: [{ seq: 1, code: 'invalid_payload' }] });
      const [row] = await ledgerOf(dev.id);
      const stored = row?.payload as { truncated: boolean; preview: string };
      expect(stored.truncated).toBe(true);
      expect(stored.preview.length).toBeLessThanOrEqual(MAX_STORED_PAYLOAD_CHARS);
      expect(JSON.stringify(row?.payload).length).toBeLessThan(MAX_STORED_PAYLOAD_CHARS + 500);
    });
  });

  describe('failures confined to one event', () => {
    it('records an event the database refuses (a constraint) as unstorable and applies the rest of the batch', async () => {
      // A constraint only this test has, so the check does not depend on any stock rule.
      await app.db.query(`ALTER TABLE returns ADD CONSTRAINT no_poison_note CHECK (note IS NULL OR note NOT LIKE '%POISON%')`);
      try {
        const { dev, token } = await fresh('returns');
        const ok1 = dev.next('return.quarantined', { returnId: `RMA-OK1-${n}`, sku: 'SKU-1003', location: 'RET-1', qty: 1, condition: 'sealed' });
        const poison = dev.next('return.quarantined', {
          returnId: `RMA-BAD-${n}`,
          sku: 'SKU-1003',
          location: 'RET-1',
          qty: 1,
          condition: 'sealed',
          note: 'POISON',
        });
        const ok2 = dev.next('return.quarantined', { returnId: `RMA-OK2-${n}`, sku: 'SKU-1003', location: 'RET-1', qty: 2, condition: 'sealed' });
        const before = await api.stock(token, 'SKU-1003', 'RET-1');
        for (let attempt = 0; attempt < 2; attempt++) {
          // The first delivery and a retry: never a 500.
          const res = await api.push(dev.id, token, [ok1, poison, ok2]);
          expect(res.status).toBe(200);
          expect(res.body.ackedSeq).toBe(3);
          if (attempt === 0)
            expect(res.body.rejected).toEqual([expect.objectContaining({ seq: 2, code: 'unstorable', message: expect.stringContaining('no_poison_note') })]);
          else expect(res.body.rejected).toEqual([]);
        }
        expect(await api.stock(token, 'SKU-1003', 'RET-1')).toMatchObject({ quarantine: before.quarantine + 3 });
        expect((await ledgerOf(dev.id)).map((e) => [e.seq, e.status])).toEqual([
          [1, 'applied'],
          [2, 'rejected'],
          [3, 'applied'],
        ]);
        const returns = (await api.get<{ returns: { returnId: string }[] }>('/api/v1/returns', token)).body.returns.map((r) => r.returnId);
        expect(returns).toEqual(expect.arrayContaining([`RMA-OK1-${n}`, `RMA-OK2-${n}`]));
        expect(returns).not.toContain(`RMA-BAD-${n}`);
      } finally {
        await app.db.query('ALTER TABLE returns DROP CONSTRAINT no_poison_note');
      }
    });

    it('keeps a 5xx for a broken server: nothing is rejected or applied, and the retry succeeds once repaired', async () => {
      const { dev, token } = await fresh('picker');
      const e = dev.next('pick.held', pick7(1));
      await app.db.query('ALTER TABLE discrepancies RENAME TO discrepancies_away');
      await app.db.query('ALTER TABLE ledger RENAME TO ledger_away');
      let res;
      try {
        res = await api.push(dev.id, token, [e]);
      } finally {
        await app.db.query('ALTER TABLE ledger_away RENAME TO ledger');
        await app.db.query('ALTER TABLE discrepancies_away RENAME TO discrepancies');
      }
      expect(res.status).toBe(500);
      expect(await ledgerOf(dev.id)).toEqual([]);
      expect((await api.push(dev.id, token, [e])).body).toEqual({ ackedSeq: 1, rejected: [] });
    });
  });

  describe('occurredAt', () => {
    for (const junk of ['not a date <img src=x onerror=alert(1)>', '2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z', '2026-11-23', '', '1732352400000']) {
      it(`rejects ${JSON.stringify(junk)} as an envelope problem; the device goes on`, async () => {
        const { dev, token } = await fresh('picker');
        const bad = { ...dev.next('pick.held', pick7(1)), occurredAt: junk };
        const res = await api.push(dev.id, token, [bad]);
        expect(res.body).toEqual({
          ackedSeq: 1,
          rejected: [expect.objectContaining({ seq: 1, code: 'invalid_envelope', message: expect.stringContaining('occurredAt') })],
        });
        await keepsDelivering(dev, token, 1);
      });
    }

    it('applies honest old events and flags a clock far ahead or far behind the receipt time', async () => {
      const { dev, token } = await fresh('picker');
      const at = (ms: number) => new Date(T0.getTime() + ms).toISOString();
      const day = 86_400_000;
      const events = [
        { ...dev.next('pick.held', pick7(1)), occurredAt: at(-3 * day) },
        { ...dev.next('pick.held', pick7(1)), occurredAt: at(2 * day) },
        { ...dev.next('pick.held', pick7(1)), occurredAt: at(-30 * day) },
        { ...dev.next('pick.held', pick7(1)), occurredAt: at(-60_000).replace('Z', '+00:00') },
      ];
      expect((await api.push(dev.id, token, events)).body).toEqual({ ackedSeq: 4, rejected: [] });
      const rows = await ledgerOf(dev.id);
      expect(rows.map((r) => [r.seq, r.status, r.clockSkew])).toEqual([
        [1, 'applied', undefined],
        [2, 'applied', 'ahead'],
        [3, 'applied', 'behind'],
        [4, 'applied', undefined],
      ]);
    });
  });

  describe('the same seq and id with other content', () => {
    it('answers 200 without applying it, with a conflict entry, and records it for a supervisor', async () => {
      const { dev, token } = await fresh('picker');
      const first = dev.next('pick.held', pick7(1));
      expect((await api.push(dev.id, token, [first])).body).toEqual({ ackedSeq: 1, rejected: [] });
      const after = await api.stock(token, 'SKU-1007', 'B-01-01');
      // An identical resend is the ordinary retry: no conflict.
      expect((await api.push(dev.id, token, [first])).body).toEqual({ ackedSeq: 1, rejected: [] });
      const forged = { ...first, payload: { ...first.payload, qty: 50 } };
      for (let i = 0; i < 2; i++) {
        const res = await api.push(dev.id, token, [forged]);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          ackedSeq: 1,
          rejected: [],
          conflicts: [expect.objectContaining({ seq: 1, id: first.id, message: expect.stringContaining('other content') })],
        });
      }
      expect(await api.stock(token, 'SKU-1007', 'B-01-01')).toEqual(after);
      expect((await ledgerOf(dev.id))[0]?.payload).toMatchObject({ qty: 1 });
      expect((await api.get('/api/v1/conflicts', token)).status).toBe(403);
      const conflicts = (
        await api.get<{ conflicts: { deviceId: string; seq: number; eventId: string; times: number; sent: { payload: { qty: number } } }[] }>(
          '/api/v1/conflicts',
          sup,
        )
      ).body.conflicts;
      expect(conflicts.filter((c) => c.deviceId === dev.id)).toEqual([
        expect.objectContaining({ seq: 1, eventId: first.id, times: 2, sent: expect.objectContaining({ payload: expect.objectContaining({ qty: 50 }) }) }),
      ]);
      await keepsDelivering(dev, token, 1);
    });
  });

  describe('reserved device ids', () => {
    it('refuses a push and a sign-in under the opening balances device with 400', async () => {
      const { token } = await fresh('picker');
      const dev = new DeviceEvents(1, 'picker');
      const e = { ...dev.next('pick.held', pick7(1)), deviceId: OPENING_DEVICE };
      const push = await api.request<{ error: string; message: string }>('POST', `/api/v1/devices/${OPENING_DEVICE}/events`, { token, body: { events: [e] } });
      expect(push.status).toBe(400);
      expect(push.body.message).toMatch(/reserved/);
      const signIn = await api.request('POST', '/api/v1/sessions', { body: { user: 'picker', pin: '1111', deviceId: '00000000-1234-7000-8000-000000000001' } });
      expect(signIn.status).toBe(400);
      // The opening balances are still the supervisor's to read.
      const opening = (await api.get<{ events: LedgerEntry[] }>(`/api/v1/ledger?deviceId=${OPENING_DEVICE}&limit=3`, sup)).body.events;
      expect(opening.map((r) => r.type)).toEqual(['stock.opening_balance', 'stock.opening_balance', 'stock.opening_balance']);
    });
  });

  describe('reads by role', () => {
    it('gives counters, pickers, receivers and returns clerks no stock figures, no other devices and no expected quantities; a supervisor everything', async () => {
      const counter = await fresh('picker');
      const other = await fresh('picker');
      const receiver = await fresh('receiver');
      const returns = await fresh('returns');
      await api.push(other.dev.id, other.token, [other.dev.next('pick.held', pickHeld('SKU-1006', 'B-01-02', 1, 'PL-X', '1'))]);
      // A count started and recorded far off: the task now holds a snapshot and held lines.
      await api.push(counter.dev.id, counter.token, [
        counter.dev.next('count.started', { countTaskId: `CT-ROLE-${n}`, location: 'B-01-02' }),
        counter.dev.next('count.recorded', { countTaskId: `CT-ROLE-${n}`, location: 'B-01-02', lines: [{ sku: 'SKU-1006', qty: 1 }] }),
      ]);
      await api.push(counter.dev.id, counter.token, [counter.dev.next('count.started', { countTaskId: `CT-OPEN-${n}`, location: 'A-01-01' })]);

      for (const who of [counter, receiver, returns]) {
        expect((await api.get('/api/v1/stock', who.token)).status).toBe(403);
        expect((await api.get('/api/v1/stock?sku=SKU-1006&location=B-01-02', who.token)).status).toBe(403);
        expect((await api.get(`/api/v1/ledger?deviceId=${other.dev.id}`, who.token)).status).toBe(403);
        const mine = (await api.get<{ events: LedgerEntry[] }>('/api/v1/ledger?limit=1000', who.token)).body.events;
        expect(mine.every((e) => e.deviceId === who.dev.id)).toBe(true);
        const tasks = (await api.get<{ countTasks: Record<string, unknown>[] }>('/api/v1/count-tasks', who.token)).body.countTasks;
        expect(tasks.length).toBeGreaterThan(0);
        for (const t of tasks) {
          expect(t).not.toHaveProperty('snapshot');
          expect(t).not.toHaveProperty('held');
        }
        expect((await api.get('/api/v1/devices', who.token)).status).toBe(403);
        expect((await api.get('/api/v1/discrepancies', who.token)).status).toBe(403);
        // Another device's work is not theirs to read.
        expect((await api.get(`/api/v1/devices/${other.dev.id}/work`, who.token)).status).toBe(403);
      }
      const counterLedger = (await api.get<{ events: LedgerEntry[] }>('/api/v1/ledger?limit=1000', counter.token)).body.events;
      expect(counterLedger.map((e) => e.type)).toEqual(['count.started', 'count.recorded', 'count.started']);

      // The work pull of a counter in the middle of a count: the task, never its figures.
      const work = (await api.get<PullResponse>(`/api/v1/devices/${counter.dev.id}/work`, counter.token)).body;
      const started = work.countTasks.find((t) => t.id === `CT-OPEN-${n}`);
      expect(started).toEqual({ id: `CT-OPEN-${n}`, location: 'A-01-01', reason: expect.any(String), status: 'started' });
      for (const t of work.countTasks) expect(Object.keys(t).sort()).toEqual(['id', 'location', 'reason', 'status']);
      expect(JSON.stringify(work)).not.toMatch(/snapshot|expected"|"held"/);

      // Returns: returns clerks and receivers yes, pickers no.
      expect((await api.get('/api/v1/returns', counter.token)).status).toBe(403);
      expect((await api.get('/api/v1/returns', receiver.token)).status).toBe(200);
      expect((await api.get('/api/v1/returns', returns.token)).status).toBe(200);

      // The supervisor reads everything.
      expect((await api.get('/api/v1/stock', sup)).status).toBe(200);
      expect((await api.get('/api/v1/returns', sup)).status).toBe(200);
      const all = (await api.get<{ events: LedgerEntry[] }>('/api/v1/ledger?limit=1000', sup)).body.events;
      expect(new Set(all.map((e) => e.deviceId))).toEqual(expect.objectContaining({ size: expect.any(Number) }));
      expect(all.some((e) => e.deviceId === other.dev.id) && all.some((e) => e.deviceId === counter.dev.id)).toBe(true);
      expect((await api.get(`/api/v1/ledger?deviceId=${other.dev.id}`, sup)).status).toBe(200);
      const supTasks = (await api.get<{ countTasks: { id: string; snapshot?: unknown; held?: unknown }[] }>('/api/v1/count-tasks', sup)).body.countTasks;
      expect(supTasks.find((t) => t.id === `CT-OPEN-${n}`)?.snapshot).toBeDefined();
    });
  });

  describe('headers and query shapes', () => {
    it('sends a strict CSP, nosniff and frame-ancestors none; no HSTS over plain HTTP', async () => {
      for (const url of ['/api/v1/count-tasks', '/', '/api/v1/nothing']) {
        const res = await api.request('GET', url, { token: sup });
        const csp = String(res.headers['content-security-policy']);
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("connect-src 'self'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['strict-transport-security']).toBeUndefined();
      }
    });

    it('answers a stream with ?token=a&token=b as 400, not 500', async () => {
      const res = await api.request('GET', '/api/v1/stream?token=a&token=b');
      expect(res.status).toBe(400);
    });

    it('answers repeated query fields on reads as 400, not 500', async () => {
      for (const url of ['/api/v1/ledger?deviceId=a&deviceId=b', '/api/v1/stock?sku=SKU-1001&sku=SKU-1002', '/api/v1/ledger?limit=1&limit=2']) {
        const res = await api.request('GET', url, { token: sup });
        expect(res.status, url).toBe(400);
      }
    });
  });
});
