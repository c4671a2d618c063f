/**
 * The shared browser-test harness: every e2e test drives the built app in Debian's
 * Chromium through this file.
 *
 * - `ensureChromium()` finds /usr/bin/chromium (installs Debian's package when root with apt).
 * - `ensureBuilt()` runs `vite build` once per source state; a lock file keeps parallel
 *   files from building twice, and each build lands in its own folder so a rebuild never
 *   changes files under a running test.
 * - `startApp()` starts a fresh API server (seeded, in-memory) serving that build behind a
 *   small proxy the test controls (`network.offline()`, `network.hold()`), then launches
 *   Chromium on it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type ServerOptions } from '../../src/server/app.ts';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'floor-e2e');

// ---------------------------------------------------------------- Chromium

let chromiumChecked = false;

/** Returns the Chromium executable, installing Debian's `chromium` when it is missing and we may. */
export function ensureChromium(): string {
  if (chromiumChecked || existsSync(CHROMIUM_PATH)) {
    chromiumChecked = true;
    return CHROMIUM_PATH;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(
      `e2e: ${CHROMIUM_PATH} not found. Install Debian's Chromium first: ` +
        '`sudo apt-get update && sudo apt-get install -y chromium` (or run .ci/ci.sh as root).',
    );
  }
  process.stderr.write(`e2e: ${CHROMIUM_PATH} is missing; installing Debian's chromium with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'chromium']]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`e2e: \`apt-get ${args.join(' ')}\` failed (exit ${r.status}); install chromium by hand`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`e2e: apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
  chromiumChecked = true;
  return CHROMIUM_PATH;
}

// ---------------------------------------------------------------- build once

const BUILD_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

function walk(p: string, out: string[]): void {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) {
    for (const name of readdirSync(p).sort()) walk(path.join(p, name), out);
  } else {
    out.push(`${path.relative(ROOT, p)}:${st.size}:${st.mtimeMs}`);
  }
}

/** A stamp of everything `vite build` reads: same stamp, same build. */
function sourceStamp(buildId: string): string {
  const lines: string[] = [`build-id:${buildId}`, 'mode:production'];
  for (const input of BUILD_INPUTS) walk(path.join(ROOT, input), lines);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` while holding a cross-process lock (a directory made atomically). */
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = path.join(CACHE_DIR, `${name}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      // A lock left by a dead process (killed mid-build) is taken over.
      if (holder && !pidAlive(holder)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs `vite build` into `outDir`; `buildId` is baked into the bundle so two builds differ. */
export async function buildApp(outDir: string, buildId = 'e2e'): Promise<string> {
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      // Always the production bundle (what ships): vitest sets NODE_ENV=test, with which Vite builds React's development copy.
      env: { ...process.env, NODE_ENV: 'production', FLOOR_BUILD_ID: buildId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`e2e: vite build failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
  if (!existsSync(path.join(outDir, 'index.html'))) throw new Error(`e2e: vite build wrote no index.html in ${outDir}`);
  process.stderr.write(`e2e: built ${buildId} into ${path.relative(ROOT, outDir)} in ${Date.now() - started} ms\n`);
  return outDir;
}

/**
 * The built app for this source state, building it at most once across parallel test
 * files and runs. `FLOOR_E2E_DIST` (set by the e2e global setup) short-circuits it.
 */
export async function ensureBuilt(buildId = 'e2e'): Promise<string> {
  const fromEnv = process.env.FLOOR_E2E_DIST;
  if (buildId === 'e2e' && fromEnv && existsSync(path.join(fromEnv, 'index.html'))) return fromEnv;
  return withLock('build', async () => {
    const stamp = sourceStamp(buildId);
    const outDir = path.join(CACHE_DIR, `dist-${buildId}-${stamp}`);
    if (existsSync(path.join(outDir, '.complete'))) return outDir;
    await buildApp(outDir, buildId);
    writeFileSync(path.join(outDir, '.complete'), new Date().toISOString());
    pruneOldBuilds(outDir);
    return outDir;
  });
}

/** Keeps the cache small; builds younger than an hour may still be served by a running test. */
function pruneOldBuilds(keep: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(CACHE_DIR)) {
    const p = path.join(CACHE_DIR, name);
    if (!name.startsWith('dist-') || p === keep) continue;
    if (statSync(p).mtimeMs < hourAgo) rmSync(p, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- server

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
function serveFile(dir: string, reqUrl: string, res: http.ServerResponse): void {
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

// ---------------------------------------------------------------- network control

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

async function startProxy(upstream: string, onOfflineChange: (offline: boolean) => Promise<void>): Promise<Proxy> {
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

// ---------------------------------------------------------------- API helpers

export type { DeviceHealth, LedgerEntry, StockFigure as StockRow } from '../../src/domain/protocol.ts';
import type { DeviceHealth, LedgerEntry, StockFigure as StockRow } from '../../src/domain/protocol.ts';

export type Api = {
  /** Server address, reached directly (never through the proxy, so `offline()` does not cut the test off). */
  url: string;
  /** Signs in; returns the bearer token. */
  signIn(user?: string, pin?: string, deviceId?: string): Promise<string>;
  /** GET a JSON path with a token (a supervisor's by default). */
  get<T>(pathAndQuery: string, token?: string): Promise<T>;
  stock(q?: { sku?: string; location?: string }): Promise<StockRow[]>;
  ledger(q?: { sku?: string; location?: string; deviceId?: string }): Promise<LedgerEntry[]>;
  devices(): Promise<DeviceHealth[]>;
};

export const DEMO_USERS = {
  picker: { user: 'picker', pin: '1111' },
  receiver: { user: 'receiver', pin: '2222' },
  supervisor: { user: 'supervisor', pin: '3333' },
  returns: { user: 'returns', pin: '4444' },
} as const;

function makeApi(url: string): Api {
  let supervisorToken: string | null = null;
  const call = async <T>(method: string, p: string, body?: unknown, token?: string): Promise<T> => {
    const res = await fetch(url + p, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`e2e api: ${method} ${p} -> ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  const qs = (q: Record<string, string | undefined> = {}) => {
    const p = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  const api: Api = {
    url,
    async signIn(user = DEMO_USERS.supervisor.user, pin = DEMO_USERS.supervisor.pin, deviceId = randomUUID()) {
      const r = await call<{ token: string }>('POST', '/api/v1/sessions', { user, pin, deviceId });
      return r.token;
    },
    async get<T>(p: string, token?: string) {
      supervisorToken ??= await api.signIn();
      return call<T>('GET', p, undefined, token ?? supervisorToken);
    },
    stock: async (q) => (await api.get<{ rows: StockRow[] }>(`/api/v1/stock${qs(q)}`)).rows,
    ledger: async (q) => (await api.get<{ events: LedgerEntry[] }>(`/api/v1/ledger${qs(q)}`)).events,
    devices: async () => (await api.get<{ devices: DeviceHealth[] }>('/api/v1/devices')).devices,
  };
  return api;
}

// ---------------------------------------------------------------- the app

export type BrowserOptions = {
  /**
   * Keep the profile (service worker, caches, IndexedDB) across `reopen()`: true for a
   * fresh temp profile, or a folder to reuse. Without it each launch is a clean profile.
   */
  persistent?: boolean | string;
  /** A fake camera: true for Chromium's test pattern, or a .y4m/.mjpeg file to play. */
  fakeCamera?: boolean | string;
  /** Start with the network cut (only meaningful with `persistent`). */
  offline?: boolean;
  viewport?: { width: number; height: number };
  /** A touch screen (a handheld): `locator.tap()` works and the page sees touch events. */
  touch?: boolean;
  /** More Chromium switches, e.g. `--host-resolver-rules=...` to open the app under a LAN-like name. */
  extraArgs?: string[];
};

export type StartAppOptions = BrowserOptions & {
  /** A built app to serve (default: `ensureBuilt()`). */
  staticDir?: string;
  /** Extra options for `startServer` (e.g. a real `databaseUrl`). */
  server?: Omit<StartServerOptions, 'staticDir'>;
};

export type App = {
  /** Null for a persistent profile (Chromium then has no separate Browser object). */
  browser: Browser | null;
  context: BrowserContext;
  page: Page;
  /** Where the browser opens the app (through the controllable proxy). */
  baseUrl: string;
  api: Api;
  network: Network;
  server: ServerHandle;
  /** Closes the browser (not the server): what a killed tab or a reboot leaves behind. */
  closeBrowser(): Promise<void>;
  /** Closes the browser if open and launches it again (same profile when persistent); updates `context` and `page`. */
  reopen(opts?: Pick<BrowserOptions, 'offline'>): Promise<Page>;
  /**
   * Deploys another build: from now on the app's files come from `staticDir` while the
   * same API (and its data) keeps answering /api/, as a front web server would.
   */
  deploy(staticDir: string): void;
  close(): Promise<void>;
};

function launchArgs(fakeCamera: BrowserOptions['fakeCamera']): string[] {
  const args = [...CHROMIUM_ARGS];
  if (fakeCamera) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream');
    if (typeof fakeCamera === 'string') args.push(`--use-file-for-fake-video-capture=${fakeCamera}`);
  }
  return args;
}

/**
 * Starts a fresh server (seeded, in-memory) with the built app and opens Chromium on it.
 * The page is blank; navigate with `app.page.goto(app.baseUrl)`.
 */
export async function startApp(opts: StartAppOptions = {}): Promise<App> {
  const executablePath = ensureChromium();
  const staticDir = opts.staticDir ?? (await ensureBuilt());
  const server = await startTestServer({ ...opts.server, staticDir });
  const api = makeApi(server.url);
  const userDataDir =
    typeof opts.persistent === 'string'
      ? opts.persistent
      : opts.persistent
        ? mkdtempSync(path.join(os.tmpdir(), 'floor-e2e-profile-'))
        : null;
  const ownsProfile = opts.persistent === true;
  const viewport = opts.viewport ?? { width: 412, height: 860 };
  const args = [...launchArgs(opts.fakeCamera), ...(opts.extraArgs ?? [])];

  let browser: Browser | null = null;
  let context: BrowserContext | null = null;

  // The browser always talks to the proxy, so its origin (and the SW and IndexedDB tied to it) never changes.
  const proxy = await startProxy(server.url, async (off) => {
    if (context) await context.setOffline(off);
  });
  const { close: closeProxy, serveStatic, ...network } = proxy;

  const launch = async (offline: boolean): Promise<{ context: BrowserContext; page: Page }> => {
    if (userDataDir) {
      context = await chromium.launchPersistentContext(userDataDir, { executablePath, args, offline, viewport, hasTouch: opts.touch ?? false });
      browser = null;
    } else {
      browser = await chromium.launch({ executablePath, args });
      context = await browser.newContext({ offline, viewport, hasTouch: opts.touch ?? false });
    }
    if (opts.fakeCamera) await context.grantPermissions(['camera'], { origin: network.url });
    const page = context.pages()[0] ?? (await context.newPage());
    return { context, page };
  };

  if (opts.offline) await network.offline();
  const first = await launch(network.isOffline());

  const app: App = {
    browser,
    context: first.context,
    page: first.page,
    baseUrl: network.url,
    api,
    network,
    server,
    async closeBrowser() {
      if (context) await context.close().catch(() => undefined);
      if (browser) await browser.close().catch(() => undefined);
      context = null;
      browser = null;
    },
    async reopen(o = {}) {
      await app.closeBrowser();
      if (o.offline !== undefined) await (o.offline ? network.offline() : network.online());
      const next = await launch(network.isOffline());
      app.browser = browser;
      app.context = next.context;
      app.page = next.page;
      return next.page;
    },
    deploy(dir) {
      serveStatic(dir);
    },
    async close() {
      await app.closeBrowser();
      await closeProxy();
      await server.close();
      if (ownsProfile && userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return app;
}

// ---------------------------------------------------------------- Lighthouse

export type LighthouseSummary = {
  lighthouseVersion: string;
  /** Category scores, 0-100. */
  scores: Record<string, number>;
  /** Selected metrics (ms or unitless as Lighthouse reports them). */
  metrics: Record<string, number>;
  /** Audits that scored below 1 in the performance and accessibility categories, by id. */
  failing: { id: string; title: string; score: number | null }[];
};

/**
 * Runs Lighthouse (the npm package) on Debian's Chromium against `url`: mobile form factor,
 * simulated throttling, no network needed beyond `url`.
 */
export async function runLighthouse(url: string, categories = ['performance', 'accessibility', 'best-practices']): Promise<LighthouseSummary> {
  const chromePath = ensureChromium();
  const { launch } = await import('chrome-launcher');
  const { default: lighthouse } = await import('lighthouse');
  const chrome = await launch({ chromePath, chromeFlags: ['--headless=new', ...CHROMIUM_ARGS] });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: categories });
    if (!result) throw new Error('e2e: Lighthouse returned no result');
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(`e2e: Lighthouse failed: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const scores: Record<string, number> = {};
    const failing: LighthouseSummary['failing'] = [];
    for (const [id, cat] of Object.entries(lhr.categories)) {
      scores[id] = Math.round((cat.score ?? 0) * 100);
      for (const ref of cat.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) failing.push({ id: ref.id, title: audit.title, score: audit.score });
      }
    }
    const metrics: Record<string, number> = {};
    for (const id of ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index', 'interactive']) {
      const v = lhr.audits[id]?.numericValue;
      if (typeof v === 'number') metrics[id] = v;
    }
    return { lighthouseVersion: lhr.lighthouseVersion, scores, metrics, failing };
  } finally {
    chrome.kill();
  }
}

// ---------------------------------------------------------------- the device's own log

export type DeviceLogEntry = { seq: number; id: string; type: string; state: string };
export type DeviceLog = { deviceId: string | null; nextSeq: number | null; events: DeviceLogEntry[] };

/**
 * Reads the handheld's event log straight from IndexedDB (read-only, raw API, so it works
 * whatever the page is doing and even with writes sabotaged by a test).
 */
export async function deviceLog(page: Page, dbName = 'floor-scanner'): Promise<DeviceLog> {
  return page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      if (!db.objectStoreNames.contains('events')) return { deviceId: null, nextSeq: null, events: [] };
      const tx = db.transaction(['events', 'meta'], 'readonly');
      const get = <T,>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const events = (await get(tx.objectStore('events').getAll())) as { seq: number; id: string; type: string; state: string }[];
      const device = (await get(tx.objectStore('meta').get('deviceId'))) as { value: string } | undefined;
      const next = (await get(tx.objectStore('meta').get('nextSeq'))) as { value: number } | undefined;
      return {
        deviceId: device?.value ?? null,
        nextSeq: next?.value ?? null,
        events: events.map((e) => ({ seq: e.seq, id: e.id, type: e.type, state: e.state })),
      };
    } finally {
      db.close();
    }
  }, dbName);
}

/**
 * Waits until every event in the page's log is delivered, then checks the API's ledger holds
 * each of them exactly once, under the same seq, with seqs 1..N and no gap or repeat.
 * Returns the log.
 */
export async function expectDeliveredExactlyOnce(page: Page, api: Api, opts: { timeoutMs?: number } = {}): Promise<DeviceLog> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let log = await deviceLog(page);
  // Polls a condition (not a timing assumption): the engine delivers as soon as it can.
  while (log.events.some((e) => e.state === 'pending')) {
    if (Date.now() > deadline) throw new Error(`e2e: events still pending: ${JSON.stringify(log.events.filter((e) => e.state === 'pending'))}`);
    await page.waitForTimeout(100);
    log = await deviceLog(page);
  }
  if (!log.deviceId) throw new Error('e2e: the page has no device id');
  const ledger = await api.ledger({ deviceId: log.deviceId });
  const seqs = ledger.map((e) => e.seq).sort((a, b) => a - b);
  const n = log.events.length;
  const problems: string[] = [];
  if (JSON.stringify(seqs) !== JSON.stringify(Array.from({ length: n }, (_, i) => i + 1))) problems.push(`ledger seqs ${JSON.stringify(seqs)} are not 1..${n}`);
  for (const e of log.events) {
    const held = ledger.filter((l) => l.id === e.id);
    if (held.length !== 1) problems.push(`event ${e.seq} (${e.id}) is ${held.length} times in the ledger`);
    else if (held[0]?.seq !== e.seq) problems.push(`event ${e.id} is seq ${e.seq} on the device, ${held[0]?.seq} on the API`);
  }
  if (problems.length > 0) throw new Error(`e2e: delivery is not exactly once:\n${problems.join('\n')}`);
  return log;
}
