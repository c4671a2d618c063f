/**
 * Webhooks against a receiver that fails, times out, answers 500 and 410 and is restarted:
 * the channel ends holding the final ATP of every SKU, no delivery is unsigned, coalescing
 * holds; on PostgreSQL two API instances deliver without doubles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, T0, openBackend, type Backend } from '../../fixtures/server-app.ts';
import { channelApp, Clock, idem, injectCaller, LOOPBACK_TARGETS, registerChannels, supervisorToken, type Call } from '../../fixtures/channels.ts';
import { Receiver } from '../../fixtures/webhook-receiver.ts';
import { createApp, type App } from '../../../src/server/app.ts';
import { deviceId } from '../../fixtures/server-app.ts';
import { makeEvent, type EventType, type PayloadOf } from '../../../src/domain/events.ts';

const WORKER = { pollMs: 100, baseBackoffMs: 50, maxBackoffMs: 400, timeoutMs: 300 };
type AtpBody = { items: { sku: string; atp: number; version: number }[] };

describe('webhooks on pglite', () => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let sup: string;
  let key: string;
  let receiver: Receiver;
  let endpointId: string;
  const clock = new Clock(T0.getTime());

  const truth = async () =>
    new Map((await call<AtpBody>('GET', '/api/v1/channels/shop/atp', { token: key })).body.items.map((i) => [i.sku, { atp: i.atp, version: i.version }]));
  /** Nothing waits in the outbox and the receiver holds exactly the API's figures and versions for every SKU. */
  const inSync = async () => {
    const [waiting] = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_outbox');
    if (Number(waiting?.n) > 0) return false;
    const t = await truth();
    return [...t].every(([sku, v]) => receiver.atp.get(sku)?.atp === v.atp && receiver.atp.get(sku)?.version === v.version);
  };
  const order = (sku: string, qty: number) =>
    call('POST', '/api/v1/channels/shop/orders', { token: key, headers: { 'idempotency-key': idem() }, body: { lines: [{ lineId: '1', sku, qty }] } });

  beforeAll(async () => {
    backend = await openBackend('pglite');
    app = await channelApp(backend, clock, WORKER);
    call = injectCaller(app);
    sup = await supervisorToken(call);
    key = (await registerChannels(call, sup, [{ id: 'shop', rules: [{ sku: null, site: null, safetyBuffer: 1 }] }])).shop as string;
    receiver = new Receiver([]);
    await receiver.start();
    const ep = await call<{ endpoint: { id: string }; secret: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url: receiver.url } });
    expect(ep.status).toBe(201);
    receiver.secrets = [ep.body.secret];
    endpointId = ep.body.endpoint.id;
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.stop();
    await backend?.dispose();
  });

  it('publishes every SKU to a new endpoint, signed', async () => {
    await expect.poll(inSync).toBe(true);
    expect((await truth()).size).toBe(8);
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
  });

  it('retries through 500s and timeouts with backoff, logging each attempt, and ends in sync', async () => {
    receiver.mode = 'error500';
    await order('SKU-1001', 2);
    await expect.poll(() => receiver.deliveries.filter((d) => d.status === 500).length).toBeGreaterThanOrEqual(2);
    receiver.mode = 'hang';
    await order('SKU-1002', 3);
    await expect.poll(() => receiver.deliveries.filter((d) => d.status === 0).length).toBeGreaterThanOrEqual(2);
    receiver.mode = 'ok';
    await expect.poll(inSync).toBe(true);
    const log = await call<{ deliveries: { statusCode: number | null; error: string | null; attempt: number }[] }>(
      'GET',
      `/api/v1/channels/shop/webhooks/${endpointId}/deliveries`,
      { token: key },
    );
    expect(log.body.deliveries.some((d) => d.statusCode === 500)).toBe(true);
    expect(log.body.deliveries.some((d) => d.error?.includes('timed out'))).toBe(true);
    expect(log.body.deliveries.some((d) => d.attempt >= 2 && d.statusCode === 204)).toBe(true);
  });

  it('coalesces: a burst of changes of one SKU while the receiver is down is a handful of calls, and the newest value wins', async () => {
    await expect.poll(inSync).toBe(true);
    await receiver.stop();
    for (let i = 0; i < 100; i++) await order('SKU-1006', 1);
    // Pending: one row per endpoint and subject, whatever happened.
    const pending = await app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_outbox WHERE kind = 'atp' AND subject = 'SKU-1006'`);
    expect(Number(pending[0]?.n)).toBe(1);
    const before = receiver.deliveries.filter((d) => d.subject === 'SKU-1006').length;
    await receiver.start();
    await expect.poll(inSync).toBe(true);
    const calls = receiver.deliveries.filter((d) => d.subject === 'SKU-1006').length - before;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(3);
    // 50 on the shelf and a buffer of 1: 49 were sold, the rest refused.
    expect(receiver.atp.get('SKU-1006')?.atp).toBe(0);
  });

  it('rotates the secret without a gap: deliveries carry both signatures until the old one expires', async () => {
    const rotated = await call<{ secret: string }>('POST', `/api/v1/channels/shop/webhooks/${endpointId}/secrets`, {
      token: key,
      body: { graceSeconds: 3600 },
    });
    expect(rotated.status).toBe(201);
    const old = receiver.secrets;
    // The receiver switches to the new secret alone: deliveries verify at once.
    receiver.secrets = [rotated.body.secret];
    await order('SKU-1007', 1);
    await expect.poll(inSync).toBe(true);
    const last = receiver.deliveries.at(-1);
    expect(last?.verified).toBe(true);
    // A receiver still on the old secret verifies too (both signatures ride along during the grace).
    receiver.secrets = old;
    await order('SKU-1007', 1);
    await expect.poll(inSync).toBe(true);
    expect(receiver.deliveries.at(-1)?.verified).toBe(true);
    receiver.secrets = [rotated.body.secret];
  });

  it('never accepts an unsigned or forged delivery (the receiver refuses what it cannot verify)', async () => {
    const forged = await fetch(receiver.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'x',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,Zm9yZ2Vk',
      },
      body: JSON.stringify({ type: 'atp.updated', data: { sku: 'SKU-1001', atp: 9999, version: 1e9 } }),
    });
    expect(forged.status).toBe(401);
    expect(receiver.atp.get('SKU-1001')?.atp).not.toBe(9999);
    expect(receiver.deliveries.filter((d) => d.id !== 'x').every((d) => d.verified)).toBe(true);
  });

  it('a 410 disables the endpoint and nothing more is queued for it; enabling it republishes', async () => {
    receiver.mode = 'gone410';
    await order('SKU-1004', 1);
    await expect
      .poll(async () => (await call<{ endpoints: { status: string }[] }>('GET', '/api/v1/channels/shop/webhooks', { token: key })).body.endpoints[0]?.status)
      .toBe('disabled');
    await order('SKU-1004', 1);
    const queued = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_outbox WHERE endpoint_id = $1', [endpointId]);
    expect(Number(queued[0]?.n)).toBe(0);
    receiver.mode = 'ok';
    expect((await call('POST', `/api/v1/channels/shop/webhooks/${endpointId}/enable`, { token: key })).status).toBe(200);
    await expect.poll(inSync).toBe(true);
  });

  it('floor events reach the channel: a pick on a confirmed order, then a short', async () => {
    const placed = await call<{ order: { id: string } }>('POST', '/api/v1/channels/shop/orders', {
      token: key,
      headers: { 'idempotency-key': idem() },
      body: { lines: [{ lineId: 'a', sku: 'SKU-1003', qty: 4 }] },
    });
    const id = placed.body.order.id;
    await call('POST', `/api/v1/channels/shop/orders/${id}/confirm`, { token: key });
    await expect.poll(inSync).toBe(true);
    const atpBefore = receiver.atp.get('SKU-1003')?.atp as number;
    const dev = deviceId(0xe001);
    const signed = await call<{ token: string; session: string }>('POST', '/api/v1/sessions', { body: { user: 'picker', pin: '1111', deviceId: dev } });
    const ev = <T extends EventType>(seq: number, type: T, payload: PayloadOf<T>) =>
      makeEvent(type, payload, {
        id: `0190a0b1-e001-7000-8000-${seq.toString(16).padStart(12, '0')}`,
        deviceId: dev,
        seq,
        occurredAt: T0.toISOString(),
        actor: 'picker',
        session: signed.body.session,
      });
    const push = (events: unknown[]) =>
      call<{ ackedSeq: number; rejected: unknown[] }>('POST', `/api/v1/devices/${dev}/events`, { token: signed.body.token, body: { events } });
    const held = await push([
      ev(1, 'pick.held', { pickListId: `PL-${id}`, lineId: 'a@A-02-01', sku: 'SKU-1003', location: 'A-02-01', tote: 'T-9', qty: 2 } as PayloadOf<'pick.held'>),
    ]);
    expect(held.body).toMatchObject({ ackedSeq: 1, rejected: [] });
    await expect.poll(() => receiver.orders.get(id)?.status).toBe('confirmed');
    // Picking moves reserved units to committed: ATP does not move.
    expect(receiver.atp.get('SKU-1003')?.atp).toBe(atpBefore);
    const short = await push([
      ev(2, 'pick.short', {
        pickListId: `PL-${id}`,
        lineId: 'a@A-02-01',
        sku: 'SKU-1003',
        location: 'A-02-01',
        missingQty: 2,
        countTaskId: 'CT-E001-1',
      } as PayloadOf<'pick.short'>),
    ]);
    expect(short.body).toMatchObject({ ackedSeq: 2, rejected: [] });
    // The missing units stay reserved for the order and leave the shelf: every channel's ATP drops at once.
    await expect.poll(() => receiver.atp.get('SKU-1003')?.atp).toBe(atpBefore - 2);
    await expect.poll(() => receiver.orders.get(id)?.status).toBe('short');
    await call('POST', `/api/v1/channels/shop/orders/${id}/cancel`, { token: key });
    await expect.poll(() => receiver.orders.get(id)?.status).toBe('cancelled');
    await expect.poll(() => receiver.atp.get('SKU-1003')?.atp).toBe(atpBefore);
    expect(receiver.deliveries.every((d) => d.verified || d.id === 'x')).toBe(true);
  });
});

describe.runIf(BACKEND_NAMES.includes('postgres'))('webhooks on postgresql with two API instances', () => {
  let backend: Backend;
  let apps: App[] = [];
  let receiver: Receiver;

  beforeAll(async () => {
    backend = await openBackend('postgres');
    for (let i = 0; i < 2; i++)
      apps.push(
        await createApp({
          ...backend.options(),
          seed: true,
          logLevel: 'silent',
          now: () => T0,
          rateLimit: false,
          channels: { worker: { ...WORKER, timeoutMs: 2000 }, sweepMs: false, webhookTargets: LOOPBACK_TARGETS },
        }),
      );
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    apps = [];
    await receiver?.stop();
    await backend?.dispose();
  });

  it('delivers each message once although both instances run a worker', async () => {
    const calls = apps.map(injectCaller);
    const a = calls[0] as Call;
    const key = (await registerChannels(a, await supervisorToken(a), [{ id: 'shop' }])).shop as string;
    receiver = new Receiver([]);
    await receiver.start();
    const ep = await a<{ secret: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url: receiver.url } });
    receiver.secrets = [ep.body.secret];
    const skus = ['SKU-1001', 'SKU-1002', 'SKU-1004', 'SKU-1006', 'SKU-1007'];
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (calls[i % 2] as Call)('POST', '/api/v1/channels/shop/orders', {
          token: key,
          headers: { 'idempotency-key': idem() },
          body: { lines: [{ lineId: '1', sku: skus[i % skus.length], qty: 1 }] },
        }),
      ),
    );
    await expect.poll(async () => Number((await apps[0]?.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_outbox'))?.[0]?.n)).toBe(0);
    // At least once: an attempt that timed out may have arrived and is sent again. Never twice at
    // once from two processes: each message has exactly one successful attempt in the shared log.
    const log = await (apps[0] as App).db.query<{ msg_id: string; ok: number; failed: number }>(
      `SELECT msg_id, count(*) FILTER (WHERE status_code BETWEEN 200 AND 299)::int AS ok, count(*) FILTER (WHERE status_code IS NULL OR status_code >= 300)::int AS failed
       FROM webhook_deliveries GROUP BY msg_id`,
    );
    expect(log.length).toBeGreaterThan(0);
    for (const m of log) expect({ id: m.msg_id, ok: Number(m.ok) }).toEqual({ id: m.msg_id, ok: 1 });
    const received = new Map<string, number>();
    for (const d of receiver.deliveries) received.set(d.id, (received.get(d.id) ?? 0) + 1);
    for (const m of log) expect(received.get(m.msg_id) ?? 0).toBeLessThanOrEqual(1 + Number(m.failed));
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    const truth = (await a<AtpBody>('GET', '/api/v1/channels/shop/atp', { token: key })).body.items;
    for (const t of truth) expect(receiver.atp.get(t.sku)).toEqual({ atp: t.atp, version: t.version });
  });
});
