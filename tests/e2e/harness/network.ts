import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { serveFile } from './server.ts';

/** A request held by `network.hold()`: it reached the proxy and has not been forwarded yet. */
export type HeldRequest = { method: string; path: string; body: string; release(): Promise<void>; drop(): void };

export type Network = {
  /** The address the browser uses (the proxy in front of the server). */
  url: string;
  /** Cuts the browser off: new and open connections are reset; `navigator.onLine` turns false too. */
  offline(): Promise<void>;
  online(): Promise<void>;
  isOffline(): boolean;
  /**
   * Holds the next request whose path matches: resolves once it arrives (the browser is
   * then waiting on it). `release()` forwards it and discards the answer, as when a tab
   * dies after the server committed; `drop()` resets the connection without forwarding.
   */
  hold(match: RegExp, method?: string): Promise<HeldRequest>;
  /** Requests that reached the proxy while online, oldest first, with the status the server answered (once it did). */
  requests(match: RegExp, method?: string): SeenRequest[];
  /** The most matching requests ever open at the same moment (1 means they never overlapped). */
  maxInFlight(match: RegExp, method?: string): number;
};

export type SeenRequest = { method: string; path: string; start: number; end?: number; status?: number };

type Waiter = { match: RegExp; method?: string; resolve(h: HeldRequest): void };

type Proxy = Network & {
  /** Serves app files (everything but /api/) from this folder instead of the server: a deploy. */
  serveStatic(dir: string | null): void;
  close(): Promise<void>;
};

export async function startProxy(upstream: string, onOfflineChange: (offline: boolean) => Promise<void>): Promise<Proxy> {
  const target = new URL(upstream);
  let staticDir: string | null = null;
  const sockets = new Set<Socket>();
  const waiters: Waiter[] = [];
  const seen: SeenRequest[] = [];
  let clock = 0;
  let offline = false;

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse | null, entry: SeenRequest): Promise<void> =>
    new Promise<void>((resolve) => {
      const up = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (upRes) => {
          entry.status = upRes.statusCode;
          upRes.on('close', () => (entry.end ??= ++clock));
          if (!res || res.destroyed) {
            upRes.resume();
            upRes.on('end', resolve);
            return;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
          upRes.on('end', resolve);
          res.on('close', () => {
            upRes.destroy();
            resolve();
          });
        },
      );
      up.on('error', () => {
        entry.end ??= ++clock;
        if (res && !res.headersSent) res.writeHead(502).end();
        resolve();
      });
      up.end(body);
    });

  const server = http.createServer((req, res) => {
    if (offline) {
      req.socket.destroy();
      return;
    }
    if (staticDir && !(req.url ?? '/').startsWith('/api/')) {
      serveFile(staticDir, req.url ?? '/', res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const p = req.url ?? '/';
      const entry: SeenRequest = { method: req.method ?? 'GET', path: p, start: ++clock };
      seen.push(entry);
      const i = waiters.findIndex((w) => w.match.test(p) && (!w.method || w.method === req.method));
      if (i >= 0) {
        const [w] = waiters.splice(i, 1);
        w?.resolve({
          method: entry.method,
          path: p,
          body: body.toString('utf8'),
          release: () => forward(req, body, res.destroyed ? null : res, entry),
          drop: () => {
            entry.end ??= ++clock;
            req.socket.destroy();
          },
        });
        return;
      }
      void forward(req, body, res, entry);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async offline() {
      offline = true;
      for (const s of sockets) s.destroy();
      await onOfflineChange(true);
    },
    async online() {
      offline = false;
      await onOfflineChange(false);
    },
    isOffline: () => offline,
    serveStatic(dir) {
      staticDir = dir;
    },
    hold: (match, method) => new Promise<HeldRequest>((resolve) => waiters.push({ match, method, resolve })),
    requests: (match, method) => seen.filter((r) => match.test(r.path) && (!method || r.method === method)),
    maxInFlight(match, method) {
      const mine = seen.filter((r) => match.test(r.path) && (!method || r.method === method));
      let max = 0;
      for (const r of mine) {
        const open = mine.filter((o) => o.start <= r.start && (o.end === undefined || o.end > r.start)).length;
        max = Math.max(max, open);
      }
      return max;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
