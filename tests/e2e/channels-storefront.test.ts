/**
 * The whole loop in Chromium: the reference storefront (its own process, registered as a
 * channel, verifying every webhook) shows its live ATP in one tab; a picker works on the
 * handheld in another. A pick of floor work changes the storefront's number; an order the
 * storefront places reserves units at once (the storefront's ATP drops, the shelf does not),
 * becomes the picker's pick list when confirmed, and its pick commits exactly those units; a
 * short pick and a cancelled order each reach the storefront as well.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startApp, startStorefront, type App, type Storefront } from './harness.ts';
import { openApp, expectFeedback, expectFigures, scan, signIn } from '../ui/floor-steps.ts';
import { LOOPBACK_TARGETS } from '../fixtures/channels.ts';

let app: App;
let storefront: Storefront;
let shop: Page;

beforeAll(async () => {
  app = await startApp({
    viewport: { width: 360, height: 740 },
    // The storefront listens on 127.0.0.1: allowed by name, as `npm start` does.
    server: { channels: { webhookTargets: LOOPBACK_TARGETS, worker: { pollMs: 200 } } },
  });
  storefront = await startStorefront(app.server.url);
  shop = await app.context.newPage();
  await shop.goto(storefront.url);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await storefront?.close();
});

/** The storefront's ATP of `sku`, as its page shows it. */
const shown = async (sku: string): Promise<number> =>
  Number(await shop.getByRole('table', { name: 'Live stock' }).locator(`tr[data-sku="${sku}"] td.n`).innerText());
/** What the API says the storefront channel may sell of `sku` now. */
const atpNow = async (sku: string, token: string): Promise<number> =>
  (await app.api.get<{ items: { atp: number }[] }>(`/api/v1/channels/storefront/atp?sku=${sku}`, token)).items[0]?.atp ?? -1;

test("a pick on the handheld moves the storefront's ATP; the storefront's order reserves, and its pick commits what it reserved; a short and a cancel reach it too", async () => {
  const { page, api } = app;
  const sup = await api.signIn();
  // Every SKU was pushed to the new endpoint, signed: the page shows the truth.
  await expect.poll(() => shown('SKU-1001')).toBe(50);
  await expect.poll(() => shown('SKU-1006')).toBe(50);
  await expect.poll(() => shop.getByText(/\d+ verified deliveries, 0 refused/).count()).toBe(1);

  // The picker picks 2 bottles of the demo order SO-50001 into a tote.
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await scan(page, 'T-0001');
  await scan(page, 'A-01-01');
  await expectFeedback(page, 'Bin A-01-01: pick 2 × Stainless bottle 750 ml');
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330077');
  await expectFeedback(page, /2 × Stainless bottle 750 ml into tote T-0001/);
  // The storefront's number follows by itself (webhook, no reload, no poll of the API by the page).
  await expect.poll(() => shown('SKU-1001')).toBe(48);
  expect(await atpNow('SKU-1001', sup)).toBe(48);

  // The storefront fires a one-order flash sale of 3 towels: reserved at once.
  await shop.getByLabel('SKU').fill('SKU-1006');
  await shop.getByRole('spinbutton', { name: 'Orders' }).fill('1');
  await shop.getByLabel('Units each').fill('3');
  await shop.getByRole('button', { name: 'Fire flash sale' }).click();
  await expect.poll(() => shop.getByRole('status').innerText()).toBe('1 accepted, 0 refused');
  await expect.poll(() => shown('SKU-1006')).toBe(47);
  // Reserved, not moved: the shelf still holds 50 available; no other channel can promise the 3.
  await expectFigures(api, 'SKU-1006', 'B-01-02', { available: 50, committed: 0, qc: 0, quarantine: 0, suspect: 0 });
  const orders = shop.getByRole('list', { name: 'Orders' }).getByRole('listitem');
  await expect.poll(() => orders.allInnerTexts()).toEqual([expect.stringMatching(/^SO-[0-9a-f]{16}: reserved$/)]);
  const orderId = (await orders.first().innerText()).split(':')[0] as string;

  // Confirmed (by a supervisor here): it becomes the picker's pick list.
  const confirmed = await fetch(`${api.url}/api/v1/channels/storefront/orders/${orderId}/confirm`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sup}` },
  });
  expect(confirmed.status).toBe(200);
  await expect.poll(() => orders.allInnerTexts()).toEqual([`${orderId}: confirmed`]);

  await page.getByRole('button', { name: 'Home' }).click();
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: new RegExp(`Order ${orderId}`) }).click();
  await scan(page, 'T-0002');
  await scan(page, 'B-01-02');
  await expectFeedback(page, 'Bin B-01-02: pick 3 × Microfibre towel');
  await page.getByLabel('Quantity').fill('3');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330428');
  await expectFeedback(page, /3 × Microfibre towel into tote T-0002/);

  // The reserved units are now committed: the order is picked, the storefront's ATP does not drop twice.
  await expect.poll(() => orders.allInnerTexts()).toEqual([`${orderId}: picked`]);
  await expectFigures(api, 'SKU-1006', 'B-01-02', { available: 47, committed: 3, qc: 0, quarantine: 0, suspect: 0 });
  expect(await shown('SKU-1006')).toBe(47);
  expect(await atpNow('SKU-1006', sup)).toBe(47);

  // A short pick: the 3 socks the bin lacks leave every channel's ATP at once.
  await expect.poll(() => shown('SKU-1002')).toBe(60);
  await page.getByRole('button', { name: 'Home' }).click();
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50002/ }).click();
  await scan(page, 'T-0003');
  await scan(page, 'A-01-02');
  await expectFeedback(page, 'Bin A-01-02: pick 3 × Trail socks, size M');
  await page.getByRole('button', { name: 'Fewer here' }).click();
  await page.getByRole('button', { name: 'None here' }).click();
  await page.getByRole('button', { name: 'Yes, record the short' }).click();
  await expectFeedback(page, /Short 3 × Trail socks, size M at A-01-02/);
  await expect.poll(() => shown('SKU-1002')).toBe(57);

  // A cancel: the storefront's second order gives its 2 head torches back.
  await expect.poll(() => shown('SKU-1003')).toBe(25);
  await shop.getByLabel('SKU').fill('SKU-1003');
  await shop.getByRole('spinbutton', { name: 'Orders' }).fill('1');
  await shop.getByLabel('Units each').fill('2');
  await shop.getByRole('button', { name: 'Fire flash sale' }).click();
  await expect.poll(() => shown('SKU-1003')).toBe(23);
  await expect.poll(() => orders.count()).toBe(2);
  const second = (await orders.allInnerTexts()).map((t) => t.split(':')[0] as string).find((id) => id !== orderId) as string;
  const cancelled = await fetch(`${api.url}/api/v1/channels/storefront/orders/${second}/cancel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sup}` },
  });
  expect(cancelled.status).toBe(200);
  await expect.poll(() => shown('SKU-1003')).toBe(25);
  await expect.poll(() => orders.allInnerTexts()).toContain(`${second}: cancelled`);

  // Nothing the storefront received was unsigned.
  expect(await shop.getByText(/verified deliveries, 0 refused$/).count()).toBe(1);
}, 180_000);
