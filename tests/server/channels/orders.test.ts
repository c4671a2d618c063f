import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, T0, openBackend, type Backend } from '../../fixtures/server-app.ts';
import { channelApp, Clock, idem, injectCaller, registerChannels, supervisorToken, type Call } from '../../fixtures/channels.ts';
import type { App } from '../../../src/server/app.ts';
import { deviceId } from '../../fixtures/server-app.ts';

type OrderBody = {
  order: {
    id: string;
    status: string;
    version: number;
    lines: { lineId: string; reserved: number; picked: number; short: number }[];
    pickListId: string | null;
    expiresAt: string | null;
  };
  error?: string;
};
type AtpBody = { items: { sku: string; atp: number; version: number; zeroedBy: string[] | null }[] };

describe.each(BACKEND_NAMES)('channel orders on %s', (name) => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let sup: string;
  let keys: Record<string, string>;
  const clock = new Clock(T0.getTime());

  const atp = async (channel: string, sku: string) => {
    const r = await call<AtpBody>('GET', `/api/v1/channels/${channel}/atp?sku=${sku}`, { token: keys[channel] });
    expect(r.status).toBe(200);
    return r.body.items[0]?.atp ?? -1;
  };
  const order = (channel: string, lines: { lineId: string; sku: string; qty: number }[], extra: Record<string, unknown> = {}, key = idem()) =>
    call<OrderBody>('POST', `/api/v1/channels/${channel}/orders`, { token: keys[channel], headers: { 'idempotency-key': key }, body: { lines, ...extra } });

  beforeAll(async () => {
    backend = await openBackend(name);
    // No sweeper and no worker: expiry must hold by itself.
    app = await channelApp(backend, clock);
    call = injectCaller(app);
    sup = await supervisorToken(call);
    keys = await registerChannels(call, sup, [
      { id: 'web', ttl: 600, rules: [{ sku: null, site: null, safetyBuffer: 2 }] },
      { id: 'market', rules: [{ sku: null, site: null, sharePct: 50 }] },
      { id: 'whole', rules: [{ sku: 'SKU-1003', site: null, ringFence: 10, sharePct: 0 }] },
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it("computes each channel's ATP from its policy (SKU-1003: 25 available, 10 fenced for wholesale)", async () => {
    expect(await atp('web', 'SKU-1003')).toBe(13); // 15 shared less a buffer of 2
    expect(await atp('market', 'SKU-1003')).toBe(7); // floor(50% of 15)
    expect(await atp('whole', 'SKU-1003')).toBe(10); // its fence only
    expect(await atp('web', 'SKU-1001')).toBe(48); // 50 in two bins, less 2
  });

  it('reserves at once and a retry returns the first answer without reserving twice', async () => {
    const key = idem();
    const lines = [{ lineId: 'a', sku: 'SKU-1006', qty: 5 }];
    const first = await order('web', lines, {}, key);
    expect(first.status).toBe(201);
    expect(first.body.order).toMatchObject({ status: 'reserved', lines: [{ lineId: 'a', reserved: 5 }] });
    const again = await order('web', lines, {}, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await atp('web', 'SKU-1006')).toBe(50 - 5 - 2);
    const rows = await app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM channel_orders WHERE idempotency_key = $1`, [key]);
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('refuses the same key with another body, and an order without a key', async () => {
    const key = idem();
    expect((await order('web', [{ lineId: 'a', sku: 'SKU-1006', qty: 1 }], {}, key)).status).toBe(201);
    const other = await order('web', [{ lineId: 'a', sku: 'SKU-1006', qty: 2 }], {}, key);
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('idempotency_key_reused');
    const none = await call('POST', '/api/v1/channels/web/orders', { token: keys.web, body: { lines: [{ lineId: 'a', sku: 'SKU-1006', qty: 1 }] } });
    expect(none.status).toBe(400);
    expect(none.body.field).toBe('Idempotency-Key');
  });

  it('refuses an order naming the short line and reserves nothing; partial reserves what exists', async () => {
    const before = await atp('market', 'SKU-1005');
    const refused = await order('market', [
      { lineId: 'ok', sku: 'SKU-1007', qty: 1 },
      { lineId: 'big', sku: 'SKU-1005', qty: before + 1 },
    ]);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'insufficient_stock', line: { lineId: 'big', sku: 'SKU-1005', requested: before + 1, available: before } });
    expect(await atp('market', 'SKU-1005')).toBe(before);
    const partial = await order('market', [{ lineId: 'big', sku: 'SKU-1005', qty: before + 1 }], { partial: true });
    expect(partial.status).toBe(201);
    expect(partial.body.order.lines[0]?.reserved).toBe(before);
    expect(await atp('market', 'SKU-1005')).toBe(0);
  });

  it('a ring-fence holds against every other channel', async () => {
    // SKU-1003: web and market share 15; wholesale's 10 are walled off.
    const webAll = await atp('web', 'SKU-1003');
    expect((await order('web', [{ lineId: '1', sku: 'SKU-1003', qty: webAll }])).status).toBe(201);
    expect(await atp('market', 'SKU-1003')).toBe(2); // 2 shared left (web's buffer), market may take floor(50% of 15) = 7 of the pool
    expect((await order('market', [{ lineId: '1', sku: 'SKU-1003', qty: 3 }])).status).toBe(409);
    expect(await atp('whole', 'SKU-1003')).toBe(10);
    expect((await order('whole', [{ lineId: '1', sku: 'SKU-1003', qty: 10 }])).status).toBe(201);
    expect((await order('whole', [{ lineId: '1', sku: 'SKU-1003', qty: 1 }])).status).toBe(409);
  });

  it('an unconfirmed reservation expires by itself with no sweeper; confirming it then is refused', async () => {
    const before = await atp('web', 'SKU-1004');
    const placed = await order('web', [{ lineId: '1', sku: 'SKU-1004', qty: 4 }], { ttlSeconds: 60 });
    expect(await atp('web', 'SKU-1004')).toBe(before - 4);
    clock.advance(61_000);
    expect(await atp('web', 'SKU-1004')).toBe(before);
    const late = await call('POST', `/api/v1/channels/web/orders/${placed.body.order.id}/confirm`, { token: keys.web });
    expect(late.status).toBe(409);
    expect(late.body.error).toBe('order_expired');
    const seen = await call<OrderBody>('GET', `/api/v1/channels/web/orders/${placed.body.order.id}`, { token: keys.web });
    expect(seen.body.order.status).toBe('expired');
  });

  it('a confirmed order never expires, becomes a pick list the picker pulls, and a cancel releases it', async () => {
    const before = await atp('web', 'SKU-1002');
    const placed = await order('web', [{ lineId: 'x', sku: 'SKU-1002', qty: 3 }], { ttlSeconds: 30 });
    const id = placed.body.order.id;
    const confirmed = await call<OrderBody>('POST', `/api/v1/channels/web/orders/${id}/confirm`, { token: keys.web });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.order).toMatchObject({ status: 'confirmed', pickListId: `PL-${id}`, expiresAt: null });
    clock.advance(3600_000);
    expect(await atp('web', 'SKU-1002')).toBe(before - 3);
    const picker = await call<{ token: string }>('POST', '/api/v1/sessions', { body: { user: 'picker', pin: '1111', deviceId: deviceId(0xd001) } });
    const work = await call<{ pickLists: { id: string; lines: { lineId: string; sku: string; location: string; qty: number }[] }[] }>(
      'GET',
      `/api/v1/devices/${deviceId(0xd001)}/work`,
      { token: picker.body.token },
    );
    expect(work.body.pickLists.find((l) => l.id === `PL-${id}`)?.lines).toEqual([
      { lineId: 'x@A-01-02', sku: 'SKU-1002', location: 'A-01-02', qty: 3, picked: 0, short: 0 },
    ]);
    const cancelled = await call<OrderBody>('POST', `/api/v1/channels/web/orders/${id}/cancel`, { token: keys.web });
    expect(cancelled.body.order.status).toBe('cancelled');
    expect(await atp('web', 'SKU-1002')).toBe(before);
    const after = await call<{ pickLists: { id: string }[] }>('GET', `/api/v1/devices/${deviceId(0xd001)}/work`, { token: picker.body.token });
    expect(after.body.pickLists.map((l) => l.id)).not.toContain(`PL-${id}`);
  });

  it('changes lines: less releases at once, more must fit', async () => {
    const before = await atp('web', 'SKU-1007');
    const placed = await order('web', [{ lineId: 'l', sku: 'SKU-1007', qty: 10 }]);
    const id = placed.body.order.id;
    const less = await call<OrderBody>('PUT', `/api/v1/channels/web/orders/${id}/lines`, { token: keys.web, body: { lines: [{ lineId: 'l', qty: 4 }] } });
    expect(less.body.order.lines[0]?.reserved).toBe(4);
    expect(await atp('web', 'SKU-1007')).toBe(before - 4);
    const tooMuch = await call('PUT', `/api/v1/channels/web/orders/${id}/lines`, { token: keys.web, body: { lines: [{ lineId: 'l', qty: before + 100 }] } });
    expect(tooMuch.status).toBe(409);
    expect(await atp('web', 'SKU-1007')).toBe(before - 4);
    const unknown = await call('PUT', `/api/v1/channels/web/orders/${id}/lines`, { token: keys.web, body: { lines: [{ lineId: 'nope', qty: 1 }] } });
    expect(unknown.status).toBe(422);
  });

  it('writes every order fact to the order ledger', async () => {
    const placed = await order('web', [{ lineId: '1', sku: 'SKU-1001', qty: 1 }]);
    const id = placed.body.order.id;
    await call('POST', `/api/v1/channels/web/orders/${id}/confirm`, { token: keys.web });
    await call('POST', `/api/v1/channels/web/orders/${id}/cancel`, { token: keys.web });
    const rows = await app.db.query<{ type: string; actor: string }>('SELECT type, actor FROM order_events WHERE order_id = $1 ORDER BY position', [id]);
    expect(rows).toEqual([
      { type: 'order.reserved', actor: 'channel:web' },
      { type: 'order.confirmed', actor: 'channel:web' },
      { type: 'order.cancelled', actor: 'channel:web' },
    ]);
  });

  describe('hostile clients', () => {
    it('keys are stored hashed, scoped to their channel and no handheld session', async () => {
      const stored = await app.db.query<{ key_hash: string }>('SELECT key_hash FROM channel_keys');
      for (const k of Object.values(keys)) expect(stored.map((r) => r.key_hash)).not.toContain(k);
      expect((await call('GET', '/api/v1/channels/market/atp', { token: keys.web })).status).toBe(403);
      expect((await call('GET', '/api/v1/stock', { token: keys.web })).status).toBe(401);
      expect((await call('GET', `/api/v1/devices/${deviceId(0xd001)}/work`, { token: keys.web })).status).toBe(401);
      expect((await call('GET', '/api/v1/channels/web/atp', { token: `ck_${'x'.repeat(43)}` })).status).toBe(401);
      expect((await call('GET', '/api/v1/channels/web/atp')).status).toBe(401);
    });

    it("another channel's order is not found, whatever is asked of it", async () => {
      const placed = await order('web', [{ lineId: '1', sku: 'SKU-1001', qty: 1 }]);
      const id = placed.body.order.id;
      for (const [method, path] of [
        ['GET', ''],
        ['POST', '/confirm'],
        ['POST', '/cancel'],
      ] as const) {
        const r = await call(method, `/api/v1/channels/market/orders/${id}${path}`, { token: keys.market });
        expect(r.status).toBe(404);
      }
      const still = await call<OrderBody>('GET', `/api/v1/channels/web/orders/${id}`, { token: keys.web });
      expect(still.body.order.status).toBe('reserved');
    });

    it('only a supervisor registers channels or sets policies; a picker and a channel cannot', async () => {
      const picker = await call<{ token: string }>('POST', '/api/v1/sessions', { body: { user: 'picker', pin: '1111', deviceId: deviceId(0xd002) } });
      expect((await call('POST', '/api/v1/channels', { token: picker.body.token, body: { id: 'evil', name: 'x', sites: ['main'] } })).status).toBe(403);
      expect((await call('POST', '/api/v1/channels', { token: keys.web, body: { id: 'evil', name: 'x', sites: ['main'] } })).status).toBe(401);
      expect((await call('PUT', '/api/v1/channels/web/policies', { token: keys.web, body: { rules: [] } })).status).toBe(401);
      expect((await call('POST', '/api/v1/channels', { token: sup, body: { id: 'web', name: 'again', sites: ['main'] } })).status).toBe(409);
      expect((await call('POST', '/api/v1/channels', { token: sup, body: { id: 'nowhere', name: 'x', sites: ['mars'] } })).status).toBe(422);
      expect((await call('POST', '/api/v1/channels', { token: sup, body: { id: 'Bad Id', name: 'x', sites: ['main'] } })).status).toBe(400);
    });

    it.each([
      ['qty 0', [{ lineId: '1', sku: 'SKU-1001', qty: 0 }]],
      ['negative qty', [{ lineId: '1', sku: 'SKU-1001', qty: -5 }]],
      ['fractional qty', [{ lineId: '1', sku: 'SKU-1001', qty: 1.5 }]],
      ['qty as text', [{ lineId: '1', sku: 'SKU-1001', qty: '5' }]],
      ['a billion units', [{ lineId: '1', sku: 'SKU-1001', qty: 1e9 }]],
      ['no lines', []],
      [
        'a line id twice',
        [
          { lineId: '1', sku: 'SKU-1001', qty: 1 },
          { lineId: '1', sku: 'SKU-1002', qty: 1 },
        ],
      ],
      ['markup as a sku', [{ lineId: '1', sku: '<script>', qty: 1 }]],
      ['an extra field', [{ lineId: '1', sku: 'SKU-1001', qty: 1, price: 0 }]],
      ['101 lines', Array.from({ length: 101 }, (_, i) => ({ lineId: `l${i}`, sku: 'SKU-1001', qty: 1 }))],
    ])('refuses %s with a 400 and reserves nothing', async (_what, lines) => {
      const before = await atp('web', 'SKU-1001');
      const r = await call('POST', '/api/v1/channels/web/orders', { token: keys.web, headers: { 'idempotency-key': idem() }, body: { lines } });
      expect(r.status).toBe(400);
      expect(typeof r.body.message).toBe('string');
      expect(await atp('web', 'SKU-1001')).toBe(before);
    });

    it('refuses an unknown SKU naming the line, a huge body, bad JSON and bad keys', async () => {
      const unknown = await order('web', [{ lineId: 'z', sku: 'SKU-9999', qty: 1 }]);
      expect(unknown.status).toBe(422);
      expect(unknown.body).toMatchObject({ error: 'unknown_sku', line: { lineId: 'z' } });
      const huge = await call('POST', '/api/v1/channels/web/orders', {
        token: keys.web,
        headers: { 'idempotency-key': idem() },
        raw: JSON.stringify({ lines: [], pad: 'x'.repeat(70_000) }),
      });
      expect(huge.status).toBe(413);
      const bad = await call('POST', '/api/v1/channels/web/orders', { token: keys.web, headers: { 'idempotency-key': idem() }, raw: '{"lines": [' });
      expect(bad.status).toBe(400);
      for (const key of ['short', 'x'.repeat(129), 'spaces are bad']) {
        const r = await call('POST', '/api/v1/channels/web/orders', {
          token: keys.web,
          headers: { 'idempotency-key': key },
          body: { lines: [{ lineId: '1', sku: 'SKU-1001', qty: 1 }] },
        });
        expect(r.status).toBe(400);
      }
      expect((await call('GET', '/api/v1/channels/web/orders/SO-nothex', { token: keys.web })).status).toBe(400);
      expect((await call('GET', '/api/v1/channels/web/orders/SO-0000000000000000', { token: keys.web })).status).toBe(404);
    });

    it('a revoked key stops working at once', async () => {
      const fresh = await call<{ apiKey: string }>('POST', '/api/v1/channels/market/keys', { token: sup, body: { revokeOthers: true } });
      expect(fresh.status).toBe(201);
      expect((await call('GET', '/api/v1/channels/market/atp', { token: keys.market })).status).toBe(401);
      keys.market = fresh.body.apiKey;
      expect((await call('GET', '/api/v1/channels/market/atp', { token: keys.market })).status).toBe(200);
    });
  });
});
