/**
 * Reconciliation in Chromium: a channel with a real webhook endpoint that also answers the
 * read-back contract; a drift is injected on the channel's side (it shows another number than
 * it acknowledged); it appears in the live drift report with its cause; one click re-pushes the
 * figure through the outbox, the channel takes it, and the report clears by itself.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, signIn } from '../ui/floor-steps.ts';
import { httpCaller, registerChannels, supervisorToken, type Call } from '../fixtures/channels.ts';
import { Receiver } from '../fixtures/webhook-receiver.ts';

let app: App;
let call: Call;
let receiver: Receiver;

beforeAll(async () => {
  // The schedule ticks quickly here: a re-pushed figure is checked again as soon as it is acknowledged.
  app = await startApp({ viewport: { width: 1280, height: 900 }, server: { reconcile: { tickMs: 300 }, channels: { worker: { pollMs: 200 } } } });
  call = httpCaller(app.server.url);
  const sup = await supervisorToken(call);
  const key = (await registerChannels(call, sup, [{ id: 'shop' }])).shop as string;
  receiver = new Receiver([]);
  await receiver.start();
  const ep = await call<{ secret: string }>('POST', '/api/v1/channels/shop/webhooks', { token: key, body: { url: receiver.url } });
  expect(ep.status).toBe(201);
  receiver.secrets = [ep.body.secret];
  expect((await call('PUT', '/api/v1/reconcile/channels/shop/stock-url', { token: sup, body: { stockUrl: receiver.stockUrl } })).status).toBe(200);
});
afterAll(async () => {
  await app?.close();
  await receiver?.stop();
});

test('a channel showing another number appears in the report as edited on the channel; one re-push clears it', async () => {
  const { page } = app;
  await expect.poll(() => receiver.atp.size, { timeout: 30_000 }).toBe(8);
  const truth = receiver.atp.get('SKU-1003')?.atp as number;
  // The drift: a shop admin types 99 over the figure the channel acknowledged.
  receiver.edits.set('SKU-1003', 99);

  await openApp(page, app.baseUrl);
  await signIn(page, 'supervisor', '3333');
  await page.getByRole('button', { name: 'Control room' }).click();
  await page.getByRole('navigation', { name: 'Control room' }).getByRole('button', { name: 'Reconciliation' }).click();
  await page.getByRole('heading', { name: 'Reconciliation' }).waitFor();
  await page.getByRole('button', { name: 'Check every SKU now' }).click();

  const report = page.getByRole('table', { name: 'Drift report' });
  const row = report.getByRole('row').filter({ hasText: 'SKU-1003' });
  await row.getByText('Channel edited').waitFor();
  expect(await row.getByRole('cell').allInnerTexts()).toEqual(expect.arrayContaining(['SKU-1003', 'shop', 'main', String(truth), '99']));
  await expect.poll(() => page.getByRole('list', { name: 'Drifts by cause' }).innerText()).toMatch(/1\s*Channel edited/);

  await row.getByRole('button', { name: 'Re-push SKU-1003 to shop' }).click();
  await page.getByRole('status').getByText('SKU-1003 re-pushed to shop').waitFor();
  // The channel takes the new version; the schedule checks the SKU again; the live report clears without a reload.
  await expect.poll(() => receiver.shown('SKU-1003'), { timeout: 30_000 }).toBe(truth);
  await page.getByText('No drift: every channel shows what it should').waitFor({ timeout: 30_000 });
  await page.getByRole('table', { name: 'Recent runs' }).getByRole('cell', { name: 'after a re-push' }).first().waitFor();
});
