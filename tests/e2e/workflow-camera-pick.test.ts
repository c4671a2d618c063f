/**
 * The camera on a real workflow screen: the built app, the real API, Chromium's fake camera
 * playing a video of the first pick line's product label. Tote and bin come from the wedge,
 * the item from the camera; the unit is committed centrally once, however long the camera
 * keeps seeing the label.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { writeLabelVideo } from '../fixtures/barcode-video.ts';
import { expectFeedback, expectFigures, ledgerTypes, openApp, scan, signIn } from '../ui/floor-steps.ts';

// The seeded first line of order SO-50001: 2 x SKU-1001 (GTIN 4006381330077) from bin A-01-01.
const BOTTLE = { name: 'bottle-ean-13', bcid: 'ean13', data: '4006381330077', canonical: '4006381330077', linear: true };

let app: App;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'camera-pick-'));
  app = await startApp({ viewport: { width: 360, height: 740 }, fakeCamera: await writeLabelVideo(BOTTLE, dir) });
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

test('a product read by the camera is held into the tote at the scan, once', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await scan(page, 'T-0001');
  await scan(page, 'A-01-01');
  await expectFeedback(page, 'Bin A-01-01: pick 2 × Stainless bottle 750 ml');

  const toggle = page.getByRole('button', { name: 'Scan with camera' });
  await toggle.click();
  expect(await toggle.getAttribute('aria-pressed')).toBe('true');
  await expectFeedback(page, '1 × Stainless bottle 750 ml into tote T-0001, 1 to go');
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 39, committed: 1, qc: 0, quarantine: 0, suspect: 0 });
  // The camera goes on seeing the label for many more frames: that is not a second unit.
  const frames = () => page.locator('.camera-status').getAttribute('data-frames').then(Number);
  const seen = await frames();
  await expect.poll(frames).toBeGreaterThan(seen + 20);
  await page.getByRole('button', { name: 'Close camera' }).click();
  await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
  expect(await ledgerTypes(api, 'pick.')).toEqual(['pick.held']);
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 39, committed: 1, qc: 0, quarantine: 0, suspect: 0 });
});
