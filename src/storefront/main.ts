/**
 * `npm run storefront`: a small reference storefront, a process of its own. It registers as a
 * sales channel (signing in as a supervisor), registers its webhook endpoint, verifies every
 * webhook's signature with `standardwebhooks`, shows its live stock per SKU in a web page
 * (server-sent events), and can fire a flash sale of concurrent orders.
 * Env: API_URL (http://127.0.0.1:8080), PORT (8090), CHANNEL_ID (storefront),
 * SUPERVISOR_USER / SUPERVISOR_PIN (supervisor / 3333), PUBLIC_URL (how the API reaches this process).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';

const env = process.env;
const API = (env.API_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const PORT = Number(env.PORT ?? 8090);
const CHANNEL = env.CHANNEL_ID ?? 'storefront';
const MAX_BODY = 16_384;

type Stock = { atp: number; version: number; zeroedBy: string[] | null };
const stock = new Map<string, Stock>();
const orders = new Map<string, { status: string; version: number }>();
const browsers = new Set<ServerResponse>();
let secret = '';
let apiKey = '';
let verifiedCount = 0;
let refusedCount = 0;

async function api(method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const broadcast = () => {
  const data = `data: ${JSON.stringify({ stock: Object.fromEntries(stock), orders: Object.fromEntries(orders), verified: verifiedCount, refused: refusedCount })}\n\n`;
  for (const b of browsers) b.write(data);
};

/** Signs in, registers the channel (or takes a fresh key for it) and its endpoint; answers the key and secret. */
async function register(publicUrl: string): Promise<void> {
  // A v7-shaped device id of its own: the storefront's "handheld" for the supervisor sign-in.
  const hex = randomBytes(8).toString('hex');
  const deviceId = `0190d000-${hex.slice(0, 4)}-7${hex.slice(4, 7)}-8${hex.slice(7, 10)}-${randomBytes(6).toString('hex')}`;
  const signIn = await api('POST', '/api/v1/sessions', undefined, { user: env.SUPERVISOR_USER ?? 'supervisor', pin: env.SUPERVISOR_PIN ?? '3333', deviceId });
  if (signIn.status !== 200) throw new Error(`supervisor sign-in failed: ${signIn.status} ${JSON.stringify(signIn.body)}`);
  const sup = signIn.body.token as string;
  const created = await api('POST', '/api/v1/channels', sup, { id: CHANNEL, name: 'Reference storefront', sites: ['main'], reservationTtlSeconds: 120 });
  if (created.status === 201) apiKey = created.body.apiKey as string;
  else if (created.status === 409) apiKey = (await api('POST', `/api/v1/channels/${CHANNEL}/keys`, sup, { revokeOthers: true })).body.apiKey as string;
  else throw new Error(`channel registration failed: ${created.status} ${JSON.stringify(created.body)}`);
  const url = `${publicUrl}/hooks`;
  const existing = ((await api('GET', `/api/v1/channels/${CHANNEL}/webhooks`, apiKey)).body.endpoints as { id: string; url: string; status: string }[]) ?? [];
  const mine = existing.find((e) => e.url === url);
  if (mine) {
    // Restarted: a new secret for the same endpoint (the old one stops at once), and on again if a 410 had disabled it.
    secret = (await api('POST', `/api/v1/channels/${CHANNEL}/webhooks/${mine.id}/secrets`, apiKey, { graceSeconds: 0 })).body.secret as string;
    await api('POST', `/api/v1/channels/${CHANNEL}/webhooks/${mine.id}/enable`, apiKey);
  } else {
    const ep = await api('POST', `/api/v1/channels/${CHANNEL}/webhooks`, apiKey, { url });
    if (ep.status !== 201) throw new Error(`endpoint registration failed: ${ep.status} ${JSON.stringify(ep.body)}`);
    secret = ep.body.secret as string;
  }
  const atp = await api('GET', `/api/v1/channels/${CHANNEL}/atp`, apiKey);
  for (const i of (atp.body.items as ({ sku: string } & Stock)[]) ?? [])
    if ((stock.get(i.sku)?.version ?? -1) < i.version) stock.set(i.sku, { atp: i.atp, version: i.version, zeroedBy: i.zeroedBy });
}

const readBody = (req: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve) => {
    let body = '';
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      body += d.toString();
    });
    req.on('end', () => resolve(body));
  });

function onWebhook(headers: Record<string, string>, body: string, res: ServerResponse): void {
  if (!secret) return void res.writeHead(503).end();
  let payload: { type?: string; data?: Record<string, unknown> };
  try {
    payload = new Webhook(secret).verify(body, headers) as typeof payload;
  } catch {
    refusedCount += 1;
    return void res.writeHead(401).end();
  }
  verifiedCount += 1;
  const d = payload.data ?? {};
  // Absolute figures with a version: a late or repeated delivery never moves the number back.
  if (payload.type === 'atp.updated' && typeof d.sku === 'string' && typeof d.version === 'number' && typeof d.atp === 'number') {
    if ((stock.get(d.sku)?.version ?? -1) < d.version) stock.set(d.sku, { atp: d.atp, version: d.version, zeroedBy: (d.zeroedBy as string[] | null) ?? null });
  }
  if (payload.type === 'order.updated' && typeof d.id === 'string' && typeof d.version === 'number') {
    if ((orders.get(d.id)?.version ?? -1) < d.version) orders.set(d.id, { status: String(d.status), version: d.version });
  }
  res.writeHead(204).end();
  broadcast();
}

async function flashSale(sku: string, count: number, qty: number) {
  const answers = await Promise.all(
    Array.from({ length: count }, () =>
      api('POST', `/api/v1/channels/${CHANNEL}/orders`, apiKey, { lines: [{ lineId: '1', sku, qty }] }, { 'idempotency-key': `flash-${randomUUID()}` }).catch(
        () => ({ status: 0, body: {} }),
      ),
    ),
  );
  return {
    accepted: answers.filter((a) => a.status === 201).length,
    refused: answers.filter((a) => a.status === 409).length,
    failed: answers.filter((a) => a.status !== 201 && a.status !== 409).length,
  };
}

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reference storefront</title>
<style>body{font:16px system-ui;margin:2rem;max-width:48rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}td.n{font-variant-numeric:tabular-nums;font-weight:600}</style></head>
<body><h1>Reference storefront</h1><p>Live stock of channel <b>${CHANNEL}</b>, pushed by signed webhooks. <span id="meta"></span></p>
<table aria-label="Live stock"><thead><tr><th>SKU</th><th>Available to promise</th><th>Version</th><th>Note</th></tr></thead><tbody id="rows"></tbody></table>
<h2>Flash sale</h2><form id="sale"><label>SKU <input name="sku" value="SKU-1007" required></label> <label>Orders <input name="orders" type="number" value="50" min="1" max="500"></label>
<label>Units each <input name="qty" type="number" value="1" min="1" max="100"></label> <button>Fire flash sale</button></form><p id="result" role="status"></p>
<h2>Orders</h2><ul id="orders" aria-label="Orders"></ul>
<script type="module">
const rows = document.getElementById('rows'), list = document.getElementById('orders');
function render(s) {
  rows.replaceChildren(...Object.entries(s.stock).sort().map(([sku, v]) => { const tr = document.createElement('tr'); tr.dataset.sku = sku;
    for (const [t, c] of [[sku], [v.atp, 'n'], [v.version], [v.zeroedBy ? 'held back: ' + v.zeroedBy.join(', ') : '']]) { const td = document.createElement('td'); td.textContent = String(t); if (c) td.className = c; tr.append(td); } return tr; }));
  list.replaceChildren(...Object.entries(s.orders).map(([id, o]) => { const li = document.createElement('li'); li.textContent = id + ': ' + o.status; return li; }));
  document.getElementById('meta').textContent = s.verified + ' verified deliveries, ' + s.refused + ' refused';
}
new EventSource('/events').onmessage = (e) => render(JSON.parse(e.data));
document.getElementById('sale').onsubmit = async (e) => { e.preventDefault(); const f = new FormData(e.target);
  const r = await fetch('/flash-sale', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sku: f.get('sku'), orders: Number(f.get('orders')), qty: Number(f.get('qty')) }) });
  const a = await r.json(); document.getElementById('result').textContent = r.ok ? a.accepted + ' accepted, ' + a.refused + ' refused' + (a.failed ? ', ' + a.failed + ' failed' : '') : a.error; };
</script></body></html>`;

const server = createServer(async (req, res) => {
  const url = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && url === '/hooks') {
    const body = await readBody(req);
    if (body === undefined) return void res.writeHead(413).end();
    return onWebhook(req.headers as Record<string, string>, body, res);
  }
  if (req.method === 'GET' && url === '/')
    return void res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      })
      .end(PAGE);
  if (req.method === 'GET' && url === '/state')
    return void res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ stock: Object.fromEntries(stock), orders: Object.fromEntries(orders) }));
  if (req.method === 'GET' && url === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    browsers.add(res);
    req.on('close', () => browsers.delete(res));
    return broadcast();
  }
  if (req.method === 'POST' && url === '/flash-sale') {
    const body = await readBody(req);
    let p: { sku?: unknown; orders?: unknown; qty?: unknown };
    try {
      p = JSON.parse(body ?? '');
    } catch {
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'send JSON' }));
    }
    const count = Number(p.orders);
    const qty = Number(p.qty ?? 1);
    if (typeof p.sku !== 'string' || !Number.isInteger(count) || count < 1 || count > 500 || !Number.isInteger(qty) || qty < 1 || qty > 100) {
      return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'sku, orders 1-500 and qty 1-100' }));
    }
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await flashSale(p.sku, count, qty)));
  }
  res.writeHead(404).end();
});

server.listen(PORT, env.HOST ?? '127.0.0.1', async () => {
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : PORT;
  const publicUrl = env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  // The API may still be starting (503) or not up yet: try for a minute.
  for (let attempt = 1; ; attempt++) {
    try {
      await register(publicUrl);
      break;
    } catch (err) {
      const message = (err as Error).message;
      if (attempt >= 60 || !(err instanceof TypeError || message.includes(' 503 '))) {
        console.error(`Cannot register with the API at ${API}:`, message);
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  console.log(`Reference storefront: ${publicUrl}  (channel ${CHANNEL} of ${API})`);
  broadcast();
});
const stop = () => {
  // Open pages hold their live stream: end them, or close would wait for every browser to leave.
  for (const b of browsers) b.end();
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
