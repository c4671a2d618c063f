/**
 * Issue 13 at the dock, on a 360x640 touch handheld: the receipt table fits, a pallet scan
 * says what it opened, receiving and QC release end on a done line; returns keep their main
 * button and their confirmation on screen near the scan bar; a wedge fragment is never acted
 * on, and the scanner's Enter never presses the button that has focus.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { deviceLog, startApp, type App } from './harness.ts';
import { expectFeedback, expectFigures, feedback, feedbackTone, openApp, scan, signIn } from '../ui/floor-steps.ts';
import { expectOnScreen, HANDHELD, hardwareScan, pathOf } from './shift-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp(HANDHELD);
});
afterAll(async () => {
  await app?.close();
});

test('receiving: the pallet scan says what it opened; the lines table fits 360 px in plain words; finishing ends on a done line', async () => {
  const { page } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'receiver', '2222');
  await page.getByRole('button', { name: 'Receiving' }).tap();
  await page.getByRole('button', { name: /RCV-0001/ }).waitFor();
  await scan(page, '034012345000000019');
  await expectFeedback(page, /Pallet 034012345000000019: receipt RCV-0001 from /);
  expect(pathOf(page)).toBe('/receive/RCV-0001?pallet=034012345000000019');

  const table = page.getByRole('table', { name: 'Receipt lines' });
  await expect
    .poll(() => table.getByRole('row').allInnerTexts())
    .toEqual(['Item\tReceived / expected\tState', 'Camping mug, enamel (SKU-1004)\t0 / 24\t24 to come', 'Rain poncho (SKU-1008)\t0 / 10\t10 to come']);
  // Fits: nothing wider than the screen, no cell cut off.
  const fit = await table.evaluate((t) => {
    const cells = [...t.querySelectorAll('th, td')] as HTMLElement[];
    return {
      right: t.getBoundingClientRect().right,
      width: innerWidth,
      clipped: cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.innerText),
    };
  });
  expect(fit.right).toBeLessThanOrEqual(fit.width);
  expect(fit.clipped).toEqual([]);

  await scan(page, '(01)04006381330282(10)LOT7(17)271231(37)24');
  await expectFeedback(page, '24 × Camping mug, enamel (lot LOT7, expiry 2027-12-31): confirm to receive');
  const confirm = page.getByRole('button', { name: 'Confirm' });
  await expectOnScreen(page, confirm);
  await confirm.tap();
  await expectFeedback(page, 'Received 24 × Camping mug, enamel into QC: 24/24');
  await page.getByLabel('Quantity').fill('12');
  await page.getByRole('button', { name: 'Set quantity' }).tap();
  await scan(page, '4006381330565');
  await page.getByRole('button', { name: 'Confirm' }).tap();
  await expectFeedback(page, 'over by 2 (12/10), flagged');
  await expect
    .poll(() => table.getByRole('row').allInnerTexts())
    .toEqual(['Item\tReceived / expected\tState', 'Camping mug, enamel (SKU-1004)\t24 / 24\tcomplete', 'Rain poncho (SKU-1008)\t12 / 10\t2 too many']);
  await page.getByRole('button', { name: 'Finish receipt' }).tap();
  const done = page.getByRole('region', { name: 'Done' });
  await done.getByText('Receipt RCV-0001 finished').waitFor();
  await expectOnScreen(page, page.getByRole('button', { name: 'Back to receipts' }));

  // QC release: each release ends on a line saying what was put away.
  await page.getByRole('button', { name: 'Home' }).tap();
  await page.getByRole('button', { name: 'QC release' }).tap();
  await scan(page, '4006381330282');
  await page.getByLabel('Quantity').fill('20');
  await page.getByRole('button', { name: 'Set quantity' }).tap();
  await scan(page, 'A-02-02');
  await page.getByRole('region', { name: 'Last release' }).getByText('Released 20 × Camping mug, enamel from QC into A-02-02').waitFor();
  await expectFigures(app.api, 'SKU-1004', 'A-02-02', { available: 50, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
});

test("returns: Quarantine in reach, its confirmation beside the scan bar; a fragment is never acted on; the scanner's Enter never presses the focused button", async () => {
  const { page, api } = app;
  await page.getByRole('button', { name: 'Home' }).tap();
  await page.getByRole('button', { name: 'Returns' }).tap();
  const quarantine = page.getByRole('button', { name: 'Quarantine' });
  await expectOnScreen(page, quarantine);
  await quarantine.tap();
  await expectFeedback(page, 'Scan the returned item first');
  // A refused scan repeated at once is refused again for its reason, never called "already done".
  await scan(page, 'A-01-01');
  await expectFeedback(page, 'Scan the returned item, not location A-01-01');
  await scan(page, 'A-01-01');
  await expectFeedback(page, 'Scan the returned item, not location A-01-01');
  expect(await feedback(page)).not.toMatch(/Same code again|Already done|Duplicate/);
  expect(await feedbackTone(page)).toBe('wrong');
  await quarantine.focus();
  expect(await quarantine.evaluate((b) => b === document.activeElement)).toBe(true);

  // A hardware scan with Quarantine focused: the code and its Enter go to the scan, not the button.
  await hardwareScan(page, '4006381330350');
  await expectFeedback(page, '1 × Dry bag 20 l: pick its condition');
  expect(await feedbackTone(page)).toBe('accepted');
  expect(await quarantine.evaluate((b) => b === document.activeElement)).toBe(true);
  // An accepted scan repeated at once is a repeat: said so, nothing taken twice.
  await hardwareScan(page, '4006381330350');
  await expectFeedback(page, 'Same code again within a moment: not counted twice (4006381330350)');
  expect(await feedbackTone(page)).toBe('duplicate');

  // A fragment (the rest and the Enter held up on a busy device): refused with a pointer, nothing taken.
  await hardwareScan(page, '4006381330428', { enter: false });
  await expectFeedback(page, /Only part of a scan arrived \("4006381330428"\): nothing was done/);
  await page.getByRole('status', { name: 'Feedback' }).getByRole('button', { name: 'Scanner set-up' }).waitFor();
  await page.getByRole('heading', { name: '1 × Dry bag 20 l' }).waitFor();
  // Its late Enter, with Quarantine focused: still the scanner's, the button is not pressed.
  await quarantine.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Damaged' }).tap();
  await expect.poll(() => feedback(page)).toMatch(/Only part of a scan arrived/);
  expect(await feedback(page)).not.toMatch(/Pick the condition|quarantined/);
  expect((await deviceLog(page)).events.filter((e) => e.type.startsWith('return.'))).toEqual([]);

  await quarantine.tap();
  await expectFeedback(page, '1 × Dry bag 20 l (damaged) quarantined at RET-1');
  // Where the worker is looking: the confirmation sits right above the scan bar, both on screen.
  const line = page.getByRole('status', { name: 'Feedback' });
  const bar = page.getByRole('form', { name: 'Scan' });
  await expectOnScreen(page, line);
  await expectOnScreen(page, bar);
  const [lb, bb] = [await line.boundingBox(), await bar.boundingBox()];
  expect(lb && bb && bb.y - (lb.y + lb.height)).toBeLessThan(90);
  expect(lb && bb && bb.y - (lb.y + lb.height)).toBeGreaterThanOrEqual(0);
  // And the form starts again under a done line saying what was recorded.
  await page.getByRole('region', { name: 'Done' }).getByText('1 × Dry bag 20 l (damaged) quarantined at RET-1').waitFor();
  await expectOnScreen(page, page.getByRole('heading', { name: 'Scan the returned item' }));
  await expectFigures(api, 'SKU-1005', 'RET-1', { available: 0, committed: 0, qc: 0, quarantine: 1, suspect: 0 });
});

test('a pallet label read without its symbology identifier points to the scanner set-up page', async () => {
  const { page } = app;
  await page.getByRole('button', { name: 'Home' }).tap();
  await page.getByRole('button', { name: 'Receiving' }).tap();
  await scan(page, '00340123450000000017');
  await expectFeedback(page, /looks like a GS1 label read without its symbology identifier/);
  expect(await feedback(page)).not.toMatch(/not a product, pallet, bin, tote or badge/);
  await page.getByRole('status', { name: 'Feedback' }).getByRole('button', { name: 'Scanner set-up' }).tap();
  expect(pathOf(page)).toBe('/scanner');
  await page.goBack();
  await page.getByText('Scan a pallet, or open a receipt').waitFor();
  expect(pathOf(page)).toBe('/receive');
});
