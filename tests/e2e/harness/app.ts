import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.ts';
import { ensureBuilt } from './build.ts';
import { startTestServer, type ServerHandle, type StartServerOptions } from './server.ts';
import { startProxy, type Network } from './network.ts';
import { type Api, makeApi } from './api.ts';

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
    typeof opts.persistent === 'string' ? opts.persistent : opts.persistent ? mkdtempSync(path.join(os.tmpdir(), 'floor-e2e-profile-')) : null;
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
