/**
 * The service worker and manifest, in real Chromium: the shell is precached (the camera
 * decoder's .wasm included), starts cold with no network, never answers /api/, the app is
 * installable, and a new build is announced and applied only when the user agrees.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureBuilt, startApp } from './harness.ts';
import type { App } from './harness.ts';

let app: App | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/** Waits until a service worker is active and controls the page (reloading once if the first visit installed it). */
async function controlledBySw(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  if (await page.evaluate(() => navigator.serviceWorker.controller === null)) await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none')).toBe('activated');
}

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))],
  );
}

describe('app shell offline', () => {
  test('every shell file (js, css, html, icons, wasm) is precached, source maps are not', async () => {
    const dist = await ensureBuilt();
    app = await startApp({ staticDir: dist });
    await app.page.goto(app.baseUrl);
    await controlledBySw(app.page);
    const cached = await app.page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname.slice(1));
      }
      return urls;
    });
    const shell = filesUnder(dist).filter((f) => /\.(js|css|html|svg|png|ico|webmanifest|wasm)$/.test(f) && !/^(sw|workbox-[\w-]+)\.js$/.test(f));
    expect(shell).toContain('index.html');
    for (const f of shell) expect(cached, `${f} precached`).toContain(f);
    expect(cached.filter((u) => u.endsWith('.map'))).toEqual([]);
    expect(cached.filter((u) => u.startsWith('api/'))).toEqual([]);
  });

  test('cold start with no network: the shell opens from the worker after the browser was closed', async () => {
    app = await startApp({ persistent: true });
    await app.page.goto(app.baseUrl);
    await controlledBySw(app.page);
    const build = await app.page.evaluate(() => document.documentElement.dataset.build);

    const page = await app.reopen({ offline: true });
    await page.goto(app.baseUrl);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.build)).toBe(build);
    await expect.poll(() => page.title()).toBe('Floor Scanner');
    // A deep link is a navigation too: the worker answers it with the shell.
    await page.goto(`${app.baseUrl}/some/screen?x=1`);
    await expect.poll(() => page.evaluate(() => document.getElementById('root') !== null)).toBe(true);
  });

  test('/api/ is never answered by the worker: offline it fails, online it reaches the server', async () => {
    app = await startApp({ persistent: true });
    await app.page.goto(app.baseUrl);
    await controlledBySw(app.page);

    const online = await app.page.goto(`${app.baseUrl}/api/v1/stock`);
    expect(online?.headers()['content-type'] ?? '').toMatch(/json/);
    expect(online?.fromServiceWorker()).toBe(false);

    await app.network.offline();
    const apiFetch = await app.page.evaluate(() =>
      fetch('/api/v1/stock').then(
        (r) => `answered ${r.status} ${r.headers.get('content-type')}`,
        (e: unknown) => `failed ${String(e)}`,
      ),
    );
    expect(apiFetch).toMatch(/^failed TypeError/);
    await expect(app.page.goto(`${app.baseUrl}/api/v1/stock`)).rejects.toThrow(/net::ERR_/);
  });
});

describe('install', () => {
  test('Chromium finds the app installable: manifest fields, icons, no installability errors', async () => {
    // A persistent profile: Chromium never offers installation in an incognito context.
    app = await startApp({ persistent: true });
    await app.page.goto(app.baseUrl);
    await controlledBySw(app.page);
    const cdp = await app.context.newCDPSession(app.page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(installabilityErrors).toEqual([]);

    const manifest = (await (await app.page.request.get(`${app.baseUrl}/manifest.webmanifest`)).json()) as {
      name: string;
      short_name: string;
      display: string;
      orientation: string;
      theme_color: string;
      start_url: string;
      icons: { src: string; sizes: string; purpose?: string }[];
    };
    expect(manifest).toMatchObject({ name: 'Floor Scanner', display: 'standalone', orientation: 'portrait', start_url: '/' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    const sizes = manifest.icons.map((i) => `${i.sizes}:${i.purpose ?? 'any'}`);
    expect(sizes).toEqual(expect.arrayContaining(['192x192:any', '512x512:any', '512x512:maskable']));
    for (const icon of manifest.icons) {
      const res = await app.page.request.get(app.baseUrl + icon.src);
      expect(res.status(), icon.src).toBe(200);
      expect(res.headers()['content-type']).toBe('image/png');
    }
  });
});

describe('updates', () => {
  test('a new build is announced, waits for the user, and runs after "Update now"', async () => {
    const v1 = await ensureBuilt();
    const v2 = await ensureBuilt('e2e-next');
    app = await startApp({ persistent: true, staticDir: v1 });
    const { page } = app;
    await page.goto(app.baseUrl);
    await controlledBySw(page);
    const oldBuild = await page.evaluate(() => document.documentElement.dataset.build);
    expect(oldBuild).toBe('e2e');

    app.deploy(v2);
    // Any navigation makes the browser check the worker script; the new one installs and waits.
    await page.reload();
    const prompt = page.getByRole('alertdialog', { name: 'A new version is ready' });
    await prompt.waitFor();
    // Until the user agrees, the old build keeps running, even across reloads.
    await page.reload();
    await prompt.waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.build)).toBe(oldBuild);

    await prompt.getByRole('button', { name: 'Update now' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.build)).toBe('e2e-next');
    await expect.poll(() => prompt.count()).toBe(0);
  });
});
