/**
 * Sales channels over real HTTP on loopback, PGlite:
 * - channels.reserve.p99_ms: one order (place, 1 unit) while 4 clients place orders at once;
 * - channels.flash_sale.oversold: units reserved beyond the shelf after 1,000 concurrent orders
 *   from three channels for 100 units (must be 0);
 * - channels.atp_push.p95_ms: a floor event (a QC release into a bin, one push) sent, to the
 *   signed webhook carrying the new ATP received by a receiver (verifying the signature);
 * - channels.webhooks_per_1000_changes_one_sku: webhook calls for 1,000 ATP changes of one SKU
 *   (1,000 one-event pushes from 4 handhelds at once).
 */
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { startServer } from '../src/server/app.ts';
import { makeEvent } from '../src/domain/events.ts';
import { quantile, round, type Report } from './report.ts';

type Json = Record<string, unknown>;

async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
const dev = (d: number) => `0190c000-${hex(d, 4)}-7000-8000-000000000000`;

/** A receiver that verifies each delivery and notes when each (sku, version) arrived. */
async function receiver() {
  const arrivals = new Map<string, number>();
  let calls = new Map<string, number>();
  let secret = '';
  let unsigned = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (!secret) return void res.writeHead(503).end();
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
      } catch {
        unsigned += 1;
        return void res.writeHead(401).end();
      }
      const p = JSON.parse(body) as { type: string; data: { sku?: string; atp?: number; version?: number } };
      if (p.type === 'atp.updated' && p.data.sku) {
        arrivals.set(`${p.data.sku} ${p.data.atp}`, performance.now());
        calls.set(p.data.sku, (calls.get(p.data.sku) ?? 0) + 1);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  return {
    url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/hooks`,
    setSecret: (s: string) => (secret = s),
    arrivals,
    callsFor: (sku: string) => calls.get(sku) ?? 0,
    resetCalls: () => (calls = new Map()),
    unsigned: () => unsigned,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function run(report: Report): Promise<void> {
  const server = await startServer({
    dataDir: 'memory://',
    seed: true,
    logLevel: 'silent',
    rateLimit: false,
    channels: { worker: { pollMs: 200 }, sweepMs: 1000, webhookTargets: { allow: ['127.0.0.0/8'] } },
  });
  const base = server.url;
  const rx = await receiver();
  try {
    const sup = (await call(base, 'POST', '/api/v1/sessions', undefined, { user: 'supervisor', pin: '3333', deviceId: dev(1) })).body.token as string;
    const register = async (id: string, rules: unknown[]) => {
      const r = await call(base, 'POST', '/api/v1/channels', sup, { id, name: id, sites: ['main'] });
      await call(base, 'PUT', `/api/v1/channels/${id}/policies`, sup, { rules });
      return r.body.apiKey as string;
    };
    const shop = await register('shop', []);
    const ep = await call(base, 'POST', '/api/v1/channels/shop/webhooks', shop, { url: rx.url });
    rx.setSecret(ep.body.secret as string);
    let orders = 0;
    /** An order; a connection lost under a burst is sent again under the same idempotency key, as a channel does. */
    const order = async (channel: string, key: string, sku: string, qty: number) => {
      const idem = `bench-${(orders += 1)}-order`;
      for (let attempt = 1; ; attempt++) {
        try {
          return await call(base, 'POST', `/api/v1/channels/${channel}/orders`, key, { lines: [{ lineId: '1', sku, qty }] }, { 'idempotency-key': idem });
        } catch (err) {
          if (attempt >= 5 || !(err instanceof TypeError)) throw err;
        }
      }
    };

    // Reserve latency under load: 4 clients, 50 orders each, every order cancelled after.
    const latencies: number[] = [];
    const skus = ['SKU-1001', 'SKU-1002', 'SKU-1006', 'SKU-1007'];
    await Promise.all(
      skus.map(async (sku) => {
        for (let i = 0; i < 50; i++) {
          const t = performance.now();
          const r = await order('shop', shop, sku, 1);
          latencies.push(performance.now() - t);
          const id = (r.body.order as { id?: string } | undefined)?.id;
          if (id) await call(base, 'POST', `/api/v1/channels/shop/orders/${id}/cancel`, shop);
        }
      }),
    );
    report({ metric: 'channels.reserve.p99_ms', value: round(quantile(latencies, 0.99)), unit: 'ms' });

    // ATP push: a QC release into a bin, to the webhook with the new figure.
    const recv = (await call(base, 'POST', '/api/v1/sessions', undefined, { user: 'receiver', pin: '2222', deviceId: dev(2) })).body as {
      token: string;
      session: string;
    };
    let seq = 0;
    const push = (d: string, token: string, session: string, events: { type: string; payload: Json }[]) =>
      call(base, 'POST', `/api/v1/devices/${d}/events`, token, {
        events: events.map((e) => {
          seq += 1;
          return makeEvent(e.type as never, e.payload as never, {
            id: `0190c001-${hex(seq >> 16, 4)}-7000-8000-${hex(seq, 12)}`,
            deviceId: d,
            seq: mySeq(d),
            occurredAt: new Date().toISOString(),
            actor: 'receiver',
            session,
          });
        }),
      });
    const seqs = new Map<string, number>();
    const mySeq = (d: string) => {
      const n = (seqs.get(d) ?? 0) + 1;
      seqs.set(d, n);
      return n;
    };
    await push(dev(2), recv.token, recv.session, [
      { type: 'receipt.received', payload: { receiptId: 'RCV-0001', sku: 'SKU-1004', location: 'DOCK-1', qty: 2000 } },
    ]);
    const atpNow = async (sku: string) =>
      ((await call(base, 'GET', `/api/v1/channels/shop/atp?sku=${sku}`, shop)).body.items as { atp: number }[])[0]?.atp ?? 0;
    const pushLatencies: number[] = [];
    for (let i = 0; i < 40; i++) {
      const expected = (await atpNow('SKU-1004')) + 1;
      const t = performance.now();
      await push(dev(2), recv.token, recv.session, [{ type: 'qc.released', payload: { sku: 'SKU-1004', from: 'DOCK-1', to: 'A-02-02', qty: 1 } }]);
      const k = `SKU-1004 ${expected}`;
      while (!rx.arrivals.has(k)) await new Promise((r) => setTimeout(r, 1));
      pushLatencies.push((rx.arrivals.get(k) as number) - t);
    }
    report({ metric: 'channels.atp_push.p95_ms', value: round(quantile(pushLatencies, 0.95)), unit: 'ms' });

    // 1,000 changes of one SKU from 4 handhelds at once: how many webhook calls.
    const devices = await Promise.all(
      [3, 4, 5, 6].map(async (n) => ({
        d: dev(n),
        ...((await call(base, 'POST', '/api/v1/sessions', undefined, { user: 'receiver', pin: '2222', deviceId: dev(n) })).body as {
          token: string;
          session: string;
        }),
      })),
    );
    await new Promise((r) => setTimeout(r, 500));
    rx.resetCalls();
    await Promise.all(
      devices.map(async (x) => {
        for (let i = 0; i < 250; i++)
          await push(x.d, x.token, x.session, [{ type: 'qc.released', payload: { sku: 'SKU-1004', from: 'DOCK-1', to: 'A-02-02', qty: 1 } }]);
      }),
    );
    const final = await atpNow('SKU-1004');
    while (!rx.arrivals.has(`SKU-1004 ${final}`)) await new Promise((r) => setTimeout(r, 5));
    report({ metric: 'channels.webhooks_per_1000_changes_one_sku', value: rx.callsFor('SKU-1004'), unit: 'calls' });
    if (rx.unsigned() > 0) throw new Error(`${rx.unsigned()} deliveries failed verification`);

    // Flash sale: 1,000 orders from three channels for 100 units.
    const whole = await register('whole', [{ sku: 'SKU-1005', ringFence: 5, sharePct: 0 }]);
    const web = await register('web', [{ safetyBuffer: 1 }]);
    const market = await register('market', [{ sharePct: 50 }]);
    await push(dev(2), recv.token, recv.session, [
      { type: 'receipt.received', payload: { receiptId: 'RCV-0001', sku: 'SKU-1005', location: 'DOCK-1', qty: 85 } },
    ]);
    await push(dev(2), recv.token, recv.session, [{ type: 'qc.released', payload: { sku: 'SKU-1005', from: 'DOCK-1', to: 'B-01-01', qty: 85 } }]);
    const keys = [whole, web, market];
    const names = ['whole', 'web', 'market'];
    await Promise.all(Array.from({ length: 1000 }, (_, i) => order(names[i % 3] as string, keys[i % 3] as string, 'SKU-1005', 1)));
    const stock = (await call(base, 'GET', '/api/v1/stock?sku=SKU-1005', sup)).body.rows as { available: number }[];
    const available = stock.reduce((a, r) => a + r.available, 0);
    const db = (server as unknown as { db: { query<T>(q: string): Promise<T[]> } }).db;
    const [held] = await db.query<{ n: number }>(`SELECT coalesce(sum(qty), 0)::int AS n FROM reservations WHERE sku = 'SKU-1005'`);
    report({ metric: 'channels.flash_sale.oversold', value: Math.max(0, Number(held?.n ?? 0) - available), unit: 'units' });
  } finally {
    await rx.close();
    await server.close();
  }
}
