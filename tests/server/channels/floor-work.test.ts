/**
 * A channel's order as the picker's work: confirming it (or cancelling it) changes what the
 * handhelds pull, so the pull cursor moves and every handheld's live feed is woken, although
 * no floor event was recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, Client, DeviceEvents, T0, openBackend, type Backend } from '../../fixtures/server-app.ts';
import { channelApp, Clock, idem, injectCaller, registerChannels, supervisorToken, type Call } from '../../fixtures/channels.ts';
import type { App } from '../../../src/server/app.ts';
import type { PullResponse } from '../../../src/domain/protocol.ts';

describe.each(BACKEND_NAMES)('orders as floor work on %s', (name) => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let api: Client;
  let key: string;
  const clock = new Clock(T0.getTime());

  beforeAll(async () => {
    backend = await openBackend(name);
    app = await channelApp(backend, clock);
    call = injectCaller(app);
    api = new Client(app);
    key = (await registerChannels(call, await supervisorToken(call), [{ id: 'shop' }])).shop as string;
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it("a confirmed order reaches the handheld's next pull at once, and its cancel takes the list away", async () => {
    const dev = new DeviceEvents(0x7a01, 'picker');
    const token = await api.signIn('picker', dev.id);
    const pull = async (cursor?: string) =>
      (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, token)).body;
    const first = await pull();
    expect((await pull(first.cursor)).unchanged).toBe(true);

    const placed = await call<{ order: { id: string } }>('POST', '/api/v1/channels/shop/orders', {
      token: key,
      headers: { 'idempotency-key': idem() },
      body: { lines: [{ lineId: '1', sku: 'SKU-1006', qty: 2 }] },
    });
    expect(placed.status).toBe(201);
    const orderId = placed.body.order.id;
    const heard: string[] = [];
    const off = app.feed.subscribe((c) => heard.push(c.kind));
    expect((await call('POST', `/api/v1/channels/shop/orders/${orderId}/confirm`, { token: key })).status).toBe(200);
    await expect.poll(() => heard.filter((k) => k === 'work').length).toBe(1);
    const second = await pull(first.cursor);
    expect(second.unchanged).toBeUndefined();
    expect(second.cursor).not.toBe(first.cursor);
    expect(second.pickLists.find((p) => p.id === `PL-${orderId}`)?.lines.map((l) => [l.sku, l.location, l.qty])).toEqual([['SKU-1006', 'B-01-02', 2]]);

    expect((await call('POST', `/api/v1/channels/shop/orders/${orderId}/cancel`, { token: key })).status).toBe(200);
    await expect.poll(() => heard.filter((k) => k === 'work').length).toBe(2);
    off();
    const third = await pull(second.cursor);
    expect(third.unchanged).toBeUndefined();
    expect(third.pickLists.find((p) => p.id === `PL-${orderId}`)).toBeUndefined();
    // Nothing changed since: the same cursor is unchanged again.
    expect((await pull(third.cursor)).unchanged).toBe(true);
  });
});
