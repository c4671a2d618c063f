/**
 * PWA figures, on the production build in Debian's Chromium:
 * - `pwa.initial_js_gzip_kb`: JavaScript a first visit downloads before the app can run
 *   (the entry, its static imports and modulepreloads), gzipped. Lazy chunks such as the
 *   camera decoder are not counted: they load when the camera opens.
 * - `pwa.offline_cold_start_ms`: a browser started fresh with no network, on a profile that
 *   used the app once: from navigation to the scan screen ready for a scan (median of runs).
 * - `pwa.lighthouse_performance`: Lighthouse's performance score (0-100), mobile, simulated throttling.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { quantile, round } from './report.ts';
import type { Report } from './report.ts';
import { ensureBuilt, initialJsFiles, runLighthouse, startApp } from '../tests/e2e/harness.ts';
import type { Page } from 'playwright-core';

const COLD_START_RUNS = 5;
/**
 * Budget for the first download on a slow handheld (about a second on a 1.6 Mbit/s link).
 * Over it, the bench prints the figure and then fails, naming the biggest initial files.
 */
export const INITIAL_JS_BUDGET_KIB = 180;

/** Signs in as the picker and opens the pick lists, so the work is cached on the device. */
async function signInAndCacheWork(page: Page): Promise<void> {
  await page.getByLabel('User name').fill('picker');
  await page.getByLabel('PIN').fill('1111');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
}

/** From the home screen to a pick whose scan field takes input: what a picker does first. */
async function openScanScreen(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await page.getByLabel('Scan or type a code').waitFor({ state: 'visible' });
  await page.waitForFunction(() => {
    const el = document.querySelector('input[aria-label="Scan or type a code"]');
    return el instanceof HTMLInputElement && !el.disabled && !el.readOnly;
  });
}

export async function run(report: Report): Promise<void> {
  const dist = await ensureBuilt();
  const files = initialJsFiles(dist);
  const gzipBytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(dist, f)), { level: 9 }).length, 0);
  const initialKib = round(gzipBytes / 1024, 1);
  report({ metric: 'pwa.initial_js_gzip_kb', value: initialKib, unit: 'KiB' });
  const overBudget = initialKib > INITIAL_JS_BUDGET_KIB;

  const app = await startApp({ persistent: true, staticDir: dist });
  try {
    await app.page.goto(app.baseUrl);
    await signInAndCacheWork(app.page);
    const samples: number[] = [];
    for (let i = 0; i < COLD_START_RUNS; i += 1) {
      const page = await app.reopen({ offline: true });
      const started = performance.now();
      await page.goto(app.baseUrl);
      await openScanScreen(page);
      samples.push(performance.now() - started);
    }
    report({ metric: 'pwa.offline_cold_start_ms', value: round(quantile(samples, 0.5), 0), unit: 'ms' });

    await app.closeBrowser();
    await app.network.online();
    const lh = await runLighthouse(app.baseUrl, ['performance']);
    report({ metric: 'pwa.lighthouse_performance', value: lh.scores.performance ?? 0, unit: 'score' });
  } finally {
    await app.close();
  }
  if (overBudget) {
    throw new Error(`initial JS is ${initialKib} KiB gzipped, over the ${INITIAL_JS_BUDGET_KIB} KiB budget: ${files.join(', ')}`);
  }
}
