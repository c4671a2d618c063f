/**
 * The sync badge and status screen in Chromium, on the real database and engine against the
 * real API: offline and waiting counts, a refused event with the API's message, and a
 * supervisor acknowledging it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicePage, type DevicePage } from './browser/page.ts';

type Floor = { signIn(u: string, p: string): Promise<void>; start(): Promise<void>; append(d: unknown, actor: string): Promise<number>; opened(): number };
declare const floor: Floor;

const here = path.dirname(fileURLToPath(import.meta.url));
let device: DevicePage;
let server: DevicePage['server'];
let browser: Browser;

beforeAll(async () => {
  device = await startDevicePage(path.join(here, 'browser/ui-entry.tsx'));
  ({ server, browser } = device);
});

afterAll(async () => {
  await device?.close();
});

async function open(page: Page, query = ''): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/${query}`);
  await page
    .waitForFunction(() => document.title === 'floor sync ui ready', undefined, { timeout: 10_000 })
    .catch((err: unknown) => {
      throw new Error(`the page did not start: ${errors.join('; ') || String(err)}`);
    });
}

/** Waits on a condition in the page; generous, since this small machine is shared. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });

const pick = { type: 'pick.held', payload: { pickListId: 'PL-0001', lineId: '1', sku: 'SKU-1001', location: 'A-01-01', tote: 'T-1', qty: 1 } };
const release = { type: 'qc.released', payload: { sku: 'SKU-1004', from: 'DOCK-1', to: 'A-02-02', qty: 1 } };

describe('sync UI in Chromium', () => {
  it('shows offline and waiting scans, then what the API refused; a supervisor acknowledges it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await open(page);
    await page.evaluate(() => floor.signIn('picker', '1111'));
    await page.evaluate(() => floor.start());
    const badge = page.getByRole('button', { name: /^Sync:/ });
    await poll(() => badge.getAttribute('aria-label')).toBe('Sync: All sent');

    await context.setOffline(true);
    await page.evaluate(
      async ({ pick, release }) => {
        await floor.append(pick, 'picker');
        await floor.append(pick, 'picker');
        // A picker may not release goods from QC: the API will refuse this one.
        await floor.append(release, 'picker');
      },
      { pick, release },
    );
    await poll(() => badge.getAttribute('aria-label')).toBe('Sync: Offline, 3 waiting');
    const screen = page.getByRole('region', { name: 'Sync status' });
    await poll(() => screen.textContent()).toMatch(/Offline: scans are kept on this device/);
    await poll(() => screen.textContent()).toMatch(/Waiting to send3 scans/);

    await context.setOffline(false);
    await poll(() => badge.getAttribute('aria-label')).toBe('Sync: All sent, 1 need attention');
    await poll(() => screen.textContent()).toMatch(/Refused by the server \(forbidden\): .*may not record qc\.released/);
    expect(await screen.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await badge.click();
    expect(await page.evaluate(() => floor.opened())).toBe(1);

    // The same device (same storage) opened by a supervisor.
    const sup = await context.newPage();
    await open(sup, '?supervisor=1');
    const ack = sup.getByRole('button', { name: 'Acknowledge' });
    await poll(() => ack.count()).toBe(1);
    await ack.click();
    await poll(() => ack.count()).toBe(0);
    await poll(() => sup.getByRole('region', { name: 'Sync status' }).textContent()).toMatch(/Nothing was refused/);
    // Every tab of the device sees it at once.
    await poll(() => badge.getAttribute('aria-label')).toBe('Sync: All sent');
    await context.close();
  });
});
