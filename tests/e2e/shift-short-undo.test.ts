/**
 * Issue 13 at 360x640 with touch: a short confirmed and then undone from the same list as
 * picks, as a correcting event. "None here" on a line, confirmed, moves the units to suspect;
 * "Take back" in the undo list records `pick.short_undone`, the units are available again,
 * the line wants them again and is picked in full.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { expectFeedback, expectFigures, ledgerTypes, openApp, scan, signIn } from '../ui/floor-steps.ts';
import { HANDHELD } from './shift-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp(HANDHELD);
});
afterAll(async () => {
  await app?.close();
});

test('a short confirmed and then undone: suspect back to available, the line picked in full afterwards', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.goto(`${app.baseUrl}/pick/PL-0001`);
  await page.getByRole('heading', { name: 'Scan a tote for order SO-50001' }).waitFor();
  await scan(page, 'T-0001');
  await scan(page, 'A-01-01');
  await page.getByRole('button', { name: 'Fewer here' }).tap();
  await page.getByRole('button', { name: 'None here' }).tap();
  await page.getByRole('heading', { name: 'Short 2 of Stainless bottle 750 ml at A-01-01?' }).waitFor();
  await page.getByRole('button', { name: 'Yes, record the short' }).tap();
  await expectFeedback(page, 'Short 2 × Stainless bottle 750 ml at A-01-01: a count is raised for the bin');
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 38, committed: 0, qc: 0, quarantine: 0, suspect: 2 });
  await page.getByRole('heading', { name: 'Go to bin A-02-01' }).waitFor();

  // The mistaken short is in the undo list beside the picks; taking it back is one correcting event.
  const undoList = page.getByRole('region', { name: 'Undo a pick or a short' });
  await undoList.getByText('Short 2 × Stainless bottle 750 ml · A-01-01').waitFor();
  await undoList.getByRole('button', { name: 'Take back the short of 2 × SKU-1001 at A-01-01' }).tap();
  await expectFeedback(page, 'Short taken back: 2 × Stainless bottle 750 ml at A-01-01 are wanted on this line again');
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 40, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
  expect(await ledgerTypes(api, 'pick.')).toEqual(['pick.short', 'pick.short_undone']);
  // Offered once: it is gone from the list, and the line is back to be picked.
  await expect.poll(() => undoList.count()).toBe(0);
  await page.getByRole('heading', { name: 'Go to bin A-01-01' }).waitFor();
  await scan(page, 'A-01-01');
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Set quantity' }).tap();
  await scan(page, '4006381330077');
  await expectFeedback(page, '2 × Stainless bottle 750 ml into tote T-0001');
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 38, committed: 2, qc: 0, quarantine: 0, suspect: 0 });
  // The recent scans speak of the take-back in words, not event types.
  expect(await page.locator('body').innerText()).not.toMatch(/pick\.short_undone/);
});
