/**
 * Where a webhook may go (the SSRF guard) and how long its delivery log is kept.
 *
 * A channel names a URL and the API posts to it: loopback, private, link-local, metadata and
 * other non-public addresses are refused in every spelling (decimal, octal, hex, short IPv4,
 * IPv6, IPv4 inside IPv6), at registration and again at delivery (a name that resolves
 * elsewhere later), and a redirect is never followed. Networks are allowed only by name
 * (`webhookTargets.allow`). Delivered attempts leave the log after the retention; failed
 * attempts and waiting deliveries stay.
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, T0, openBackend, type Backend } from '../../fixtures/server-app.ts';
import { channelApp, Clock, idem, injectCaller, registerChannels, supervisorToken, type Call } from '../../fixtures/channels.ts';
import { Receiver } from '../../fixtures/webhook-receiver.ts';
import type { App } from '../../../src/server/app.ts';
import { TargetGuard, embeddedIpv4 } from '../../../src/server/channels/url-guard.ts';
import { pruneDeliveries } from '../../../src/server/channels/outbox.ts';

const WORKER = { pollMs: 50, baseBackoffMs: 60_000, maxBackoffMs: 60_000, timeoutMs: 1000, pruneEveryMs: 3_600_000 };
const PUBLIC_V4 = '93.184.216.34';

/** A resolver the test steers: each name answers what `once` holds for it the first time, then what `dns` holds. */
const fakeDns = () => {
  const dns = new Map<string, string[]>();
  const once = new Map<string, string[]>();
  const resolve = async (host: string): Promise<LookupAddress[]> => {
    const first = once.get(host);
    once.delete(host);
    const found = first ?? dns.get(host);
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { dns, once, resolve };
};

describe('the webhook target guard', () => {
  const guard = new TargetGuard();
  const refused = [
    ['loopback', 'http://127.0.0.1/hooks'],
    ['loopback, another address of 127/8', 'http://127.8.9.10:9000/'],
    ['loopback in decimal', 'http://2130706433/'],
    ['loopback in octal', 'http://0177.0.0.1/'],
    ['loopback in hex, short form', 'http://0x7f.1/'],
    ['loopback, short form', 'http://127.1/'],
    ['the unspecified address', 'http://0/'],
    ['IPv6 loopback', 'http://[::1]:8080/'],
    ['IPv6 unspecified', 'http://[::]/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped loopback, hex', 'http://[0:0:0:0:0:ffff:7f00:1]/'],
    ['IPv4-compatible loopback', 'http://[::127.0.0.1]/'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/'],
    ['cloud metadata in decimal', 'http://2852039166/'],
    ['cloud metadata through NAT64', 'http://[64:ff9b::a9fe:a9fe]/'],
    ['cloud metadata through 6to4', 'http://[2002:a9fe:a9fe::1]/'],
    ['AWS IPv6 metadata (unique-local)', 'http://[fd00:ec2::254]/'],
    ['Alibaba metadata (carrier-grade NAT)', 'http://100.100.100.200/'],
    ['a private network 10/8', 'http://10.0.0.5/'],
    ['a private network 172.16/12', 'http://172.31.255.1/'],
    ['a private network 192.168/16', 'https://192.168.1.1/'],
    ['IPv6 link-local', 'http://[fe80::1]/'],
    ['multicast', 'http://224.0.0.1/'],
    ['broadcast', 'http://255.255.255.255/'],
  ] as const;

  it.each(refused)('refuses %s (%s)', async (_what, url) => {
    await expect(guard.checkUrl(url)).rejects.toMatchObject({ name: 'TargetRefused' });
  });

  it('takes public addresses, IPv4 and IPv6', async () => {
    await expect(guard.checkUrl(`https://${PUBLIC_V4}/hooks`)).resolves.toBeUndefined();
    await expect(guard.checkUrl('https://[2606:4700:4700::1111]/hooks')).resolves.toBeUndefined();
    expect(guard.refusal('8.8.8.8')).toBeUndefined();
  });

  it('finds the IPv4 address inside IPv6 forms and nothing in plain IPv6', () => {
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('2002:a00:1::')).toBe('10.0.0.1');
    expect(embeddedIpv4('2606:4700:4700::1111')).toBeUndefined();
  });

  it('refuses a name when any of its addresses is not public, and a name that does not resolve', async () => {
    const { dns, resolve } = fakeDns();
    dns.set('mixed.example', [PUBLIC_V4, '10.1.2.3']);
    dns.set('metadata.google.internal', ['169.254.169.254']);
    const g = new TargetGuard({ resolve });
    await expect(g.checkUrl('http://mixed.example/')).rejects.toThrow(/mixed\.example resolves to 10\.1\.2\.3: .*private/);
    await expect(g.checkUrl('http://metadata.google.internal/')).rejects.toThrow(/link-local/);
    await expect(g.checkUrl('http://nowhere.example/')).rejects.toThrow(/does not resolve \(ENOTFOUND\)/);
  });

  it('allows only the networks named, and refuses a malformed allow-list at start', () => {
    const g = new TargetGuard({ allow: ['127.0.0.0/8', '::1/128'] });
    expect(g.refusal('127.0.0.1')).toBeUndefined();
    expect(g.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(g.refusal('::1')).toBeUndefined();
    expect(g.refusal('169.254.169.254')).toMatch(/link-local/);
    expect(g.refusal('10.0.0.1')).toMatch(/private/);
    expect(() => new TargetGuard({ allow: ['localhost'] })).toThrow(/not an IP network/);
    expect(() => new TargetGuard({ allow: ['10.0.0.0/33'] })).toThrow(/not an IP network/);
  });
});

describe('webhook endpoints through the API', () => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let key: string;
  const clock = new Clock(T0.getTime());
  const { dns, once, resolve } = fakeDns();

  beforeAll(async () => {
    backend = await openBackend('pglite');
    // No network allowed: what the API runs with unless an operator names one.
    app = await channelApp(backend, clock, WORKER, { resolve });
    call = injectCaller(app);
    const sup = await supervisorToken(call);
    key = (await registerChannels(call, sup, [{ id: 'shop' }])).shop as string;
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it.each([
    'http://127.0.0.1:8080/hooks',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://192.168.0.10/',
  ])('refuses %s with a 422 naming why, and registers nothing', async (url) => {
    const res = await call<{ error: string; message: string; field: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'webhook_target_refused', field: 'url' });
    expect(res.body.message).toMatch(/public addresses only/);
    const list = await call<{ endpoints: unknown[] }>('GET', '/api/v1/channels/shop/webhooks', { token: key });
    expect(list.body.endpoints).toEqual([]);
  });

  it('refuses a name that resolves to a private address, and one that does not resolve', async () => {
    dns.set('internal.shop.example', ['10.20.30.40']);
    const a = await call<{ message: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url: 'https://internal.shop.example/h' } });
    expect(a.status).toBe(422);
    expect(a.body.message).toMatch(/internal\.shop\.example resolves to 10\.20\.30\.40/);
    const b = await call<{ message: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url: 'https://gone.shop.example/h' } });
    expect(b.status).toBe(422);
    expect(b.body.message).toMatch(/does not resolve/);
  });

  it('checks again at delivery: a name that resolved to a public address and now resolves to loopback gets nothing', async () => {
    const receiver = new Receiver([]);
    await receiver.start();
    try {
      // Public when the API registers it, loopback from then on (DNS rebinding).
      once.set('rebind.shop.example', [PUBLIC_V4]);
      dns.set('rebind.shop.example', ['127.0.0.1']);
      const url = `http://rebind.shop.example:${receiver.port}/hooks`;
      const ep = await call<{ endpoint: { id: string }; secret: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url } });
      expect(ep.status).toBe(201);
      receiver.secrets = [ep.body.secret];
      const log = async () =>
        (await call<{ deliveries: { error: string | null }[] }>('GET', `/api/v1/channels/shop/webhooks/${ep.body.endpoint.id}/deliveries`, { token: key })).body
          .deliveries;
      await expect.poll(async () => (await log()).length).toBeGreaterThan(0);
      expect((await log()).every((d) => /^refused: rebind\.shop\.example resolves to 127\.0\.0\.1: .*loopback/.test(d.error ?? ''))).toBe(true);
      expect(receiver.deliveries).toEqual([]);
    } finally {
      await receiver.stop();
    }
  });
});

describe('webhook delivery with loopback allowed', () => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let key: string;
  const clock = new Clock(T0.getTime());
  const { dns, resolve } = fakeDns();
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = new Receiver([]);
    await r.start();
    receivers.push(r);
    return r;
  };
  const endpoint = async (url: string, r: Receiver) => {
    const ep = await call<{ endpoint: { id: string }; secret: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url } });
    expect(ep.status).toBe(201);
    r.secrets = [ep.body.secret];
    return ep.body.endpoint.id;
  };

  beforeAll(async () => {
    backend = await openBackend('pglite');
    app = await channelApp(backend, clock, WORKER, { allow: ['127.0.0.0/8'], resolve });
    call = injectCaller(app);
    const sup = await supervisorToken(call);
    key = (await registerChannels(call, sup, [{ id: 'shop' }])).shop as string;
  });
  afterEach(async () => {
    await app.db.query('DELETE FROM webhook_outbox');
    await app.db.query('DELETE FROM webhook_endpoints');
    for (const r of receivers.splice(0)) await r.stop();
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('connects to the address the guard checked (a name resolving to an allowed network)', async () => {
    const r = await receiver();
    dns.set('hooks.shop.test', ['127.0.0.1']);
    await endpoint(`http://hooks.shop.test:${r.port}/hooks`, r);
    await expect.poll(() => r.deliveries.filter((d) => d.status === 204).length).toBeGreaterThanOrEqual(8);
    expect(r.deliveries.every((d) => d.verified)).toBe(true);
  });

  it('does not follow a redirect, even to an allowed address, and logs why', async () => {
    const target = await receiver();
    const r = await receiver();
    r.mode = 'redirect';
    r.redirectTo = `http://127.0.0.1:${target.port}/hooks`;
    const id = await endpoint(r.url, r);
    const log = async () =>
      (
        await call<{ deliveries: { statusCode: number | null; error: string | null }[] }>('GET', `/api/v1/channels/shop/webhooks/${id}/deliveries`, {
          token: key,
        })
      ).body.deliveries;
    await expect.poll(async () => (await log()).length).toBeGreaterThan(0);
    expect((await log()).every((d) => d.statusCode === 307 && /redirect \(307\) not followed/.test(d.error ?? ''))).toBe(true);
    expect(target.deliveries).toEqual([]);
    // Not delivered: the items wait for their retry.
    const [waiting] = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_outbox');
    expect(Number(waiting?.n)).toBeGreaterThan(0);
  });
});

describe.each(BACKEND_NAMES)('delivery log retention on %s', (name) => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let key: string;
  const clock = new Clock(T0.getTime());
  const DAY = 86_400_000;
  const count = async (where: string) => Number((await app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE ${where}`))[0]?.n);

  beforeAll(async () => {
    backend = await openBackend(name);
    // The worker prunes by itself every 20 (fake) days; the first tests call the prune directly in between.
    app = await channelApp(backend, clock, { ...WORKER, retentionMs: 7 * DAY, pruneEveryMs: 20 * DAY });
    call = injectCaller(app);
    const sup = await supervisorToken(call);
    key = (await registerChannels(call, sup, [{ id: 'shop' }])).shop as string;
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it("prunes delivered attempts past the retention, keeps failed ones, recent ones, each endpoint's newest and waiting deliveries", async () => {
    const good = new Receiver([]);
    const bad = new Receiver([]);
    await good.start();
    await bad.start();
    bad.mode = 'error500';
    try {
      for (const r of [good, bad]) {
        const ep = await call<{ secret: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url: r.url } });
        expect(ep.status).toBe(201);
        r.secrets = [ep.body.secret];
      }
      // Day 0: every SKU goes to both (the good one gets them again when the second endpoint registers); the bad one fails and waits 60 s.
      const settled = async () => Number((await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_outbox WHERE attempts = 0'))[0]?.n) === 0;
      await expect.poll(settled).toBe(true);
      await expect.poll(() => count('status_code = 500')).toBe(8);
      // Day 6: one more change, delivered.
      clock.advance(6 * DAY);
      await call('POST', '/api/v1/channels/shop/orders', {
        token: key,
        headers: { 'idempotency-key': idem() },
        body: { lines: [{ lineId: '1', sku: 'SKU-1001', qty: 1 }] },
      });
      await expect.poll(() => count(`status_code = 204 AND at > '${T0.toISOString()}'`)).toBeGreaterThanOrEqual(1);
      await expect.poll(settled).toBe(true);
      const day0 = await count(`status_code = 204 AND at = '${T0.toISOString()}'`);
      const day6 = await count(`status_code = 204 AND at > '${T0.toISOString()}'`);
      const failed = await count('status_code = 500');
      expect(day0).toBeGreaterThanOrEqual(8);
      const [waiting] = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_outbox');
      expect(Number(waiting?.n)).toBeGreaterThan(0);
      // Day 8: the day-0 deliveries are past 7 days; the day-6 ones are not.
      clock.advance(2 * DAY);
      expect(await pruneDeliveries(app.db, clock.now(), 7 * DAY)).toBe(day0);
      expect(await count('status_code = 204')).toBe(day6);
      expect(await count('status_code = 500')).toBe(failed);
      expect(Number((await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_outbox'))[0]?.n)).toBe(Number(waiting?.n));
      // Again: nothing more to prune.
      expect(await pruneDeliveries(app.db, clock.now(), 7 * DAY)).toBe(0);
    } finally {
      await good.stop();
      await bad.stop();
    }
  });

  it('prunes in bounded batches until done', async () => {
    await app.db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, msg_id, kind, subject, attempt, status_code, error, duration_ms, at)
       SELECT 'we_0000000000000000', 'msg_' || g, 'atp', 'SKU-1001', 1, 200, NULL, 1, $1 FROM generate_series(1, 25) g`,
      [new Date(clock.now().getTime() - 30 * DAY)],
    );
    // The newest of an endpoint's deliveries stays, however old (the control room counts failures since it).
    expect(await pruneDeliveries(app.db, clock.now(), 7 * DAY, 10)).toBe(24);
    expect(await count(`endpoint_id = 'we_0000000000000000'`)).toBe(1);
  });

  it('is done by the worker on its own clock', async () => {
    expect(await count('status_code = 204')).toBeGreaterThan(0);
    clock.advance(30 * DAY);
    // All but the good endpoint's newest delivery.
    await expect.poll(() => count('status_code = 204')).toBe(1);
    expect(await count('status_code = 500')).toBeGreaterThanOrEqual(8);
  });
});
