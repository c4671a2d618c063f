/**
 * control.reconcile_50k_skus.s: one reconciliation of every SKU of a 50,000-SKU catalog through
 * the API (`POST /reconcile/runs`), on embedded PGlite, wall clock of the request: the ledger
 * replayed against the stock table, every SKU's ATP computed for a channel and compared with
 * what its endpoint acknowledged, and the channel's read-back of 50,000 figures (a local HTTP
 * server) compared with both.
 *
 * Set-up (not timed): the catalog imported through the API as the admin import bench does;
 * opening balances written to the ledger and the stock table as the seed writes them; a channel
 * with a webhook endpoint and a read-back address; its 50,000 first deliveries taken as
 * acknowledged (written as the control room's trigger records a 2xx, rather than 50,000 HTTP
 * deliveries). 100 figures are edited on the channel's side: the run must find exactly
 * those 100 drifts, so the figure is a run that did its work.
 */
import { createServer } from 'node:http';
import { createApp } from '../src/server/app.ts';
import { OPENING_DEVICE } from '../src/server/seed.ts';
import { catalogFile } from './admin.bench.ts';
import { round, type Report } from './report.ts';

const SKUS = 50_000;
const EDITED = 100;
const BINS = ['A-01-01', 'A-01-02', 'A-02-01', 'A-02-02', 'B-01-01', 'B-01-02'];

export async function run(report: Report): Promise<void> {
  // Loopback allowed: the endpoint (never called: no worker) and the read-back server live on 127.0.0.1.
  const app = await createApp({
    dataDir: 'memory://',
    seed: true,
    logLevel: 'silent',
    rateLimit: false,
    channels: { worker: false, sweepMs: false, webhookTargets: { allow: ['127.0.0.0/8'] } },
  });
  const shown = new Map<string, number>();
  const readBack = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [...shown].map(([sku, quantity]) => ({ sku, quantity })) }));
  });
  await new Promise<void>((resolve) => readBack.listen(0, '127.0.0.1', () => resolve()));
  try {
    const inject = async (method: 'POST' | 'PUT', url: string, token: string | undefined, payload: unknown, type = 'application/json') => {
      const res = await app.app.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': type },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return JSON.parse(res.body) as Record<string, unknown>;
    };
    const admin = (await inject('POST', '/api/v1/sessions', undefined, { user: 'admin', pin: '5555', deviceId: '0190a0b0-0bad-7000-8000-000000000002' }))
      .token as string;
    const imported = await inject('POST', '/api/v1/masterdata/catalog/import', admin, catalogFile(SKUS), 'text/csv');
    if (imported.created !== SKUS) throw new Error(`expected ${SKUS} SKUs created, got ${String(imported.created)}`);
    // Opening balances, as the seed writes them: a ledger row and a stock row per SKU.
    const [last] = await app.db.query<{ s: number }>('SELECT max(seq) AS s FROM ledger WHERE device_id = $1', [OPENING_DEVICE]);
    await app.db.query(
      `WITH s AS (SELECT i, 'BENCH-' || i AS sku, (ARRAY[${BINS.map((b) => `'${b}'`).join(',')}])[1 + i % ${BINS.length}] AS location, 1 + i % 40 AS available
                  FROM generate_series(0, ${SKUS - 1}) AS i),
       l AS (INSERT INTO ledger (id, device_id, seq, type, schema_version, actor, occurred_at, received_at, status, payload, touches, skus, locations)
             SELECT 'bench-opening-' || i, $1, $2::bigint + 1 + i, 'stock.opening_balance', 1, 'system', now()::text, now(), 'applied',
               jsonb_build_object('sku', sku, 'location', location, 'available', available), ARRAY[sku || ' ' || location], ARRAY[sku], ARRAY[location] FROM s)
       INSERT INTO stock (sku, location, available) SELECT sku, location, available FROM s`,
      [OPENING_DEVICE, Number(last?.s ?? 0)],
    );
    const sup = (await inject('POST', '/api/v1/sessions', undefined, { user: 'supervisor', pin: '3333', deviceId: '0190a0b0-0bad-7000-8000-000000000003' }))
      .token as string;
    const key = (await inject('POST', '/api/v1/channels', sup, { id: 'bench-shop', name: 'Bench shop', sites: ['main'], reservationTtlSeconds: 900 }))
      .apiKey as string;
    await inject('POST', '/api/v1/channels/bench-shop/webhooks', key, { url: 'http://127.0.0.1:9/hooks' });
    // Every first delivery acknowledged, as the worker records a 2xx; the outbox emptied.
    await app.db.query(
      `INSERT INTO control_atp_acks (endpoint_id, channel_id, sku, version, atp, changed_at, acked_at)
       SELECT e.id, a.channel_id, a.sku, a.version, a.atp, a.updated_at, now() FROM channel_atp a JOIN webhook_endpoints e ON e.channel_id = a.channel_id`,
    );
    await app.db.query('DELETE FROM webhook_outbox');
    for (const r of await app.db.query<{ sku: string; atp: number }>(`SELECT sku, atp FROM channel_atp WHERE channel_id = 'bench-shop'`))
      shown.set(r.sku, Number(r.atp));
    let edited = 0;
    for (const sku of shown.keys()) {
      if (edited >= EDITED) break;
      if (!sku.startsWith('BENCH-')) continue;
      shown.set(sku, (shown.get(sku) ?? 0) + 3);
      edited += 1;
    }
    const a = readBack.address();
    await inject('PUT', '/api/v1/reconcile/channels/bench-shop/stock-url', sup, {
      stockUrl: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/stock`,
    });

    const t0 = performance.now();
    const answer = await inject('POST', '/api/v1/reconcile/runs', sup, {});
    const s = (performance.now() - t0) / 1000;
    const r = answer.run as { skus: number; drifts: number; readBackErrors: Record<string, string> };
    if (r.skus < SKUS || r.drifts !== EDITED || Object.keys(r.readBackErrors).length > 0) {
      throw new Error(`the run did not do its work: ${JSON.stringify(r)}`);
    }
    report({ metric: 'control.reconcile_50k_skus.s', value: round(s, 2), unit: 's' });
  } finally {
    readBack.close();
    await app.close();
  }
}
