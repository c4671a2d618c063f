import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, expectFeedback, expectFigures, scan, signIn, signOut } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await app?.close();
});

test('returns go into quarantine, never available; the supervisor resells one and writes one off', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'returns', '4444');
  const tiles = page.getByRole('navigation', { name: 'Workflows' }).getByRole('button');
  await expect.poll(() => tiles.allInnerTexts()).toEqual(['Returns']);
  await page.getByRole('button', { name: 'Returns' }).click();

  await page.getByRole('button', { name: 'Quarantine' }).click();
  await expectFeedback(page, 'Scan the returned item first');

  await scan(page, '4006381330350');
  await expectFeedback(page, '1 × Dry bag 20 l: pick its condition');
  await page.getByLabel('Order or RMA (optional)').fill('RMA-77');
  await page.getByRole('button', { name: 'Quarantine' }).click();
  await expectFeedback(page, 'Pick the condition of the item');
  await page.getByRole('button', { name: 'Damaged' }).click();
  await page.getByLabel('Note (optional)').fill('torn seam');
  await page.getByRole('button', { name: 'Quarantine' }).click();
  await expectFeedback(page, '1 × Dry bag 20 l (damaged) quarantined at RET-1');

  await scan(page, '4006381330428');
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await page.getByRole('button', { name: 'Sealed' }).click();
  await page.getByRole('button', { name: 'Quarantine' }).click();
  await expectFeedback(page, '2 × Microfibre towel (sealed) quarantined at RET-1');

  // Quarantined: on hand, never available to promise.
  await expectFigures(api, 'SKU-1005', 'RET-1', { available: 0, committed: 0, qc: 0, quarantine: 1, suspect: 0 });
  await expectFigures(api, 'SKU-1006', 'RET-1', { available: 0, committed: 0, qc: 0, quarantine: 2, suspect: 0 });

  // User switch on the same device: the supervisor decides.
  await signOut(page);
  await signIn(page, 'supervisor', '3333');
  await page.getByRole('button', { name: 'Decisions' }).click();
  const quarantine = page.getByRole('region', { name: 'Quarantine' });
  await quarantine.getByRole('button', { name: /Dry bag 20 l · damaged/ }).click({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Ready for resale' }).click();
  await expectFeedback(page, 'First scan the bin the item goes back into, then tap "Ready for resale"');
  await scan(page, 'RET-1');
  await expectFeedback(page, 'RET-1 is not a bin: resale goes into a bin');
  await scan(page, 'B-01-01');
  await page.getByRole('button', { name: 'Ready for resale' }).click();
  await expectFeedback(page, '1 × Dry bag 20 l ready for resale in B-01-01');

  await quarantine.getByRole('button', { name: /2 × Microfibre towel · sealed/ }).click();
  await page.getByRole('button', { name: 'Write off' }).click();
  await expectFeedback(page, 'A write-off needs a reason');
  await page.getByLabel('Write-off reason').fill('wet and mouldy');
  await page.getByRole('button', { name: 'Write off' }).click();
  await expectFeedback(page, '2 × Microfibre towel written off: wet and mouldy');

  await expectFigures(api, 'SKU-1005', 'RET-1', { available: 0, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1005', 'B-01-01', { available: 16, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1006', 'RET-1', { available: 0, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1006', 'B-01-02', { available: 50, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
});
