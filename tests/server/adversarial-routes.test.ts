/**
 * Every route the API serves, found from the router itself (a route added tomorrow is swept
 * too), hit the way a hostile or broken client would: without credentials, with credentials
 * of every kind (a picker, an admin, a channel's key) and junk in each place a client controls
 * (path ids, query, body). What must not happen: a 5xx, an answer that is not a JSON error,
 * a route that answers without credentials, or the API being left unable to serve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, deviceId, openBackend, startApp, type Backend, type Client } from '../fixtures/server-app.ts';
import { injectCaller, registerChannels } from '../fixtures/channels.ts';
import type { App } from '../../src/server/app.ts';

type Route = { method: string; path: string };

/** The router's own listing (`printRoutes` with full paths), as method + path pairs. */
function routesOf(app: App): Route[] {
  const tree = app.app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: Route[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) if (method !== 'HEAD') out.push({ method, path: stack.join('') });
  }
  return out;
}

/** Only these answer without a session or key: signing in is how a session is had (a key device first asks for a challenge to sign). */
const PUBLIC = new Set(['POST /api/v1/sessions', 'POST /api/v1/sessions/challenge']);
/** The change stream's credential is a single-use ticket in the query (EventSource sends no headers): a made-up one is tried. */
const TICKETED = new Set(['GET /api/v1/stream']);

const HOSTILE_IDS = ['%00', 'x'.repeat(4_000), '..%2F..%2Fetc%2Fpasswd', "'%20OR%201%3D1--", '%F0%9F%92%A3', '-1', '1e309'];
const HOSTILE_BODIES: { name: string; raw: string }[] = [
  { name: 'not JSON', raw: '{"a":' },
  { name: 'an array', raw: '[1,2,3]' },
  { name: 'null', raw: 'null' },
  { name: 'a prototype key', raw: '{"__proto__":{"roles":["admin"]},"constructor":{"prototype":{"admin":true}}}' },
  { name: 'wrong types everywhere', raw: '{"id":[],"sku":{},"qty":"lots","rules":"all","events":7,"user":null,"pin":1111}' },
  { name: 'huge numbers', raw: '{"qty":1e308,"seq":-9007199254740993,"reservationTtlSeconds":1e12}' },
  { name: 'a NUL and a lone surrogate', raw: '{"id":"a\\u0000b","name":"\\ud800"}' },
];
const fill = (path: string, id: string) => path.replace(/:[A-Za-z]+/g, id);

describe.each(BACKEND_NAMES)('every route on %s, as an attacker', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let routes: Route[];
  const creds: { who: string; headers: Record<string, string> }[] = [];

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend, { rateLimit: false }));
    routes = routesOf(app);
    const admin = await api.signIn('admin', deviceId(0x7a01));
    const supervisor = await api.signIn('supervisor', deviceId(0x7a04));
    const keys = await registerChannels(injectCaller(app), supervisor, [{ id: 'sweep' }]);
    creds.push(
      { who: 'supervisor', headers: { authorization: `Bearer ${supervisor}` } },
      { who: 'picker', headers: { authorization: `Bearer ${await api.signIn('picker', deviceId(0x7a02))}` } },
      { who: 'admin', headers: { authorization: `Bearer ${admin}` } },
      { who: 'channel key', headers: { authorization: `Bearer ${keys.sweep ?? ''}` } },
    );
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  const send = async (method: string, url: string, headers: Record<string, string>, raw?: string) => {
    const res = await app.app.inject({
      method: method as 'GET',
      url,
      headers: { ...headers, ...(raw !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(raw !== undefined ? { payload: raw } : {}),
    });
    return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.body };
  };
  const expectClearRefusal = (res: { status: number; type: string; body: string }, what: string) => {
    expect(res.status, `${what}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.type, what).toMatch(/application\/json/);
      const body = JSON.parse(res.body) as { error?: unknown; message?: unknown };
      expect(typeof body.error === 'string' || typeof body.message === 'string', `${what}: ${res.body.slice(0, 200)}`).toBe(true);
    }
  };

  it('finds the whole API in the router (a broken listing must not make the sweep pass on nothing)', () => {
    const listed = routes.map((r) => `${r.method} ${r.path}`);
    expect(listed.length).toBeGreaterThan(40);
    for (const known of ['POST /api/v1/devices/:deviceId/events', 'POST /api/v1/channels/:channelId/orders', 'POST /api/v1/masterdata/:entity/import'])
      expect(listed).toContain(known);
  });

  it('refuses every route but sign-in without credentials, or with a forged or expired-looking token, as 401 JSON', async () => {
    const forged = ['', 'Bearer ', 'Bearer x', `Bearer ${'a'.repeat(64)}`, 'Basic YWRtaW46NTU1NQ==', 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJhZG1pbiJdfQ.'];
    for (const r of routes.filter((x) => x.path.startsWith('/api/') && !PUBLIC.has(`${x.method} ${x.path}`))) {
      for (const authorization of forged) {
        const query = TICKETED.has(`${r.method} ${r.path}`) ? `?ticket=${'A'.repeat(32)}` : '';
        const res = await send(r.method, fill(r.path, 'x1') + query, authorization ? { authorization } : {}, r.method === 'GET' ? undefined : '{}');
        expect(res.status, `${r.method} ${r.path} with "${authorization}"`).toBe(401);
        expectClearRefusal(res, `${r.method} ${r.path}`);
      }
    }
  });

  it('answers junk in ids, queries and bodies with a clear 4xx, never a 5xx, for every kind of caller (picker, supervisor, admin, channel key, nobody)', async () => {
    for (const r of routes.filter((x) => x.path.startsWith('/api/'))) {
      for (const c of [...creds, { who: 'nobody', headers: {} }]) {
        for (const id of HOSTILE_IDS) {
          const url = `${fill(r.path, id)}?limit=-5&since=${encodeURIComponent('2026-13-45')}&sku=%00&sku=twice`;
          expectClearRefusal(await send(r.method, url, c.headers, r.method === 'GET' ? undefined : '{}'), `${r.method} ${url.slice(0, 80)} as ${c.who}`);
        }
        if (r.method === 'GET') continue;
        for (const b of HOSTILE_BODIES) {
          expectClearRefusal(await send(r.method, fill(r.path, 'main'), c.headers, b.raw), `${r.method} ${r.path} with ${b.name} as ${c.who}`);
        }
      }
    }
  });

  it('is unharmed afterwards: stock untouched by the junk, sign-in and reads still work', async () => {
    const supervisor = await api.signIn('supervisor', deviceId(0x7a03));
    const stock = await api.get<{ rows: unknown[] }>('/api/v1/stock', supervisor);
    expect(stock.status).toBe(200);
    const ledger = await api.get<{ events: { deviceId: string }[] }>('/api/v1/ledger?limit=1000', supervisor);
    expect(ledger.status).toBe(200);
    // Nothing the sweep sent was applied as a stock movement.
    expect(ledger.body.events.filter((e) => ['%00', 'x1', 'main'].includes(e.deviceId))).toEqual([]);
  });
});
