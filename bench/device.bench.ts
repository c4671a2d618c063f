/**
 * device.append.p50_ms / p95_ms: one event made durable on the handheld (seq allocated and
 * the event stored in one strict-durability Dexie transaction). Measured in Node on
 * fake-indexeddb (an in-memory IndexedDB): it times the log's own work, not a phone's flash.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openFloorDb } from '../src/device/db.ts';
import { appendEvent } from '../src/device/event-log.ts';
import { asLocation, asQty, asSku, asTask } from '../src/domain/ids.ts';
import { quantile, round, type Report } from './report.ts';

const WARMUP = 200;
const SAMPLES = 2000;

export async function run(report: Report): Promise<void> {
  const db = openFloorDb('bench-device', { backend: { indexedDB: new IDBFactory(), IDBKeyRange } });
  const draft = { type: 'receipt.received', payload: { receiptId: asTask('RCV-0001'), sku: asSku('SKU-1004'), location: asLocation('DOCK-1'), qty: asQty(1) } } as const;
  const times: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const t0 = performance.now();
    await appendEvent(db, draft, { actor: 'receiver', now: new Date() });
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  db.close();
  report({ metric: 'device.append.p50_ms', value: round(quantile(times, 0.5), 3), unit: 'ms' });
  report({ metric: 'device.append.p95_ms', value: round(quantile(times, 0.95), 3), unit: 'ms' });
}
