/**
 * The control room in Chromium: a supervisor's board, live (no reload, no refresh button), while
 * a handheld goes offline holding an event (its tile turns amber, then red, as the API's clock is
 * moved on: no sleeps of minutes) and a storefront's webhook endpoint starts failing (red). The
 * handheld's silence is also an alert, acknowledged from the Alerts page; once delivered, its pick
 * is explained on the Stock page (who, which device, what was scanned).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { deviceLog, startApp, type App } from './harness.ts';
import { openApp, scan, signIn } from '../ui/floor-steps.ts';
import { Receiver } from '../fixtures/webhook-receiver.ts';
import { LOOPBACK_TARGETS } from '../fixtures/channels.ts';
import type { Board } from '../../src/domain/control/protocol.ts';

const MIN = 60_000;
/** The API's clock: the real one, moved on by the test. */
const skew = { ms: 0 };
const now = () => new Date(Date.now() + skew.ms);

let app: App;
let room: BrowserContext;
const receiver = new Receiver([]);

beforeAll(async () => {
  await receiver.start();
  app = await startApp({
    viewport: { width: 360, height: 740 },
    server: {
      now,
      control: { tickMs: 200, sweepMs: 3_600_000 },
      channels: { worker: { pollMs: 100, baseBackoffMs: 50, maxBackoffMs: 200 }, webhookTargets: LOOPBACK_TARGETS },
    },
  });
  room = await app.browser!.newContext({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await room?.close();
  await app?.close();
  await receiver.stop();
});

const post = async <T>(path: string, token: string, body: unknown, method = 'POST'): Promise<T> => {
  const res = await fetch(app.api.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return JSON.parse(text) as T;
};

/** A tile's word (OK, Watch, Act now) as the supervisor's screen shows it. */
const word = (page: Page, label: string) => page.getByRole('article', { name: label }).getByTestId('rag').textContent();

test('a handheld offline with an event turns amber then red; a failing storefront endpoint turns red; the silence is an alert to acknowledge; stock explains the pick', async () => {
  const handheld = app.page;
  await openApp(handheld, app.baseUrl);
  await signIn(handheld, 'picker', '1111');
  const deviceId = (await deviceLog(handheld)).deviceId!;
  const tile = `Handheld ${deviceId.slice(-12)}`;

  // The supervisor's control room, on a browser of its own reaching the API directly.
  const sup = await room.newPage();
  await sup.goto(`${app.api.url}/`);
  await signIn(sup, 'supervisor', '3333');
  await sup.getByRole('button', { name: 'Control room' }).click();
  await sup.getByRole('article', { name: tile }).waitFor();
  expect(await word(sup, tile)).toBe('OK');
  // Live: nothing to press to see a change.
  expect(await sup.getByRole('button', { name: /refresh|reload/i }).count()).toBe(0);
  const urlBefore = sup.url();

  // The handheld records a pick; its push never arrives (held at the network, then dropped) and the network goes.
  const held = app.network.hold(/\/events$/, 'POST');
  await handheld.getByRole('button', { name: 'Pick', exact: true }).click();
  await handheld.getByRole('button', { name: /Order SO-50001/ }).click();
  await scan(handheld, 'T-0009');
  await scan(handheld, 'A-01-01');
  await handheld.getByLabel('Quantity').fill('2');
  await handheld.getByRole('button', { name: 'Set quantity' }).click();
  await scan(handheld, '4006381330077');
  const push = await held;
  // Its health report got through before the network went: the API knows it holds an event.
  const supToken = await app.api.signIn();
  await expect
    .poll(async () => (await app.api.get<Board>('/api/v1/control/board', supToken)).devices.find((d) => d.deviceId === deviceId)?.backlog, { timeout: 20_000 })
    .toBe(1);
  push.drop();
  await app.network.offline();

  // Time passes on the API's clock: the tile follows on the live board, the page never reloaded.
  await expect.poll(() => word(sup, tile), { timeout: 10_000 }).toBe('OK');
  skew.ms = 6 * MIN;
  await expect.poll(() => word(sup, tile), { timeout: 10_000 }).toBe('Watch');
  skew.ms = 16 * MIN;
  await expect.poll(() => word(sup, tile), { timeout: 10_000 }).toBe('Act now');

  // A storefront with a webhook endpoint: green while it takes deliveries, red once it fails.
  const created = await post<{ apiKey: string }>('/api/v1/channels', supToken, {
    id: 'store',
    name: 'Storefront',
    sites: ['main'],
    reservationTtlSeconds: 900,
  });
  const ep = await post<{ endpoint: { id: string }; secret: string }>('/api/v1/channels/store/webhooks', created.apiKey, { url: receiver.url });
  receiver.secrets = [ep.secret];
  const epTile = `Endpoint store ${ep.endpoint.id}`;
  await expect.poll(() => word(sup, epTile), { timeout: 20_000 }).toBe('OK');
  receiver.mode = 'error500';
  await post('/api/v1/channels/store/policies', supToken, { rules: [{ sku: null, site: null, safetyBuffer: 1 }] }, 'PUT');
  await expect.poll(() => word(sup, epTile), { timeout: 20_000 }).toBe('Act now');
  // The storefront sells from the main site: the site is red too.
  expect(await word(sup, 'Site Main warehouse')).toBe('Act now');
  expect(sup.url()).toBe(urlBefore);

  // The handheld's silence is an alert: acknowledged from the Alerts page.
  await sup.getByRole('button', { name: 'Alerts' }).click();
  const alert = sup.getByRole('listitem', { name: `Handheld not delivering: ${deviceId}` });
  await alert.waitFor({ timeout: 20_000 });
  await alert.getByRole('button', { name: 'Acknowledge' }).click();
  await expect.poll(() => alert.textContent(), { timeout: 10_000 }).toContain('acknowledged by supervisor');

  // Back online, the event is delivered and the tile turns green again.
  receiver.mode = 'ok';
  await app.network.online();
  await sup.getByRole('button', { name: 'Board' }).click();
  await expect.poll(() => word(sup, tile), { timeout: 30_000 }).toBe('OK');

  // Stock: the committed units of the pick, explained by the scan that made them.
  await sup.getByRole('button', { name: 'Stock' }).click();
  await sup.getByRole('button', { name: 'Explain committed of SKU-1001 at main' }).click();
  const entries = sup.getByRole('table', { name: 'Ledger entries' });
  await expect.poll(() => entries.getByRole('row').nth(1).textContent(), { timeout: 20_000 }).toMatch(/picker.*pick\.held: tote T-0009.*A-01-01.*2/);
  await sup.getByRole('figure', { name: 'ATP of SKU-1001 per channel' }).waitFor();
});
