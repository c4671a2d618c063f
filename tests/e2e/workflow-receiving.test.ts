import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App, type LedgerEntry } from './harness.ts';
import { openApp, expectFeedback, feedbackTone, expectFigures, read, scan, signIn } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await app?.close();
});

test('receiving into QC by pallet and GS1 labels, over flagged; QC release into a bin', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'receiver', '2222');
  const tiles = page.getByRole('navigation', { name: 'Workflows' }).getByRole('button');
  await expect.poll(() => tiles.allInnerTexts()).toEqual(['Blind counts', 'Receiving', 'QC release', 'Returns']);

  await page.getByRole('button', { name: 'Receiving' }).click();
  await page.getByRole('button', { name: /RCV-0001/ }).waitFor();
  // Scanning a pallet's SSCC opens its receipt.
  await scan(page, '034012345000000019');
  await page.getByRole('heading', { name: 'Receipt RCV-0001' }).waitFor();

  await scan(page, '(01)04006381330282(10)LOT7(17)271231(37)24');
  await expectFeedback(page, '24 × Camping mug, enamel (lot LOT7, expiry 2027-12-31): confirm to receive');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expectFeedback(page, 'Received 24 × Camping mug, enamel into QC: 24/24');

  // An item the receipt does not expect is refused.
  await scan(page, '4006381330077');
  await expectFeedback(page, 'Stainless bottle 750 ml (SKU-1001) is not on receipt RCV-0001: set it aside');

  // A plain EAN with a keyed quantity; 12 of 10 expected is received and flagged.
  await page.getByLabel('Quantity').fill('12');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330565');
  await expectFeedback(page, '12 × Rain poncho: confirm to receive');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expectFeedback(page, 'Received 12 × Rain poncho into QC: over by 2 (12/10), flagged');
  expect(await feedbackTone(page)).toBe('supervisor');
  await expect
    .poll(() => page.getByRole('table', { name: 'Receipt lines' }).getByRole('row').allInnerTexts())
    .toEqual(['Item\tReceived / expected\tState', 'Camping mug, enamel (SKU-1004)\t24 / 24\tcomplete', 'Rain poncho (SKU-1008)\t12 / 10\t2 too many']);
  await page.getByRole('button', { name: 'Finish receipt' }).click();

  await expectFigures(api, 'SKU-1004', 'DOCK-1', { available: 0, committed: 0, qc: 24, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1008', 'DOCK-1', { available: 0, committed: 0, qc: 12, quarantine: 0, suspect: 0 });
  const { events } = await read<{ events: LedgerEntry[] }>(api, '/api/v1/ledger');
  expect(events.filter((e) => e.type === 'receipt.received').map((e) => e.payload)).toEqual([
    {
      receiptId: 'RCV-0001',
      lineId: '1',
      sscc: '034012345000000019',
      gtin: '04006381330282',
      sku: 'SKU-1004',
      lot: 'LOT7',
      expiry: '2027-12-31',
      location: 'DOCK-1',
      qty: 24,
    },
    { receiptId: 'RCV-0001', lineId: '2', sscc: '034012345000000019', gtin: '04006381330565', sku: 'SKU-1008', location: 'DOCK-1', qty: 12 },
  ]);

  // QC release: goods, quantity, destination bin.
  await page.getByRole('button', { name: 'Home' }).click();
  await page.getByRole('button', { name: 'QC release' }).click();
  await scan(page, '4006381330282');
  await page.getByLabel('Quantity').fill('20');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, 'RET-1');
  await expectFeedback(page, 'RET-1 is not a bin: put goods away into a bin');
  await scan(page, 'A-02-02');
  await expectFeedback(page, 'Released 20 × Camping mug, enamel from QC into A-02-02');

  await expectFigures(api, 'SKU-1004', 'DOCK-1', { available: 0, committed: 0, qc: 4, quarantine: 0, suspect: 0 });
  await expectFigures(api, 'SKU-1004', 'A-02-02', { available: 50, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
});
