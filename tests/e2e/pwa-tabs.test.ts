/**
 * Two tabs of the app on one handheld share one event log: both record scans at the same
 * moment, seqs are never reused, nothing is lost, and only one tab pushes at a time.
 */
import { afterEach, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { deviceLog, expectDeliveredExactlyOnce, startApp } from './harness.ts';
import type { App } from './harness.ts';
import { expectFeedback, signIn } from '../ui/floor-steps.ts';

const PUSH = /^\/api\/v1\/devices\/[^/]+\/events$/;

let app: App | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/**
 * A scan delivered to one tab's scan field without the shared keyboard: two tabs cannot
 * both have keyboard focus, and interleaved synthetic keystrokes would mix their codes.
 */
async function scan(page: Page, code: string): Promise<void> {
  const field = page.getByLabel('Scan or type a code');
  await field.fill(code);
  await field.evaluate((input) => (input as HTMLInputElement).form?.requestSubmit());
}

async function openPick(page: Page, order: string): Promise<void> {
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: new RegExp(`Order ${order}`) }).click();
}

test('two tabs record scans at the same time: one log, no seq reused, nothing lost, pushes never overlap', async () => {
  app = await startApp({ persistent: true });
  const a = app.page;
  await a.goto(app.baseUrl);
  await signIn(a, 'picker', '1111');
  // The second tab shares the profile: same IndexedDB, same session, same device.
  const b = await app.context.newPage();
  await b.goto(app.baseUrl);
  await b.getByRole('navigation', { name: 'Workflows' }).waitFor();

  await openPick(a, 'SO-50001');
  await openPick(b, 'SO-50002');
  await Promise.all([scan(a, 'T-0001'), scan(b, 'T-0002')]);
  await Promise.all([scan(a, 'A-01-01'), scan(b, 'A-01-02')]);
  await Promise.all([expectFeedback(a, 'Bin A-01-01'), expectFeedback(b, 'Bin A-01-02')]);

  // Item scans in both tabs at once, round after round: 2 bottles in A, 3 pairs of socks in B.
  const rounds: [string | null, string][] = [
    ['4006381330077', '4006381330145'],
    ['4006381330077', '4006381330145'],
    [null, '4006381330145'],
  ];
  for (const [inA, inB] of rounds) await Promise.all([inA ? scan(a, inA) : Promise.resolve(), scan(b, inB)]);
  await Promise.all([expectFeedback(a, /Stainless bottle 750 ml/), expectFeedback(b, /Trail socks, size M/)]);

  const log = await expectDeliveredExactlyOnce(a, app.api);
  expect(log.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  expect(log.events.filter((e) => e.type === 'pick.held')).toHaveLength(5);
  expect(log.nextSeq).toBe(6);
  // Both tabs read the same log.
  expect((await deviceLog(b)).events).toEqual(log.events);

  const pushes = app.network.requests(PUSH, 'POST');
  expect(pushes.length).toBeGreaterThan(0);
  expect(pushes.filter((r) => r.status !== 200)).toEqual([]);
  expect(app.network.maxInFlight(PUSH, 'POST')).toBe(1);

  const [bottles] = await app.api.stock({ sku: 'SKU-1001', location: 'A-01-01' });
  const [socks] = await app.api.stock({ sku: 'SKU-1002', location: 'A-01-02' });
  expect([bottles?.committed, socks?.committed]).toEqual([2, 3]);
});
