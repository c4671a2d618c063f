/**
 * The flash sale: 2,000 concurrent orders from three channels for 100 units under buffers and
 * a ring-fence. Accepted equals what the policies allow, exactly; nothing is oversold; retries
 * are not reserved twice; expired reservations return. On PGlite in-process, and on PostgreSQL
 * with two API processes (child processes of their own) sharing one database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { T0, openBackend, postgresBackend, type Backend } from '../../fixtures/server-app.ts';
import { channelApp, Clock, httpCaller, injectCaller, registerChannels, supervisorToken, type Call, type ChannelSpec } from '../../fixtures/channels.ts';
import type { App } from '../../../src/server/app.ts';
import type { Sql } from '../../../src/server/db.ts';

const SKU = 'SKU-FLASH';
const UNITS = 100;
const ORDERS = 2000;
const RETRIES = 200;
/**
 * Reservations must outlive the sale for "accepted equals what the policies allow" to be exact
 * (an early one expiring mid-sale rightly frees its unit). The API processes run on the real
 * clock: on PostgreSQL expiry is shown with orders of a short TTL of their own after the sale.
 */
const TTL = 900;
const SHORT_TTL = 10;
/** Wholesale sells only its fence of 30; the webstore and the marketplace share 70, each keeping a buffer of 5; the marketplace holds at most half the pool. */
const SPECS: ChannelSpec[] = [
  { id: 'whole', ttl: TTL, rules: [{ sku: SKU, site: null, ringFence: 30, sharePct: 0 }] },
  { id: 'web', ttl: TTL, rules: [{ sku: null, site: null, safetyBuffer: 5 }] },
  { id: 'market', ttl: TTL, rules: [{ sku: null, site: null, safetyBuffer: 5, sharePct: 50 }] },
];
const ALLOWED = { whole: 30, sharedTotal: 65, marketMax: 35 };
/** 2,000 orders, each a transaction of its own under one SKU's lock, are minutes of work on a loaded 2-core runner; the default minute is for ordinary tests. */
const SALE_TIMEOUT_MS = 600_000;

async function addFlashStock(db: Sql): Promise<void> {
  await db.query(`INSERT INTO catalog (sku, gtin, name) VALUES ($1, '04006381339995', 'Flash sale lantern')`, [SKU]);
  await db.query(`INSERT INTO stock (sku, location, available) VALUES ($1, 'A-01-01', $2)`, [SKU, UNITS]);
}

type Sent = { channel: string; key: string; status: number; body: unknown };

/** Fires every order at once (retries reuse an earlier order's key and body), spread over `calls`. */
async function flashSale(calls: Call[], keys: Record<string, string>): Promise<Sent[]> {
  const channels = ['whole', 'web', 'market'];
  const plan: { channel: string; key: string }[] = [];
  for (let i = 0; i < ORDERS - RETRIES; i++) plan.push({ channel: channels[i % 3] as string, key: `flash-${i}-${channels[i % 3]}` });
  // Every 9th order is sent twice, concurrently: a client retrying a lost answer.
  for (let i = 0; i < RETRIES; i++) plan.push(plan[i * 9] as { channel: string; key: string });
  return Promise.all(
    plan.map(async ({ channel, key }, i) => {
      const call = calls[i % calls.length] as Call;
      const r = await call('POST', `/api/v1/channels/${channel}/orders`, {
        token: keys[channel],
        headers: { 'idempotency-key': key },
        body: { lines: [{ lineId: '1', sku: SKU, qty: 1 }] },
      });
      return { channel, key, status: r.status, body: r.body };
    }),
  );
}

async function checkOutcome(sent: Sent[], db: Sql, call: Call, keys: Record<string, string>) {
  expect(sent.every((s) => s.status === 201 || s.status === 409)).toBe(true);
  const byKey = new Map<string, Sent[]>();
  for (const s of sent) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
  // A retry got the first answer, word for word.
  for (const same of byKey.values()) for (const s of same) expect({ status: s.status, body: s.body }).toEqual({ status: same[0]?.status, body: same[0]?.body });
  const accepted = [...byKey.values()].map((s) => s[0] as Sent).filter((s) => s.status === 201);
  const per = (c: string) => accepted.filter((s) => s.channel === c).length;
  expect(per('whole')).toBe(ALLOWED.whole);
  expect(per('web') + per('market')).toBe(ALLOWED.sharedTotal);
  expect(per('market')).toBeLessThanOrEqual(ALLOWED.marketMax);
  expect(accepted.length).toBe(ALLOWED.whole + ALLOWED.sharedTotal);
  // What the database holds agrees: one order per key, reservations never above the shelf.
  const [r] = await db.query<{ orders: number; reserved: number; keys: number }>(
    `SELECT count(*)::int AS orders, (SELECT coalesce(sum(qty), 0)::int FROM reservations WHERE sku = $1) AS reserved, count(DISTINCT idempotency_key)::int AS keys
     FROM channel_orders WHERE idempotency_key LIKE 'flash-%'`,
    [SKU],
  );
  expect(Number(r?.orders)).toBe(ORDERS - RETRIES);
  expect(Number(r?.keys)).toBe(ORDERS - RETRIES);
  expect(Number(r?.reserved)).toBe(accepted.length);
  expect(Number(r?.reserved)).toBeLessThanOrEqual(UNITS);
  for (const c of ['whole', 'web', 'market']) {
    const a = await call<{ items: { atp: number }[] }>('GET', `/api/v1/channels/${c}/atp?sku=${SKU}`, { token: keys[c] });
    expect(a.body.items[0]?.atp).toBe(0);
  }
  return accepted;
}

const atpOf = async (call: Call, keys: Record<string, string>, c: string) =>
  (await call<{ items: { atp: number }[] }>('GET', `/api/v1/channels/${c}/atp?sku=${SKU}`, { token: keys[c] })).body.items[0]?.atp;

describe('flash sale on pglite', () => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let keys: Record<string, string>;
  const clock = new Clock(T0.getTime());

  beforeAll(async () => {
    backend = await openBackend('pglite');
    app = await channelApp(backend, clock);
    call = injectCaller(app);
    await addFlashStock(app.db);
    keys = await registerChannels(call, await supervisorToken(call), SPECS);
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it(
    'accepts exactly what the policies allow, never oversells, never reserves a retry twice; expired reservations return',
    async () => {
      expect(await atpOf(call, keys, 'whole')).toBe(30);
      expect(await atpOf(call, keys, 'web')).toBe(65);
      expect(await atpOf(call, keys, 'market')).toBe(35);
      const sent = await flashSale([call], keys);
      await checkOutcome(sent, app.db, call, keys);
      clock.advance((TTL + 1) * 1000);
      expect(await atpOf(call, keys, 'whole')).toBe(30);
      expect(await atpOf(call, keys, 'web')).toBe(65);
      expect(await atpOf(call, keys, 'market')).toBe(35);
      const again = await call('POST', '/api/v1/channels/web/orders', {
        token: keys.web,
        headers: { 'idempotency-key': 'after-the-sale-1' },
        body: { lines: [{ lineId: '1', sku: SKU, qty: 65 }] },
      });
      expect(again.status).toBe(201);
    },
    SALE_TIMEOUT_MS,
  );
});

/** Starts `src/server/main.ts` as a process of its own on an ephemeral port. */
async function apiProcess(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, STATIC_DIR: '/nonexistent', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /API and app: (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (process.env.FLASH_DEBUG) process.stderr.write(`[api ${child.pid}] ${d.toString()}`);
    });
    child.once('exit', (code) => reject(new Error(`API process exited (${code}): ${err}`)));
  });
  return { url, child };
}

describe.runIf(process.env.DATABASE_URL)('flash sale on postgresql with two API processes', () => {
  let backend: Backend;
  let procs: { url: string; child: ChildProcess }[] = [];
  let db: pg.Client;
  let keys: Record<string, string>;
  let calls: Call[];

  beforeAll(async () => {
    backend = await postgresBackend(process.env.DATABASE_URL as string);
    const url = backend.options().databaseUrl as string;
    // The first migrates and seeds; the second finds it done.
    procs.push(await apiProcess(url));
    procs.push(await apiProcess(url));
    db = new pg.Client({ connectionString: url });
    await db.connect();
    const sql: Sql = { query: async (text, params) => (await db.query(text, params as unknown[])).rows, exec: async (s) => void (await db.query(s)) };
    await addFlashStock(sql);
    calls = procs.map((p) => httpCaller(p.url));
    keys = await registerChannels(calls[0] as Call, await supervisorToken(calls[0] as Call), SPECS);
  });
  afterAll(async () => {
    await db?.end();
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.child.exitCode !== null ? r(null) : p.child.once('exit', r)))));
    procs = [];
    await backend?.dispose();
  });

  it(
    'accepts exactly what the policies allow across both processes; expired reservations return',
    async () => {
      const call = calls[1] as Call;
      expect(await atpOf(call, keys, 'web')).toBe(65);
      const started = Date.now();
      const sent = await flashSale(calls, keys);
      // The precondition of exactness: no reservation ran out during the sale.
      expect(Date.now() - started).toBeLessThan(TTL * 1000);
      const sql: Sql = { query: async (text, params) => (await db.query(text, params as unknown[])).rows, exec: async (s) => void (await db.query(s)) };
      await checkOutcome(sent, sql, call, keys);
      // Real time here: reservations of a short TTL placed through one process run out and the
      // units come back by themselves, as the other process sees them (no sweeper needed for that).
      const web1007 = async (c: Call) =>
        (await c<{ items: { atp: number }[] }>('GET', '/api/v1/channels/web/atp?sku=SKU-1007', { token: keys.web })).body.items[0]?.atp;
      const before = await web1007(call);
      for (let i = 0; i < 3; i++) {
        const r = await (calls[0] as Call)('POST', '/api/v1/channels/web/orders', {
          token: keys.web,
          headers: { 'idempotency-key': `short-ttl-${i}-x` },
          body: { lines: [{ lineId: '1', sku: 'SKU-1007', qty: 2 }], ttlSeconds: SHORT_TTL },
        });
        expect(r.status).toBe(201);
      }
      expect(await web1007(call)).toBe((before as number) - 6);
      await expect.poll(() => web1007(call), { timeout: (SHORT_TTL + 30) * 1000, interval: 500 }).toBe(before);
    },
    SALE_TIMEOUT_MS,
  );
});
