import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, expectFeedback, feedbackTone, expectFigures, ledgerTypes, scan, signIn } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await app?.close();
});

test('pick-to-hold: tote, bins, items, a refusal and an undo; stock commits at the scan', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  // The picker's roles only: picker and counter.
  const tiles = page.getByRole('navigation', { name: 'Workflows' }).getByRole('button');
  await expect.poll(() => tiles.allInnerTexts()).toEqual(['Pick', 'Blind counts']);

  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();

  await scan(page, 'T-0001');
  await expectFeedback(page, 'Tote T-0001 is for order SO-50001');
  // Wrong bin: refused, nothing recorded.
  await scan(page, 'A-01-02');
  await expectFeedback(page, 'Wrong bin: this is A-01-02, go to A-01-01');
  expect(await feedbackTone(page)).toBe('wrong');
  await scan(page, 'A-01-01');
  await expectFeedback(page, 'Bin A-01-01: pick 2 × Stainless bottle 750 ml');
  expect(await feedbackTone(page)).toBe('accepted');
  await scan(page, 'A-01-01');
  await expectFeedback(page, 'Already at bin A-01-01');
  expect(await feedbackTone(page)).toBe('duplicate');
  // Wrong item: refused.
  await scan(page, '4006381330213');
  await expectFeedback(page, /Wrong item: Head torch 300 lm \(SKU-1003\)/);
  await scan(page, '4006381330077');
  await expectFeedback(page, '1 × Stainless bottle 750 ml into tote T-0001, 1 to go');
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 39, committed: 1, qc: 0, quarantine: 0, suspect: 0 });

  // Undo records a reversing event: the unit is available again.
  await page.getByRole('button', { name: 'Undo last pick' }).click();
  await expectFeedback(page, 'Undone: 1 × Stainless bottle 750 ml back to bin A-01-01');
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 40, committed: 0, qc: 0, quarantine: 0, suspect: 0 });

  // A quantity key for many units.
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330077');
  await expectFeedback(page, '2 × Stainless bottle 750 ml into tote T-0001');

  await scan(page, 'A-02-01');
  await scan(page, '4006381330213');
  await expectFeedback(page, '1 × Head torch 300 lm into tote T-0001');

  await scan(page, 'B-01-01');
  await page.getByLabel('Quantity').fill('5');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330497');

  const tote = page.getByRole('region', { name: 'On the tote', exact: true });
  await tote.waitFor();
  await expect
    .poll(() => tote.getByRole('row').allInnerTexts())
    .toEqual(['Item\tUnits', 'Stainless bottle 750 ml (SKU-1001)\t2', 'Head torch 300 lm (SKU-1003)\t1', 'Carabiner, locking (SKU-1007)\t5']);

  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 38, committed: 2, qc: 0, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1003', 'A-02-01', { available: 24, committed: 1, qc: 0, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1007', 'B-01-01', { available: 115, committed: 5, qc: 0, quarantine: 0, suspect: 0 });
  // The refusals recorded nothing: 4 holds and 1 undo reached the ledger.
  expect(await ledgerTypes(api, 'pick.')).toEqual(['pick.held', 'pick.undone', 'pick.held', 'pick.held', 'pick.held']);

  // Any pick on the tote can be undone by name: the line opens again.
  await page.getByRole('button', { name: 'Undo 5 × SKU-1007 from B-01-01' }).click();
  await expectFeedback(page, 'Undone: 5 × Carabiner, locking back to bin B-01-01');
  await page.getByRole('heading', { name: 'Go to bin B-01-01' }).waitFor();
  await expectFigures(api, 'SKU-1007', 'B-01-01', { available: 120, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
});
