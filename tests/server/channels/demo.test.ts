/**
 * The demo's channels (`npm start`): registered, with their policies and orders placed through
 * the channel code path, once; their reservations show in every channel's ATP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, T0, openBackend, type Backend } from '../../fixtures/server-app.ts';
import { Clock, injectCaller, supervisorToken, type Call } from '../../fixtures/channels.ts';
import { createApp, type App } from '../../../src/server/app.ts';
import { DEMO_CHANNELS, seedDemoChannels } from '../../../src/server/channels/demo.ts';
import { webhookChannel } from '../../../src/server/channels/storage.ts';

type AtpBody = { items: { sku: string; atp: number; zeroedBy: string[] | null }[] };

describe.each(BACKEND_NAMES)('demo channels on %s', (name) => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let sup: string;
  const clock = new Clock(T0.getTime());
  const atp = async (channel: string, sku: string) =>
    (await call<AtpBody>('GET', `/api/v1/channels/${channel}/atp?sku=${sku}`, { token: sup })).body.items[0]?.atp;

  beforeAll(async () => {
    backend = await openBackend(name);
    app = await createApp({
      ...backend.options(),
      seed: true,
      logLevel: 'silent',
      now: clock.now,
      rateLimit: false,
      channels: { worker: false, sweepMs: false, demo: true },
    });
    call = injectCaller(app);
    sup = await supervisorToken(call);
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('registers the demo channels with their policies', async () => {
    const res = await call<{ channels: { id: string }[] }>('GET', '/api/v1/channels', { token: sup });
    expect(res.body.channels.map((c) => c.id)).toEqual(['marketplace', 'webstore']);
  });

  it("places the demo orders as a channel does: each in the order ledger, reserving, one confirmed into the picker's work", async () => {
    const orders = await app.db.query<{ channel_id: string; status: string; idempotency_key: string }>(
      'SELECT channel_id, status, idempotency_key FROM channel_orders ORDER BY idempotency_key',
    );
    expect(orders).toEqual([
      { channel_id: 'marketplace', status: 'reserved', idempotency_key: 'demo-marketplace-0001' },
      { channel_id: 'webstore', status: 'reserved', idempotency_key: 'demo-webstore-0001' },
      { channel_id: 'webstore', status: 'confirmed', idempotency_key: 'demo-webstore-0002' },
    ]);
    const events = await app.db.query<{ type: string; actor: string }>('SELECT type, actor FROM order_events ORDER BY position');
    expect(events.map((e) => e.type)).toEqual(['order.reserved', 'order.reserved', 'order.confirmed', 'order.reserved']);
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set(['system:demo']));
    const lists = await app.db.query<{ id: string; sku: string; qty: number }>(
      `SELECT p.id, l.sku, l.qty FROM pick_lists p JOIN pick_lines l ON l.pick_list_id = p.id WHERE p.id LIKE 'PL-SO-%' ORDER BY l.sku`,
    );
    expect(lists.map((l) => [l.sku, Number(l.qty)])).toEqual([
      ['SKU-1004', 2],
      ['SKU-1006', 1],
    ]);
  });

  it("shows the reservations in ATP, after each channel's policy", async () => {
    // Webstore: a safety buffer of 2. Marketplace: half of the shared pool, rounded down.
    expect(await atp('webstore', 'SKU-1004')).toBe(30 - 6 - 2);
    expect(await atp('webstore', 'SKU-1006')).toBe(50 - 4 - 2);
    // Marketplace: its half of the shelf, less what it holds itself (4 mugs; no towels).
    expect(await atp('marketplace', 'SKU-1004')).toBe(Math.floor(30 / 2) - 4);
    expect(await atp('marketplace', 'SKU-1006')).toBe(Math.floor(50 / 2));
    // The stock buckets themselves do not move for a reservation.
    const [mugs] = await app.db.query<{ available: number }>(`SELECT sum(available)::int AS available FROM stock WHERE sku = 'SKU-1004'`);
    expect(Number(mugs?.available)).toBe(30);
  });

  it('does it once: a restart (or a second process) places nothing again', async () => {
    expect(await seedDemoChannels(app.db, clock.now(), await webhookChannel(app.db))).toBe(false);
    const [n] = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM channel_orders');
    expect(Number(n?.n)).toBe(DEMO_CHANNELS.reduce((s, d) => s + d.orders.length, 0));
  });
});
