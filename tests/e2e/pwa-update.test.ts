/**
 * A new build is deployed while scans wait to be sent: the running app announces it, never
 * offers it in the middle of a pick, and once the user agrees the new version delivers what
 * the old one recorded, exactly once, even with the old version's push cut off mid-flight.
 */
import { afterEach, expect, test } from 'vitest';
import { deviceLog, ensureBuilt, expectDeliveredExactlyOnce, startApp } from './harness.ts';
import type { App } from './harness.ts';
import { openApp, scan, signIn } from '../ui/floor-steps.ts';

const PUSH = /^\/api\/v1\/devices\/[^/]+\/events$/;
const BOTTLE = '4006381330077';

let app: App | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

test('new build while events are pending: announced, held back mid-task, applied on request, events delivered once', async () => {
  const v1 = await ensureBuilt();
  const v2 = await ensureBuilt('e2e-next');
  app = await startApp({ persistent: true, staticDir: v1 });
  const { page } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  expect(await page.evaluate(() => document.documentElement.dataset.build)).toBe('e2e');

  // Mid-pick and offline: two scans wait on the device.
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await scan(page, 'T-0001');
  await app.network.offline();
  await scan(page, 'A-01-01');
  await scan(page, BOTTLE);
  await scan(page, BOTTLE);
  expect((await deviceLog(page)).events.map((e) => e.state)).toEqual(['pending', 'pending']);

  // The new build goes live; the network returns but the old version's push hangs on the wire.
  app.deploy(v2);
  const stuckPush = app.network.hold(PUSH, 'POST');
  await app.network.online();
  const held = await stuckPush;

  // The app looks for an update when the network returns: announced, but not offered mid-pick.
  const prompt = page.getByRole('alertdialog', { name: 'A new version is ready' });
  await prompt.waitFor({ timeout: 20_000 });
  expect(await prompt.innerText()).toContain('Finish the current task first');
  expect(await prompt.getByRole('button', { name: 'Update now' }).count()).toBe(0);
  expect((await deviceLog(page)).events.map((e) => e.state)).toEqual(['pending', 'pending']);

  // Leaving the pick ends the task: now the user may update.
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  const update = prompt.getByRole('button', { name: 'Update now' });
  await update.waitFor();
  await update.click();
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.build).catch(() => 'reloading'), { timeout: 20_000 }).toBe('e2e-next');

  // The old page's push finally reaches the API after the new version has started.
  await held.release();
  const log = await expectDeliveredExactlyOnce(page, app.api);
  expect(log.events.map((e) => [e.seq, e.type])).toEqual([
    [1, 'pick.held'],
    [2, 'pick.held'],
  ]);
  const rows = await app.api.stock({ sku: 'SKU-1001', location: 'A-01-01' });
  expect(rows.map((r) => [r.available, r.committed])).toEqual([[38, 2]]);
  expect(app.network.requests(PUSH, 'POST').filter((r) => r.status !== undefined && r.status !== 200)).toEqual([]);
});
