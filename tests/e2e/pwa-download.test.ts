/**
 * A small first download: the camera decoder (ZXing's JS and its .wasm) is fetched by the
 * page only when the camera is opened, never on the way to a scan screen. (The service
 * worker precaches it in the background so the camera also works offline; those fetches
 * are the worker's, not the page's.)
 */
import { afterEach, expect, test } from 'vitest';
import type { Request } from 'playwright-core';
import { startApp } from './harness.ts';
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
