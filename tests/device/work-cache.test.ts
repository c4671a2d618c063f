import { describe, expect, it } from 'vitest';
import { storeWork } from '../../src/device/work-cache.ts';
import { lookupGtin } from '../../src/domain/workflows/common.ts';
import { getMeta } from '../../src/device/db.ts';
import type { PullResponse } from '../../src/domain/protocol.ts';
import { newDevice } from './helpers.ts';

const work = (over: Partial<PullResponse>): PullResponse => ({
  cursor: 'c1',
  lastSeq: 0,
  catalog: [],
  locations: [],
  pickLists: [],
  receipts: [],
  countTasks: [],
  returns: [],
  ...over,
});

describe('work cache: catalog deltas', () => {
  it('keeps the cached catalog and applies a delta (puts and removals), and remembers the catalog cursor', async () => {
    const db = newDevice();
    await storeWork(
      db,
      work({
        catalogCursor: 5,
        catalog: [
          { sku: 'A', gtin: '04006381330077', name: 'a' },
          { sku: 'B', gtin: '04006381330145', name: 'b' },
          { sku: 'C', gtin: '04006381330213', name: 'c' },
        ],
      }),
    );
    expect(await getMeta(db, 'catalogCursor')).toBe(5);
    await storeWork(
      db,
      work({ cursor: 'c2', catalogCursor: 9, catalogDelta: { since: 5, upserts: [{ sku: 'A', gtin: '04006381330282', name: 'a fixed' }], removed: ['C'] } }),
    );
    expect((await db.catalog.toArray()).map((c) => [c.sku, c.gtin])).toEqual([
      ['A', '04006381330282'],
      ['B', '04006381330145'],
    ]);
    expect(await getMeta(db, 'catalogCursor')).toBe(9);
    // The fixed GTIN is what a scan finds now; the old one finds nothing.
    const held = await db.catalog.toArray();
    expect(lookupGtin(held, '4006381330282')?.sku).toBe('A');
    expect(lookupGtin(held, '4006381330077')).toBeUndefined();
    // A whole catalog (no delta) replaces the cache.
    await storeWork(db, work({ cursor: 'c3', catalogCursor: 9, catalog: [{ sku: 'Z', gtin: '04006381330350', name: 'z' }] }));
    expect((await db.catalog.toArray()).map((c) => c.sku)).toEqual(['Z']);
  });
});
