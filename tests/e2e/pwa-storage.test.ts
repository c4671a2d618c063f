/**
 * Storage full: IndexedDB refuses writes with QuotaExceededError (injected into the page's
 * IDBObjectStore). The scan is refused loudly, the screen does not move on, earlier events
 * stay and are still delivered, and scanning works again once space is back.
 */
import { afterEach, expect, test } from 'vitest';
import { deviceLog, expectDeliveredExactlyOnce, startApp } from './harness.ts';
import type { App } from './harness.ts';
import { expectFeedback, openApp, scan, signIn } from '../ui/floor-steps.ts';

const BOTTLE = '4006381330077';

let app: App | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

test('quota exceeded: the scan is refused loudly, nothing half-written, earlier events stay', async () => {
  app = await startApp();
  const { page } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await scan(page, 'T-0001');
  await scan(page, 'A-01-01');
  await scan(page, BOTTLE);
  await expectFeedback(page, /1 × Stainless bottle 750 ml into tote T-0001/);
  const before = await expectDeliveredExactlyOnce(page, app.api);
  expect(before.events).toHaveLength(1);

  // The disk fills up: every IndexedDB write now fails the way Chromium fails it.
  await page.evaluate(() => {
    const full = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    const proto = IDBObjectStore.prototype as unknown as Record<string, unknown>;
    (window as unknown as { __idbWrites: unknown }).__idbWrites = { add: proto.add, put: proto.put };
    proto.add = full;
    proto.put = full;
  });
  await scan(page, BOTTLE);
  await expectFeedback(page, 'This scan was NOT saved');
  const feedback = page.getByRole('status', { name: 'Feedback' });
  expect(await feedback.innerText()).toMatch(/storage is full/i);
  expect(await feedback.locator('[data-tone]').getAttribute('data-tone')).toBe('wrong');
  // Still one event on the device (the refused scan took no seq) and one on the API.
  const during = await deviceLog(page);
  expect(during.events).toEqual(before.events);
  expect(during.nextSeq).toBe(2);
  expect(await app.api.ledger({ deviceId: before.deviceId ?? undefined })).toHaveLength(1);

  // Space is back: the same scan is recorded with the next seq, and delivered.
  await page.evaluate(() => {
    const saved = (window as unknown as { __idbWrites: Record<string, unknown> }).__idbWrites;
    Object.assign(IDBObjectStore.prototype, saved);
  });
  await scan(page, BOTTLE);
  await expectFeedback(page, /Stainless bottle 750 ml into tote T-0001/);
  const after = await expectDeliveredExactlyOnce(page, app.api);
  expect(after.events.map((e) => [e.seq, e.type])).toEqual([
    [1, 'pick.held'],
    [2, 'pick.held'],
  ]);
  const rows = await app.api.stock({ sku: 'SKU-1001', location: 'A-01-01' });
  expect(rows.map((r) => [r.available, r.committed])).toEqual([[38, 2]]);
});
