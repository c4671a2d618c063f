/**
 * Reconciliation over the API, on PGlite and PostgreSQL: a channel with a real webhook receiver
 * that answers the read-back contract; one drift injected per cause (a table of cases), found
 * by a run, with its cause, and gone once healed; the one-click re-push clearing a channel's
 * edit; failed read-backs said, never drift; only supervisors and admins; hostile input a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, openBackend, type Backend } from '../../fixtures/server-app.ts';
import { channelApp, Clock, idem, injectCaller, LOOPBACK_TARGETS, registerChannels, type Call } from '../../fixtures/channels.ts';
import { deviceId } from '../../fixtures/server-app.ts';
import { Receiver } from '../../fixtures/webhook-receiver.ts';
import type { App } from '../../../src/server/app.ts';
import type { ReconcileScheduler } from '../../../src/server/reconcile/scheduler.ts';
import type { DriftRow, ReportAnswer, RunSummary } from '../../../src/domain/reconcile/protocol.ts';

const WORKER = { pollMs: 100, baseBackoffMs: 50, maxBackoffMs: 400, timeoutMs: 300 };
type Run = { run: RunSummary; report: ReportAnswer };

describe.each(BACKEND_NAMES)('reconciliation on %s', (name) => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let sup: string;
  let key: string;
  let receiver: Receiver;
  let scheduler: ReconcileScheduler;
  const clock = new Clock(Date.parse('2026-11-23T01:30:00.000Z'));
  let devices = 0xd100;
  const signIn = async (user: string, pin: string) => {
    devices += 1;
    const r = await call<{ token: string }>('POST', '/api/v1/sessions', { body: { user, pin, deviceId: deviceId(devices) } });
    expect(r.status).toBe(200);
    return r.body.token;
  };

  const run = async (body: unknown = {}): Promise<Run> => {
    const r = await call<Run>('POST', '/api/v1/reconcile/runs', { token: sup, body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  const driftsOf = (report: ReportAnswer, sku: string) =>
    report.drifts.filter((d) => d.sku === sku).map(({ id: _id, detectedAt: _at, detail: _d, repushedAt: _r, ...rest }) => rest);
  const waiting = async () => Number((await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_outbox'))[0]?.n);
  const atp = async (sku: string) =>
    (await call<{ items: { sku: string; atp: number }[] }>('GET', `/api/v1/channels/shop/atp?sku=${sku}`, { token: key })).body.items[0]?.atp as number;
  /** Nothing waits in the outbox and the receiver holds every SKU. */
  const settled = () => expect.poll(async () => (await waiting()) === 0 && receiver.atp.size === 8, { timeout: 20_000 }).toBe(true);
  const order = (sku: string, qty: number) =>
    call('POST', '/api/v1/channels/shop/orders', { token: key, headers: { 'idempotency-key': idem() }, body: { lines: [{ lineId: '1', sku, qty }] } });

  beforeAll(async () => {
    backend = await openBackend(name);
    app = await channelApp(backend, clock, WORKER, LOOPBACK_TARGETS, { reconcile: { tickMs: false, onScheduler: (s) => (scheduler = s) } });
    call = injectCaller(app);
    sup = await signIn('supervisor', '3333');
    key = (await registerChannels(call, sup, [{ id: 'shop', rules: [{ sku: null, site: null, safetyBuffer: 1 }] }])).shop as string;
    receiver = new Receiver([]);
    await receiver.start();
    const ep = await call<{ secret: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url: receiver.url } });
    expect(ep.status).toBe(201);
    receiver.secrets = [ep.body.secret];
    const url = await call('PUT', '/api/v1/reconcile/channels/shop/stock-url', { token: sup, body: { stockUrl: receiver.stockUrl } });
    expect(url.status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.stop();
    await backend?.dispose();
  });

  it('finds no drift when the channel shows what it was told and the table is the ledger', async () => {
    await settled();
    const { run: r, report } = await run();
    expect(r).toMatchObject({ scope: 'all', trigger: 'on_demand', skus: 8, drifts: 0, readBackErrors: {} });
    expect(report.drifts).toEqual([]);
    expect(report.byCause).toEqual({ not_delivered: 0, channel_edited: 0, ledger_mismatch: 0 });
  });

  type Case = {
    cause: string;
    sku: string;
    inject(): Promise<void>;
    expected(): Promise<Omit<DriftRow, 'id' | 'detectedAt' | 'detail' | 'repushedAt'>[]>;
    heal(): Promise<void>;
  };
  const CASES: Case[] = [
    {
      cause: 'channel_edited: a shop admin types over the figure the channel acknowledged',
      sku: 'SKU-1003',
      inject: async () => void receiver.edits.set('SKU-1003', 99),
      expected: async () => [
        {
          kind: 'channel',
          cause: 'channel_edited',
          sku: 'SKU-1003',
          channelId: 'shop',
          sites: ['main'],
          site: null,
          location: null,
          expected: await atp('SKU-1003'),
          shown: 99,
        },
      ],
      heal: async () => void receiver.edits.delete('SKU-1003'),
    },
    {
      cause: 'not_delivered: the endpoint fails while an order changes the figure',
      sku: 'SKU-1005',
      inject: async () => {
        receiver.mode = 'error500';
        expect((await order('SKU-1005', 2)).status).toBe(201);
        await expect.poll(() => receiver.deliveries.some((d) => d.subject === 'SKU-1005' && d.status === 500), { timeout: 20_000 }).toBe(true);
      },
      expected: async () => [
        {
          kind: 'channel',
          cause: 'not_delivered',
          sku: 'SKU-1005',
          channelId: 'shop',
          sites: ['main'],
          site: null,
          location: null,
          expected: await atp('SKU-1005'),
          shown: 14,
        },
      ],
      heal: async () => {
        receiver.mode = 'ok';
        await expect.poll(waiting, { timeout: 20_000 }).toBe(0);
      },
    },
    {
      cause: 'ledger_mismatch: the stock table no longer what the ledger makes it',
      sku: 'SKU-1006',
      inject: async () => void (await app.db.query(`UPDATE stock SET available = available + 5 WHERE sku = 'SKU-1006' AND location = 'B-01-02'`)),
      // The table's extra units also reach the channel's figure, which nobody was told.
      expected: async () => [
        { kind: 'stock', cause: 'ledger_mismatch', sku: 'SKU-1006', channelId: null, site: 'main', location: 'B-01-02', expected: 50, shown: 55 },
        { kind: 'channel', cause: 'not_delivered', sku: 'SKU-1006', channelId: 'shop', sites: ['main'], site: null, location: null, expected: 54, shown: 49 },
      ],
      heal: async () => void (await app.db.query(`UPDATE stock SET available = available - 5 WHERE sku = 'SKU-1006' AND location = 'B-01-02'`)),
    },
  ];

  it.each(CASES)('$cause: found with its cause, gone once healed', async (c) => {
    await c.inject();
    const found = await run({ skus: [c.sku] });
    expect(found.run).toMatchObject({ scope: 'skus', skus: 1 });
    expect(driftsOf(found.report, c.sku)).toEqual(await c.expected());
    // Only this SKU drifts: every other SKU is clean.
    expect(found.report.drifts.every((d) => d.sku === c.sku)).toBe(true);
    const row = found.report.drifts.find((d) => d.sku === c.sku);
    expect(row?.detail.length).toBeGreaterThan(10);
    await c.heal();
    const healed = await run({ skus: [c.sku] });
    expect(driftsOf(healed.report, c.sku)).toEqual([]);
  });

  it('a drift found again keeps the time it was first detected', async () => {
    receiver.edits.set('SKU-1004', 0);
    const first = (await run({ skus: ['SKU-1004'] })).report.drifts[0];
    clock.advance(60_000);
    const again = (await run({ skus: ['SKU-1004'] })).report.drifts[0];
    expect(again?.cause).toBe('channel_edited');
    expect(again?.detectedAt).toBe(first?.detectedAt);
    receiver.edits.delete('SKU-1004');
    expect((await run({ skus: ['SKU-1004'] })).report.drifts).toEqual([]);
  });

  it('one-click re-push: a new version goes through the outbox, the channel takes it, the next check clears the drift', async () => {
    await settled();
    // This hour's scheduled run out of the way: what checks the SKU again below is the re-push's own check.
    await scheduler.tick();
    receiver.edits.set('SKU-1002', 7);
    const before = receiver.atp.get('SKU-1002')?.version as number;
    expect(driftsOf((await run({ skus: ['SKU-1002'] })).report, 'SKU-1002')[0]).toMatchObject({ cause: 'channel_edited', shown: 7 });
    const r = await call<{ republished: number }>('POST', '/api/v1/reconcile/repush', { token: sup, body: { channelId: 'shop', skus: ['SKU-1002'] } });
    expect(r.status).toBe(202);
    expect(r.body.republished).toBe(1);
    const report = (await call<ReportAnswer>('GET', '/api/v1/reconcile/report', { token: sup })).body;
    expect(report.drifts.find((d) => d.sku === 'SKU-1002')?.repushedAt).not.toBeNull();
    await expect.poll(() => receiver.shown('SKU-1002'), { timeout: 20_000 }).toBe(await atp('SKU-1002'));
    expect(receiver.atp.get('SKU-1002')?.version).toBe(before + 1);
    // The schedule checks a re-pushed SKU again once every endpoint acknowledged the new version.
    await expect
      .poll(async () => (await scheduler.tick()).runs.some((x) => x.trigger === 'repush' && x.skus === 1 && x.drifts === 0), { timeout: 20_000 })
      .toBe(true);
    expect((await call<ReportAnswer>('GET', '/api/v1/reconcile/report', { token: sup })).body.drifts).toEqual([]);
  });

  it.each([
    ['garbage', /not \{ items: \[\{ sku, quantity \}\] \}/],
    ['error500', /HTTP 500/],
  ] as const)('a read-back answering %s is a failed read-back, said in the run, never a drift', async (mode, message) => {
    receiver.readBackMode = mode;
    try {
      const { run: r, report } = await run();
      expect(r.readBackErrors.shop).toMatch(message);
      expect(report.drifts).toEqual([]);
    } finally {
      receiver.readBackMode = 'ok';
    }
  });

  it('every active endpoint must acknowledge: a second one that fails makes the figure not delivered; once it is gone (410), it is owed nothing', async () => {
    await settled();
    // Without the read-back: a channel whose shop shows the right number (its read-back) has no drift, whatever one endpoint missed.
    const readBack = (stockUrl: string | null) => call('PUT', '/api/v1/reconcile/channels/shop/stock-url', { token: sup, body: { stockUrl } });
    expect((await readBack(null)).status).toBe(200);
    const second = new Receiver([]);
    await second.start();
    try {
      second.mode = 'error500';
      const ep = await call<{ secret: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url: second.url } });
      expect(ep.status).toBe(201);
      second.secrets = [ep.body.secret];
      // The API's own log of the failed attempt (the receiver sees the request before the worker logs its 500).
      const failedAttempt = () =>
        app.db.query(
          `SELECT 1 FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE e.url = $1 AND d.subject = 'SKU-1001' AND d.status_code >= 500`,
          [second.url],
        );
      await expect.poll(async () => (await failedAttempt()).length > 0, { timeout: 20_000 }).toBe(true);
      const found = driftsOf((await run({ skus: ['SKU-1001'] })).report, 'SKU-1001');
      expect(found).toMatchObject([{ kind: 'channel', cause: 'not_delivered', channelId: 'shop', shown: null }]);
      expect((await call<ReportAnswer>('GET', '/api/v1/reconcile/report', { token: sup })).body.drifts[0]?.detail).toMatch(/failed attempt/);
      second.mode = 'gone410';
      await expect.poll(async () => (await app.db.query(`SELECT 1 FROM webhook_endpoints WHERE status = 'disabled'`)).length, { timeout: 20_000 }).toBe(1);
      expect((await run({ skus: ['SKU-1001'] })).report.drifts).toEqual([]);
    } finally {
      await second.stop();
      await readBack(receiver.stockUrl);
    }
  });

  it('only supervisors and admins: other roles are refused, no session is a 401', async () => {
    const admin = await signIn('admin', (await import('../../../src/server/seed.ts')).DEMO_USERS.find((u) => u.id === 'admin')?.pin as string);
    expect((await call('GET', '/api/v1/reconcile/report', { token: admin })).status).toBe(200);
    const routes: [method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown][] = [
      ['GET', '/api/v1/reconcile/report'],
      ['POST', '/api/v1/reconcile/runs', {}],
      ['POST', '/api/v1/reconcile/repush', { channelId: 'shop', skus: ['SKU-1001'] }],
      ['PUT', '/api/v1/reconcile/channels/shop/stock-url', { stockUrl: null }],
      ['GET', '/api/v1/reconcile/settings'],
      ['PUT', '/api/v1/reconcile/settings', { cycleCountsPerDay: 1 }],
      ['GET', '/api/v1/counts/cycle'],
      ['POST', '/api/v1/counts/cycle', {}],
    ];
    for (const [user, pin] of [
      ['picker', '1111'],
      ['receiver', '2222'],
    ] as const) {
      const token = await signIn(user, pin);
      for (const [method, url, body] of routes) expect((await call(method, url, { token, body })).status, `${user} ${method} ${url}`).toBe(403);
    }
    for (const [method, url, body] of routes) expect((await call(method, url, { body })).status, `anonymous ${method} ${url}`).toBe(401);
    // A channel's own key opens none of these either.
    expect((await call('GET', '/api/v1/reconcile/report', { token: key })).status).toBe(401);
    // Nothing was changed by the refused calls.
    expect((await call<{ settings: { cycleCountsPerDay: number } }>('GET', '/api/v1/reconcile/settings', { token: sup })).body.settings.cycleCountsPerDay).toBe(
      10,
    );
  });

  it.each<[string, 'POST' | 'PUT' | 'GET', string, unknown, number, RegExp]>([
    ['a huge SKU list', 'POST', '/api/v1/reconcile/runs', { skus: Array.from({ length: 1001 }, (_, i) => `S-${i}`) }, 400, /at most 1000/],
    ['a SKU with bad characters', 'POST', '/api/v1/reconcile/runs', { skus: ['DROP TABLE;'] }, 400, /sku/],
    ['an unknown SKU', 'POST', '/api/v1/reconcile/runs', { skus: ['SKU-NOPE'] }, 400, /not in the catalog: SKU-NOPE/],
    ['skus and a scope together', 'POST', '/api/v1/reconcile/runs', { skus: ['SKU-1001'], scope: 'all' }, 400, /not both/],
    ['an unknown scope', 'POST', '/api/v1/reconcile/runs', { scope: 'everything' }, 400, /scope/],
    ['an unknown field', 'POST', '/api/v1/reconcile/runs', { sku: 'SKU-1001' }, 400, /sku/],
    ['a bad channel id', 'POST', '/api/v1/reconcile/repush', { channelId: '../../etc', skus: ['SKU-1001'] }, 400, /channel id/],
    ['an unknown channel', 'POST', '/api/v1/reconcile/repush', { channelId: 'nope', skus: ['SKU-1001'] }, 404, /no channel nope/],
    ['a re-push of no SKU', 'POST', '/api/v1/reconcile/repush', { channelId: 'shop', skus: [] }, 400, /at least one/],
    ['a read-back that is not http', 'PUT', '/api/v1/reconcile/channels/shop/stock-url', { stockUrl: 'file:///etc/passwd' }, 400, /http\(s\)/],
    ['a read-back with credentials', 'PUT', '/api/v1/reconcile/channels/shop/stock-url', { stockUrl: 'http://u:p@127.0.0.1/stock' }, 400, /credentials/],
    [
      'a read-back into a private network (SSRF)',
      'PUT',
      '/api/v1/reconcile/channels/shop/stock-url',
      { stockUrl: 'http://169.254.169.254/latest/meta-data' },
      422,
      /169\.254\.169\.254/,
    ],
    ['a read-back for a bad channel id', 'PUT', '/api/v1/reconcile/channels/BAD!/stock-url', { stockUrl: null }, 400, /channel id/],
    ['a huge number per day', 'PUT', '/api/v1/reconcile/settings', { cycleCountsPerDay: 1e12 }, 400, /at most 500/],
    ['a negative number per day', 'PUT', '/api/v1/reconcile/settings', { cycleCountsPerDay: -1 }, 400, /at least 0/],
    ['a fraction of a day', 'PUT', '/api/v1/reconcile/settings', { velocityDays: 1.5 }, 400, /whole number/],
    ['an hour past midnight', 'PUT', '/api/v1/reconcile/settings', { countHour: 24 }, 400, /at most 23/],
    ['a number as text', 'PUT', '/api/v1/reconcile/settings', { fastMovers: '5' }, 400, /must be a number/],
    ['accuracy over too many days', 'GET', '/api/v1/counts/cycle?days=99999', undefined, 400, /days must be 1-366/],
  ])('%s is refused with a clear answer, nothing changed', async (_n, method, url, body, status, message) => {
    const before = (await call('GET', '/api/v1/reconcile/settings', { token: sup })).body;
    const r = await call<{ message: string }>(method, url, { token: sup, body });
    expect(r.status).toBe(status);
    expect(r.body.message).toMatch(message);
    expect((await call('GET', '/api/v1/reconcile/settings', { token: sup })).body).toEqual(before);
  });

  it('one on-demand run at a time: a second while one runs is a 409 that says so', async () => {
    const [a, b] = await Promise.all([
      call<{ message?: string }>('POST', '/api/v1/reconcile/runs', { token: sup, body: {} }),
      call<{ message?: string }>('POST', '/api/v1/reconcile/runs', { token: sup, body: {} }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((a.status === 409 ? a : b).body.message).toMatch(/running already/);
    expect((await call('POST', '/api/v1/reconcile/runs', { token: sup, body: {} })).status).toBe(201);
  });

  it('a run that cannot finish says why in the run and leaves the report as the last good run wrote it', async () => {
    // Whatever earlier tests left on the way to the channel has arrived: the one drift is the edit.
    await settled();
    receiver.edits.set('SKU-1004', 1);
    expect((await run({ skus: ['SKU-1004'] })).report.drifts.map((d) => [d.sku, d.cause])).toEqual([['SKU-1004', 'channel_edited']]);
    // An applied ledger row that no longer parses: the replay cannot go on.
    await app.db.query(
      `INSERT INTO ledger (id, device_id, seq, type, schema_version, actor, occurred_at, received_at, status, payload)
       VALUES ('broken-1', '00000000-0000-7000-8000-0000000000ff', 1, 'pick.held', 1, 'system', 'now', now(), 'applied', '{}')`,
    );
    try {
      const failed = await call('POST', '/api/v1/reconcile/runs', { token: sup, body: { skus: ['SKU-1004'] } });
      expect(failed.status).toBe(500);
      const report = (await call<ReportAnswer>('GET', '/api/v1/reconcile/report', { token: sup })).body;
      expect(report.runs[0]).toMatchObject({ scope: 'skus', error: expect.stringMatching(/broken-1 \(pick.held\) does not parse/) });
      expect(report.runs[0]?.finishedAt).not.toBeNull();
      expect(report.drifts.map((d) => [d.sku, d.cause])).toEqual([['SKU-1004', 'channel_edited']]);
    } finally {
      await app.db.query(`DELETE FROM ledger WHERE id = 'broken-1'`);
      receiver.edits.delete('SKU-1004');
    }
    expect((await run({ skus: ['SKU-1004'] })).report.drifts).toEqual([]);
  });

  it('a body that is not JSON is a 400', async () => {
    const r = await call('POST', '/api/v1/reconcile/runs', { token: sup, raw: '{"skus": [' });
    expect(r.status).toBe(400);
  });
});
