/**
 * Reconciliation in Chromium: a channel with a real webhook endpoint that also answers the
 * read-back contract; a drift is injected on the channel's side (it shows another number than
 * it acknowledged); it appears in the live drift report with its cause; one click re-pushes the
 * figure through the outbox, the channel takes it, and the report clears by itself.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, signIn } from '../ui/floor-steps.ts';
import { httpCaller, LOOPBACK_TARGETS, registerChannels, supervisorToken, type Call } from '../fixtures/channels.ts';
import { Receiver } from '../fixtures/webhook-receiver.ts';
import { deviceId, eventId } from '../fixtures/server-app.ts';
import { makeEvent, type EventType, type PayloadOf } from '../../src/domain/events.ts';

let app: App;
let call: Call;
let receiver: Receiver;

beforeAll(async () => {
  // The schedule ticks quickly here: a re-pushed figure is checked again as soon as it is acknowledged.
  app = await startApp({
    viewport: { width: 1280, height: 900 },
    server: { reconcile: { tickMs: 300 }, channels: { worker: { pollMs: 200 }, webhookTargets: LOOPBACK_TARGETS } },
  });
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

test('count accuracy: a blind count posted on a handheld shows on the cycle counts page, live', async () => {
  const { page } = app;
  // A counter's handheld records an exact count of B-01-02 (SKU-1006 50, SKU-1001 10) through the push API.
  const device = deviceId(0xe2e1);
  const signedIn = await call<{ token: string; session: string }>('POST', '/api/v1/sessions', { body: { user: 'picker', pin: '1111', deviceId: device } });
  expect(signedIn.status).toBe(200);
  let seq = 0;
  const next = <T extends EventType>(type: T, payload: PayloadOf<T>) =>
    makeEvent(type, payload, {
      id: eventId(0xe2e1, (seq += 1)),
      deviceId: device,
      seq,
      occurredAt: new Date().toISOString(),
      actor: 'picker',
      session: signedIn.body.session,
    });
  const pushed = await call<{ rejected: unknown[] }>('POST', `/api/v1/devices/${device}/events`, {
    token: signedIn.body.token,
    body: {
      events: [
        next('count.started', { countTaskId: 'CT-E2E-1', location: 'B-01-02' } as PayloadOf<'count.started'>),
        next('count.recorded', {
          countTaskId: 'CT-E2E-1',
          location: 'B-01-02',
          lines: [
            { sku: 'SKU-1006', qty: 50 },
            { sku: 'SKU-1001', qty: 10 },
          ],
        } as PayloadOf<'count.recorded'>),
      ],
    },
  });
  expect(pushed.status).toBe(200);
  expect(pushed.body.rejected).toEqual([]);

  await page.getByRole('navigation', { name: 'Control room' }).getByRole('button', { name: 'Cycle counts' }).click();
  await page.getByText('100 % of 1 bins counted exactly').waitFor();
  await page
    .getByRole('figure', { name: /Count accuracy per day/ })
    .locator('canvas')
    .waitFor();
  const today = new Date().toISOString().slice(0, 10);
  const row = page.getByRole('table', { name: 'Count accuracy per day' }).getByRole('row').filter({ hasText: today });
  expect(await row.getByRole('cell').allInnerTexts()).toEqual([today, '1', '1', '100 %', '0']);
});
