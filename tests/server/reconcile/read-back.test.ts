/**
 * The read-back contract over real HTTP: a channel's answer is taken only in its documented
 * shape; anything else (a status, a redirect, not JSON, a wrong shape, too slow) is a failed
 * read-back with a reason a person can act on, never a figure.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpReadBack } from '../../../src/server/reconcile/run.ts';

type Answer = { status: number; body: string; headers?: Record<string, string> } | 'hang';
const ANSWERS: Record<string, Answer> = {
  '/ok': {
    status: 200,
    body: JSON.stringify({
      items: [
        { sku: 'SKU-1', quantity: 7 },
        { sku: 'SKU-2', quantity: 0 },
      ],
      extra: 'ignored',
    }),
  },
  '/500': { status: 500, body: '' },
  '/redirect': { status: 302, body: '', headers: { location: 'http://127.0.0.1:1/elsewhere' } },
  '/html': { status: 200, body: '<html>shop</html>' },
  '/no-items': { status: 200, body: JSON.stringify({ stock: {} }) },
  '/fraction': { status: 200, body: JSON.stringify({ items: [{ sku: 'SKU-1', quantity: 1.5 }] }) },
  '/huge-number': { status: 200, body: JSON.stringify({ items: [{ sku: 'SKU-1', quantity: 1e15 }] }) },
  '/long-sku': { status: 200, body: JSON.stringify({ items: [{ sku: 'S'.repeat(65), quantity: 1 }] }) },
  '/hang': 'hang',
};

describe('httpReadBack', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const a = ANSWERS[req.url ?? ''];
      if (!a) return void res.writeHead(404).end();
      if (a === 'hang') return;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('takes the documented shape: quantity per SKU', async () => {
    expect([...(await httpReadBack()(`${base}/ok`))]).toEqual([
      ['SKU-1', 7],
      ['SKU-2', 0],
    ]);
  });

  it.each([
    ['/500', /answered HTTP 500/],
    ['/redirect', /answered HTTP 302/],
    ['/html', /not JSON/],
    ['/no-items', /not \{ items: \[\{ sku, quantity \}\] \}/],
    ['/fraction', /whole number/],
    ['/huge-number', /at most 1000000000/],
    ['/long-sku', /not \{ items/],
  ])('%s is a failed read-back that says why', async (path, message) => {
    await expect(httpReadBack()(`${base}${path}`)).rejects.toThrow(message);
  });

  it('a read-back that never answers fails after its timeout', async () => {
    await expect(httpReadBack(200)(`${base}/hang`)).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
