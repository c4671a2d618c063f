/**
 * The real browser's worst days, part 1: a cold start with no network, and a tab that dies
 * while its push is on the wire. Real Chromium, real API, the app's own screens.
 */
import { afterEach, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { deviceLog, expectDeliveredExactlyOnce, startApp } from './harness.ts';
import type { App } from './harness.ts';
import { expectFeedback, openApp, scan, signIn } from '../ui/floor-steps.ts';

const PUSH = /^\/api\/v1\/devices\/[^/]+\/events$/;
const BOTTLE = '4006381330077'; // SKU-1001, picked from A-01-01 on order SO-50001 (2 units)

let app: App | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

async function openPick(page: Page, order: string): Promise<void> {
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: new RegExp(`Order ${order}`) }).click();
}

/** The sync badge's spoken label, e.g. "Sync: Offline, 2 waiting". */
const syncLabel = (page: Page) =>
  page
    .getByRole('button', { name: /^Sync\b/ })
    .first()
    .getAttribute('aria-label');

test('offline cold start: the closed app opens signed in with its cached work, records scans, delivers them when back online', async () => {
  app = await startApp({ persistent: true });
  const first = app.page;
  await openApp(first, app.baseUrl);
  await signIn(first, 'picker', '1111');
  // The work arrives with the first pull; then the worker has the shell and IndexedDB the work.
  await first.getByRole('button', { name: 'Pick', exact: true }).click();
  await first.getByRole('button', { name: /Order SO-50001/ }).waitFor();
  await first.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

  // The browser is closed (a reboot, a killed app) and starts again with no network at all.
  const page = await app.reopen({ offline: true });
  await page.goto(app.baseUrl);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await page.getByRole('navigation', { name: 'Workflows' }).waitFor();
  await openPick(page, 'SO-50001');
  await scan(page, 'T-0001');
  await scan(page, 'A-01-01');
  await scan(page, BOTTLE);
  await scan(page, BOTTLE);
  await expect.poll(() => syncLabel(page)).toMatch(/Offline, 2 waiting/);

  const offlineLog = await deviceLog(page);
  expect(offlineLog.events.map((e) => [e.seq, e.type, e.state])).toEqual([
    [1, 'pick.held', 'pending'],
    [2, 'pick.held', 'pending'],
  ]);
  expect(await app.api.ledger({ deviceId: offlineLog.deviceId ?? '' })).toEqual([]);

  await app.network.online();
  await expect.poll(() => syncLabel(page), { timeout: 20_000 }).toMatch(/All sent/);
  await expectDeliveredExactlyOnce(page, app.api);
  const rows = await app.api.stock({ sku: 'SKU-1001', location: 'A-01-01' });
  expect(rows.map((r) => [r.available, r.committed])).toEqual([[38, 2]]);
});

test('the tab is closed while a push is in flight: reopening delivers every event exactly once', async () => {
  app = await startApp({ persistent: true });
  const page = app.page;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await openPick(page, 'SO-50001');
  await scan(page, 'T-0001');
  await scan(page, 'A-01-01');

  // The first push is caught on the wire; a second scan queues behind it.
  const inFlight = app.network.hold(PUSH, 'POST');
  await scan(page, BOTTLE);
  const held = await inFlight;
  expect(JSON.parse(held.body).events).toHaveLength(1);
  await scan(page, BOTTLE);
  await expectFeedback(page, /Stainless bottle 750 ml/);
  expect((await deviceLog(page)).events.map((e) => e.state)).toEqual(['pending', 'pending']);

  // The tab dies; the request it had sent still reaches the API, which commits it: the
  // answer never comes back (the worst case: the device cannot know it was applied).
  await app.closeBrowser();
  await held.release();
  const deviceId = (JSON.parse(held.body) as { events: { deviceId: string }[] }).events[0]?.deviceId ?? '';
  expect((await app.api.ledger({ deviceId })).map((e) => e.seq)).toEqual([1]);

  const again = await app.reopen();
  await again.goto(app.baseUrl);
  await again.getByRole('navigation', { name: 'Workflows' }).waitFor();
  const log = await expectDeliveredExactlyOnce(again, app.api);
  expect(log.events.map((e) => [e.seq, e.type])).toEqual([
    [1, 'pick.held'],
    [2, 'pick.held'],
  ]);
  // Stock moved once per scan, not once per attempt.
  const rows = await app.api.stock({ sku: 'SKU-1001', location: 'A-01-01' });
  expect(rows.map((r) => [r.available, r.committed])).toEqual([[38, 2]]);
  // No push was ever answered "seq reused".
  expect(app.network.requests(PUSH, 'POST').filter((r) => r.status === 409)).toEqual([]);
});
