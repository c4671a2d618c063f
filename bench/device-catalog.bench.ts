/**
 * device.catalog_50k.cold_start_ms: a handheld whose cache holds 50,000 SKUs opens its database
 * and answers its first GTIN lookup (the offline start). device.catalog_50k.lookup_p99_ms: one
 * GTIN lookup as a scan screen makes it (`lookupGtin` over the catalog the screen holds, read from
 * Dexie by `useCatalog`), over 1,000 random scans; the cold start includes reading the 50,000 rows
 * and indexing them.
 * Measured in Node on fake-indexeddb (the figures time Dexie and the index walk, not Chromium's
 * on-disk IndexedDB); the names carry no suffix because they are the issue's, so read them as such.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openFloorDb } from '../src/device/db.ts';
import { storeWork } from '../src/device/work-cache.ts';
import { lookupGtin } from '../src/domain/workflows/common.ts';
import { gs1CheckDigit } from '../src/domain/barcode/check-digit.ts';
import { quantile, round, type Report } from './report.ts';

const SKUS = 50_000;
const SAMPLES = 1_000;
const gtinOf = (i: number) => {
  const body = `0420000${String(i).padStart(6, '0')}`;
  return body + gs1CheckDigit(body);
};

export async function run(report: Report): Promise<void> {
  const indexedDB = new IDBFactory();
  const open = () => openFloorDb('bench-catalog', { backend: { indexedDB, IDBKeyRange } });
  const db = open();
  const catalog = Array.from({ length: SKUS }, (_, i) => ({ sku: `SKU-${i}`, gtin: gtinOf(i), name: `Item ${i}` }));
  await storeWork(db, { cursor: 'c1', lastSeq: 0, catalog, catalogCursor: 1, locations: [], pickLists: [], receipts: [], countTasks: [], returns: [] });
  db.close();

  // Seeded, so every run looks up the same scans.
  let seed = 20261130;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % SKUS;

  const t0 = performance.now();
  const warm = open();
  const held = await warm.catalog.toArray();
  const first = lookupGtin(held, gtinOf(next()));
  const coldStart = performance.now() - t0;
  if (!first) throw new Error('the first lookup found nothing');
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const g = gtinOf(next()).replace(/^0/, '');
    const s = performance.now();
    const hit = lookupGtin(held, g);
    times.push(performance.now() - s);
    if (!hit) throw new Error(`lookup of ${g} found nothing`);
  }
  warm.close();
  report({ metric: 'device.catalog_50k.cold_start_ms', value: round(coldStart, 1), unit: 'ms' });
  report({ metric: 'device.catalog_50k.lookup_p99_ms', value: round(quantile(times, 0.99), 3), unit: 'ms' });
}
