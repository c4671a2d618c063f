/**
 * The device layer in a real Chromium: real IndexedDB (strict durability), Web Locks between
 * two tabs of one device, EventSource, against the real API (in-memory PGlite) that also
 * serves the page, so everything is one origin.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicePage, type DevicePage } from './browser/page.ts';
const here = path.dirname(fileURLToPath(import.meta.url));

type Floor = {
  start(): Promise<void>;
  status(): { phase: string; live: boolean };
  deviceId(): Promise<string>;
  signIn(user: string, pin: string): Promise<string>;
  append(draft: unknown, actor: string): Promise<number>;
  pending(): Promise<number>;
  states(): Promise<string[]>;
  pushes(): { start: number; end: number; seqs: number[] }[];
  durabilities(): { stores: string[]; durability: string }[];
};
declare const floor: Floor;

let device: DevicePage;
let server: DevicePage['server'];
let browser: Browser;

beforeAll(async () => {
  device = await startDevicePage(path.join(here, 'browser/entry.ts'));
  ({ server, browser } = device);
});

afterAll(async () => {
  await device?.close();
});

async function open(page: Page): Promise<void> {
  await page.goto(server.url);
  await page.waitForFunction(() => document.title === 'floor device ready');
}

const draft = (n: number) => ({ type: 'receipt.received', payload: { receiptId: 'RCV-0001', sku: 'SKU-1004', location: 'DOCK-1', qty: 1 + (n % 5) } });

describe('device layer in Chromium', () => {
  it('two tabs of one device: one sender at a time, every event once, strict durability', async () => {
    const context = await browser.newContext();
    const a = await context.newPage();
    const b = await context.newPage();
    await open(a);
    await open(b);
    expect(await a.evaluate(() => floor.signIn('receiver', '2222'))).toBe('receiver');
    expect(await a.evaluate(() => floor.deviceId())).toBe(await b.evaluate(() => floor.deviceId()));
    await Promise.all([a.evaluate(() => floor.start()), b.evaluate(() => floor.start())]);

    // Both tabs record at once: 150 each, interleaved.
    const record = (page: Page, from: number) =>
      page.evaluate(
        async ({ from, drafts }) => {
          for (const d of drafts) await floor.append(d, 'receiver');
          return from;
        },
        { from, drafts: Array.from({ length: 150 }, (_, i) => draft(from + i)) },
      );
    await Promise.all([record(a, 0), record(b, 1000)]);
    await a.waitForFunction(async () => (await floor.pending()) === 0, undefined, { timeout: 30_000 });
    await b.waitForFunction(() => floor.status().live, undefined, { timeout: 30_000 });

    const deviceId = await a.evaluate(() => floor.deviceId());
    // The supervisor reads from a handheld of their own: the tabs' device id is bound to their storage.
    const token = (
      (await (
        await fetch(`${server.url}/api/v1/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'supervisor', pin: '3333', deviceId: '0190a0b0-ffff-7000-8000-00000000c0de' }),
        })
      ).json()) as { token: string }
    ).token;
    const ledger = (
      (await (await fetch(`${server.url}/api/v1/ledger?deviceId=${deviceId}&limit=1000`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        events: { seq: number; status: string }[];
      }
    ).events;
    expect(ledger.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(ledger.every((r) => r.status === 'applied')).toBe(true);
    expect(new Set(await b.evaluate(() => floor.states()))).toEqual(new Set(['delivered']));

    // The Web Lock: no push of one tab overlaps a push of the other, and no seq went twice.
    const pushes = [...(await a.evaluate(() => floor.pushes())), ...(await b.evaluate(() => floor.pushes()))].sort((x, y) => x.start - y.start);
    for (let i = 1; i < pushes.length; i++) expect(pushes[i]!.start).toBeGreaterThanOrEqual(pushes[i - 1]!.end);
    const sent = pushes.flatMap((p) => p.seqs);
    expect(sent.length).toBe(new Set(sent).size);

    // Every write to the event log asked for strict durability.
    const writes = [...(await a.evaluate(() => floor.durabilities())), ...(await b.evaluate(() => floor.durabilities()))].filter((w) =>
      w.stores.includes('events'),
    );
    expect(writes.length).toBeGreaterThan(300);
    expect(writes.filter((w) => w.durability !== 'strict')).toEqual([]);
    await context.close();
  });
});
