import { existsSync, readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { startServer, type ServerOptions } from '../../../src/server/app.ts';

export type ServerHandle = Awaited<ReturnType<typeof startServer>>;
export type StartServerOptions = ServerOptions;

/** Starts the real API (`startServer` from src/server/app.ts) on a fresh in-memory database, serving `staticDir`. */
export function startTestServer(opts: StartServerOptions & { staticDir: string }): Promise<ServerHandle> {
  return startServer({ port: 0, host: '127.0.0.1', dataDir: 'memory://', seed: true, logLevel: 'warn', ...opts });
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves one file of a built app, with the SPA fallback to index.html. */
export function serveFile(dir: string, reqUrl: string, res: http.ServerResponse): void {
  const url = new URL(reqUrl, 'http://x');
  let file = path.join(dir, decodeURIComponent(url.pathname));
  if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(dir, 'index.html');
  // The worker script and the shell must be revalidated or an update is never seen.
  const noCache = file.endsWith('.html') || file.endsWith('sw.js') || file.endsWith('.webmanifest');
  res.writeHead(200, {
    'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': noCache ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  res.end(readFileSync(file));
}
