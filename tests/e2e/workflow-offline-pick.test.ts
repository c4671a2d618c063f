import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, expectFeedback, feedbackTone, expectFigures, figures, scan, signIn } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await app?.close();
});

/** The sync badge's accessible name says what waits: its text is symbols. */
const syncState = (app: App) => app.page.getByRole('button', { name: /^Sync:/ }).getAttribute('aria-label');

test('a whole pick offline, a reload while offline, then back online: the central figures catch up', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  // The service worker must control the page before the network goes, or a reload has no shell.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  if (await page.evaluate(() => navigator.serviceWorker.controller === null)) await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none')).toBe('activated');

  await signIn(page, 'picker', '1111');
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).waitFor();

  await app.network.offline();
  await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(false);
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await scan(page, 'T-0009');
  await scan(page, 'A-01-01');
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330077');
  // Recorded offline: its own tone and words.
  await expectFeedback(page, /Saved offline: 2 × Stainless bottle 750 ml into tote T-0009/);
  expect(await feedbackTone(page)).toBe('offline');
  await scan(page, 'A-02-01');
  await scan(page, '4006381330213');
  await scan(page, 'B-01-01');
  await page.getByLabel('Quantity').fill('5');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330497');
  await page.getByRole('region', { name: 'On the tote', exact: true }).waitFor();
  await expect.poll(() => syncState(app)).toBe('Sync: Offline, 3 waiting');
  const lastScans = page.getByRole('region', { name: 'Last scans' });
  await expect.poll(() => lastScans.getByText('waiting to send').count()).toBe(3);
  // Nothing reached the API yet.
  expect(await figures(api, 'SKU-1001', 'A-01-01')).toEqual({ available: 40, committed: 0, qc: 0, quarantine: 0, suspect: 0 });

  // A reload with no network: the shell (and the screen's lazily loaded code) comes from the service
  // worker, the session and queue from IndexedDB; since issue 13 it returns to the same screen.
  await page.reload();
  await page.getByRole('region', { name: 'On the tote', exact: true }).waitFor();
  await expect.poll(() => syncState(app)).toBe('Sync: Offline, 3 waiting');
  expect(await figures(api, 'SKU-1001', 'A-01-01')).toEqual({ available: 40, committed: 0, qc: 0, quarantine: 0, suspect: 0 });

  await app.network.online();
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 38, committed: 2, qc: 0, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1003', 'A-02-01', { available: 24, committed: 1, qc: 0, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1007', 'B-01-01', { available: 115, committed: 5, qc: 0, quarantine: 0, suspect: 0 });
  await expect.poll(() => syncState(app)).toBe('Sync: All sent');
});
