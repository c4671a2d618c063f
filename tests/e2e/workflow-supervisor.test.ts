import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, expectFeedback, expectFigures, ledgerTypes, scan, signIn, signOut } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await app?.close();
});

test('a large count variance waits for the supervisor, who approves it; exceptions list the discrepancies', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await scan(page, 'T-0003');
  await scan(page, 'A-01-01');
  // Fewer here: 1 found of 2.
  await page.getByRole('button', { name: 'Fewer here' }).click();
  await page.getByLabel('How many were in the bin, with the 0 already scanned?').fill('1');
  await page.getByRole('button', { name: 'Check short' }).click();
  await page.getByRole('button', { name: 'Yes, record the short' }).click();
  await expectFeedback(page, /Short 1 × Stainless bottle 750 ml at A-01-01: a count is raised for the bin/);
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 38, committed: 1, qc: 0, quarantine: 0, suspect: 1 });

  await page.getByRole('button', { name: 'Home' }).click();
  await page.getByRole('button', { name: 'Blind counts' }).click();
  await page.getByRole('button', { name: /Count A-01-01/ }).click({ timeout: 15_000 });
  await scan(page, 'A-01-01');
  await page.getByLabel('Item').selectOption('SKU-1001');
  await page.getByLabel('Counted quantity').fill('20');
  await page.getByRole('button', { name: 'Key count' }).click();
  await page.getByRole('button', { name: 'Record count' }).click();
  await expectFeedback(page, 'Count of A-01-01 recorded');
  await expect.poll(() => ledgerTypes(api, 'count.')).toEqual(['count.started', 'count.recorded']);
  // 20 counted against 39 on the shelf at the start: too large to post by itself.
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 38, committed: 1, qc: 0, quarantine: 0, suspect: 1 });

  await signOut(page);
  await signIn(page, 'supervisor', '3333');
  await page.getByRole('button', { name: 'Decisions' }).click();
  const variances = page.getByRole('region', { name: 'Count variances' });
  await variances.getByText('Stainless bottle 750 ml (SKU-1001): expected 39, counted 20 (-19)').waitFor();
  await variances.getByRole('button', { name: 'Approve count A-01-01' }).click();
  await expectFeedback(page, /approved: the bin is corrected/);
  // Posted relative to the start: the held pick (committed 1) is untouched, suspect resolved.
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 20, committed: 1, qc: 0, quarantine: 0, suspect: 0 });

  await page.getByRole('button', { name: 'Home' }).click();
  await page.getByRole('button', { name: 'Exceptions' }).click();
  const discrepancies = page.getByRole('region', { name: 'Discrepancies' });
  await discrepancies.getByText('short pick: 1 of SKU-1001 missing at A-01-01').waitFor();
  await discrepancies.getByText('count of SKU-1001 at A-01-01: expected 39, counted 20').waitFor();
  await expect.poll(() => page.getByRole('region', { name: 'Rejected events' }).getByRole('listitem').count()).toBe(0);
});
