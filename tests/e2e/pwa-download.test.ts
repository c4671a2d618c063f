/**
 * A small first download: the camera decoder (ZXing's JS and its .wasm) is fetched by the
 * page only when the camera is opened, never on the way to a scan screen. (The service
 * worker precaches it in the background so the camera also works offline; those fetches
 * are the worker's, not the page's.) Nor is the database library part of the first download.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { Request } from 'playwright-core';
import { ensureBuilt, initialJsFiles, startApp } from './harness.ts';
import type { App } from './harness.ts';
import { signIn } from '../ui/floor-steps.ts';

const DECODER = /zxing|\.wasm(\?|$)/i;

let app: App | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

test('the camera decoder is not loaded on the way to a scan screen, and is loaded when the camera opens', async () => {
  app = await startApp({ fakeCamera: true });
  const { page } = app;
  const fetched: string[] = [];
  const record = (r: Request) => {
    if (!r.serviceWorker()) fetched.push(new URL(r.url()).pathname);
  };
  page.on('request', record);

  await page.goto(app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await page.getByLabel('Scan or type a code').waitFor();

  const js = fetched.filter((p) => p.endsWith('.js'));
  expect(js.length).toBeGreaterThan(0);
  expect(fetched.filter((p) => DECODER.test(p))).toEqual([]);
  // Nor is the decoder bundled into what was loaded: none of its code is in those files.
  for (const file of js) {
    const code = await (await page.request.get(app.baseUrl + file)).text();
    expect(code, file).not.toMatch(/MultiFormatReader|prepareZXingModule|readBarcodes/);
  }

  await page.getByRole('button', { name: 'Scan with camera' }).click();
  await page.getByRole('region', { name: 'Camera' }).waitFor();
  await expect.poll(() => fetched.filter((p) => DECODER.test(p)).length, { timeout: 20_000 }).toBeGreaterThan(0);
});

test('the first download holds no database library: the sign-in screen is drawn from a raw IndexedDB read, Dexie loads on demand', async () => {
  const dist = await ensureBuilt();
  const files = initialJsFiles(dist);
  expect(files.length).toBeGreaterThan(0);
  const dexie = /DatabaseClosedError/;
  for (const file of files) expect(readFileSync(path.join(dist, file), 'utf8'), file).not.toMatch(dexie);
  // The marker is Dexie's own: the build does carry it, in a chunk loaded later.
  const lazy = readdirJs(dist).filter((f) => !files.includes(f));
  expect(lazy.some((f) => dexie.test(readFileSync(path.join(dist, f), 'utf8')))).toBe(true);
});

function readdirJs(dist: string): string[] {
  return readdirSync(path.join(dist, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `assets/${f}`);
}
