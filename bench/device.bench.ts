/**
 * device.append.p50_ms / p95_ms: one event made durable on the handheld (seq allocated and the
 * event stored in one strict-durability Dexie transaction).
 * Measured in Debian's Chromium (real IndexedDB on disk) when /usr/bin/chromium exists, from
 * the page's own clock around `appendEvent`; otherwise in Node on fake-indexeddb. The Node
 * figure is always printed too, as device.append.node_fake_idb.*: it times the log's own work,
 * not storage.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, buildPage } from '../tests/device/browser/page.ts';
import { openFloorDb } from '../src/device/db.ts';
import { appendEvent } from '../src/device/event-log.ts';
import { startServer } from '../src/server/app.ts';
import { asLocation, asQty, asSku, asTask } from '../src/domain/ids.ts';
import { quantile, round, type Report } from './report.ts';

const WARMUP = 100;
const SAMPLES = 1000;
const here = path.dirname(fileURLToPath(import.meta.url));

const draft = {
  type: 'receipt.received',
  payload: { receiptId: asTask('RCV-0001'), sku: asSku('SKU-1004'), location: asLocation('DOCK-1'), qty: asQty(1) },
} as const;

async function inNode(): Promise<number[]> {
  const db = openFloorDb('bench-device', { backend: { indexedDB: new IDBFactory(), IDBKeyRange } });
  const times: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const t0 = performance.now();
    // Every event carries the session it is recorded under; here a fixed one (nothing is sent).
    await appendEvent(db, draft, { actor: 'receiver', now: new Date(), session: 'bench-session' });
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  db.close();
  return times;
}

/** The device page of the Chromium test (tests/device/browser/entry.ts), served by the API. */
async function inChromium(): Promise<number[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'floor-bench-page-'));
  // Built before the server starts: it serves the folder only if index.html is there.
  await buildPage(path.join(here, '../tests/device/browser/entry.ts'), dir);
  const server = await startServer({ port: 0, dataDir: 'memory://', seed: true, staticDir: dir, logLevel: 'silent' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.title === 'floor device ready');
    // A real sign-in first: an event is stamped with the session it is recorded under.
    await page.evaluate(() => (window as unknown as { floor: { signIn(u: string, p: string): Promise<string> } }).floor.signIn('receiver', '2222'));
    return await page.evaluate(
      async ({ draft, warmup, samples }) => {
        const floor = (window as unknown as { floor: { append(d: unknown, actor: string): Promise<number> } }).floor;
        const times: number[] = [];
        for (let i = 0; i < warmup + samples; i++) {
          const t0 = performance.now();
          await floor.append(draft, 'receiver');
          if (i >= warmup) times.push(performance.now() - t0);
        }
        return times;
      },
      { draft, warmup: WARMUP, samples: SAMPLES },
    );
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(report: Report): Promise<void> {
  const node = await inNode();
  const main = existsSync(CHROMIUM) ? await inChromium() : node;
  report({ metric: 'device.append.p50_ms', value: round(quantile(main, 0.5), 3), unit: 'ms' });
  report({ metric: 'device.append.p95_ms', value: round(quantile(main, 0.95), 3), unit: 'ms' });
  report({ metric: 'device.append.node_fake_idb.p50_ms', value: round(quantile(node, 0.5), 3), unit: 'ms' });
  report({ metric: 'device.append.node_fake_idb.p95_ms', value: round(quantile(node, 0.95), 3), unit: 'ms' });
}
