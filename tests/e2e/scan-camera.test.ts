/**
 * The camera path end to end in real Chromium: a fake camera plays a video this test
 * writes from a rendered EAN-13 label, the calibration page opens the camera, the
 * zxing-wasm worker decodes the frames, and the product is shown on screen.
 *
 * The page is served by Vite's dev server from the project's own config with one
 * virtual entry that mounts the calibration page, so the test does not depend on the
 * app's routes; Chromium comes from the shared harness.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ROOT, ensureChromium } from './harness.ts';
import { SYMBOLS } from '../fixtures/barcode-corpus.ts';
import { writeLabelVideo } from '../fixtures/barcode-video.ts';

const PAGE = '/scan-e2e.html';
const ENTRY = 'virtual:scan-e2e';

/** Serves one page that mounts the calibration page with an in-memory settings store. */
function scanPage(): Plugin {
  return {
    name: 'scan-e2e-page',
    resolveId: (id) => (id === ENTRY ? `\0${ENTRY}` : undefined),
    load: (id) =>
      id === `\0${ENTRY}`
        ? `import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { CalibrationPage } from '/src/ui/calibration/CalibrationPage.tsx';
import { ScanRuntimeContext } from '/src/ui/scan/scan-runtime.ts';
import { startScanRuntime } from '/src/scan/runtime.ts';
import { DEFAULT_SCAN_SETTINGS } from '/src/scan/settings.ts';
let saved;
const store = { load: async () => saved ?? DEFAULT_SCAN_SETTINGS, save: async (s) => { saved = s; } };
const runtime = startScanRuntime(document);
createRoot(document.getElementById('root')).render(
  createElement(ScanRuntimeContext.Provider, { value: runtime }, createElement(CalibrationPage, { store })),
);`
        : undefined,
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        if (req.url !== PAGE) return next();
        const html = await server.transformIndexHtml(
          PAGE,
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scan e2e</title></head><body><div id="root"></div><script type="module" src="/@id/${ENTRY}"></script></body></html>`,
        );
        res.setHeader('content-type', 'text/html');
        res.end(html);
      });
    },
  };
}

describe('camera scanning in Chromium', () => {
  let dir: string;
  let video: string;
  let server: ViteDevServer;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'scan-e2e-'));
    video = await writeLabelVideo(
      SYMBOLS.find((s) => s.name === 'ean-13')!,
      dir,
    );
    server = await createServer({
      root: ROOT,
      configFile: path.join(ROOT, 'vite.config.ts'),
      logLevel: 'error',
      // A fresh dependency cache each run, as on a new clone.
      cacheDir: path.join(dir, 'vite-cache'),
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      plugins: [scanPage()],
    });
    await server.listen();
    base = server.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? '';
    browser = await chromium.launch({
      executablePath: ensureChromium(),
      args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a product from the camera and shows it, with the engine and its frame time', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 860 } });
    await context.grantPermissions(['camera'], { origin: base });
    const page = await context.newPage();
    const foreign: string[] = [];
    const wasm: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
      if (r.url().includes('.wasm')) wasm.push(r.url());
    });
    await page.goto(base + PAGE);
    await page.getByRole('button', { name: 'Test the camera' }).click();
    const result = page.getByRole('region', { name: 'Scanned code' });
    await expect.poll(async () => (await result.count()) > 0, { timeout: 60_000 }).toBe(true);
    await expect.poll(() => result.textContent()).toContain('09506000134352');
    expect(await result.getAttribute('data-kind')).toBe('product');
    expect(await result.textContent()).toContain('Product');
    const status = await page
      .getByRole('status')
      .filter({ hasText: /^Engine / })
      .textContent();
    expect(status).toMatch(/^Engine (zxing-wasm|native) · \d+(\.\d)? ms a frame/);
    if (status?.includes('zxing-wasm')) expect(wasm.every((u) => u.startsWith(base))).toBe(true);
    expect(foreign).toEqual([]);
    const keepTrack = () =>
      page.evaluate(() => {
        const stream = document.querySelector('video')?.srcObject as MediaStream | null;
        (window as unknown as { track?: MediaStreamTrack }).track = stream?.getVideoTracks()[0];
        return stream?.getVideoTracks()[0]?.readyState;
      });
    const trackState = () => page.evaluate(() => (window as unknown as { track?: MediaStreamTrack }).track?.readyState);
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    // Leaving the screen releases the camera; coming back opens it again.
    expect(await keepTrack()).toBe('live');
    await setVisibility('hidden');
    await expect.poll(trackState).toBe('ended');
    await expect.poll(() => page.getByText('Camera paused').count()).toBe(1);
    await setVisibility('visible');
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: /^Engine / })
          .count(),
      )
      .toBe(1);
    // Closing the camera releases it: the track ends, not just the element.
    expect(await keepTrack()).toBe('live');
    await page.getByRole('button', { name: 'Close camera' }).click();
    await expect.poll(trackState).toBe('ended');
    await context.close();
  });

  it('reads only the symbologies the site accepts: with EAN/UPC off, the EAN-13 in view is never taken', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 860 } });
    await context.grantPermissions(['camera'], { origin: base });
    const page = await context.newPage();
    await page.goto(base + PAGE);
    await page.getByRole('checkbox', { name: 'EAN-13, EAN-8, UPC-A, UPC-E' }).uncheck();
    await page.getByRole('button', { name: 'Save symbologies' }).click();
    await expect.poll(() => page.getByText(/^Symbologies saved: /).textContent()).toBe('Symbologies saved: 7 accepted.');
    await page.getByRole('button', { name: 'Test the camera' }).click();
    const status = page.getByRole('status').filter({ hasText: /^Engine / });
    await expect.poll(async () => Number((await status.getAttribute('data-frames')) ?? 0), { timeout: 60_000 }).toBeGreaterThan(20);
    const product = page.locator('[aria-label="Scanned code"][data-kind="product"]');
    expect(await product.count()).toBe(0);
    // Back to the common set: the camera reopens with it and the same label is read.
    await page.getByRole('button', { name: 'Back to the common set' }).click();
    await page.getByRole('button', { name: 'Save symbologies' }).click();
    await expect.poll(() => product.count(), { timeout: 60_000 }).toBe(1);
    await context.close();
  });

  it('takes a wedge burst at the document level: it never lands in the focused field, typing still does', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 860 } });
    const page = await context.newPage();
    await page.goto(base + PAGE);
    const field = page.getByLabel('Or type a code to check it');
    await field.click();
    // A scanner: the whole burst and its Enter as fast as the browser takes keys.
    await page.keyboard.type('9506000134352', { delay: 0 });
    await page.keyboard.press('Enter');
    const ean = page.getByRole('listitem').filter({ hasText: 'EAN-13' }).getByRole('status');
    await expect.poll(() => ean.textContent()).toBe('Read correctly');
    expect(await field.inputValue()).toBe('');
    // A person: slow keys go to the field they were typed in.
    await page.keyboard.type('A-01-01', { delay: 220 });
    await expect.poll(() => field.inputValue()).toBe('A-01-01');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('region', { name: 'Scanned code' }).textContent()).toContain('A-01-01');
    expect(await page.getByRole('region', { name: 'Scanned code' }).getAttribute('data-kind')).toBe('bin');
    // A scanner that types "~" for the group separator and ends with Tab: found and saved.
    await page.keyboard.type('010950600013435210CAL1~2177', { delay: 0 });
    await page.keyboard.press('Tab');
    await expect.poll(() => page.locator('[data-finding="gs_substitute"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Save scanner settings' }).click();
    await expect.poll(() => page.getByText(/^Saved: /).textContent()).toMatch(/suffix Tab.*group separator "~"/);
    await context.close();
  });
});
