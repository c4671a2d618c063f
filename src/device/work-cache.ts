/**
 * The work cache: what the device needs to keep working offline (catalog, locations,
 * pick lists, expected receipts, count tasks, returns), filled from the API's pull.
 */
import type { PullResponse } from '../domain/protocol.ts';
import type { FloorDb } from './db.ts';

const CACHE_TABLES = ['catalog', 'locations', 'pickLists', 'receipts', 'countTasks', 'returns'] as const;

/**
 * Stores one pull answer and its cursor in one transaction. The API's answer is always
 * complete, so it replaces the cache whole (finished tasks drop out); an answer marked
 * `unchanged` leaves the cache as it is.
 */
export async function storeWork(db: FloorDb, work: PullResponse): Promise<void> {
  if (work.unchanged) return;
  const delta = work.catalogDelta;
  await db.transaction('rw', [...CACHE_TABLES.map((t) => db[t]), db.meta], async () => {
    // A catalog delta updates the cached catalog in place; everything else is replaced whole.
    await Promise.all(CACHE_TABLES.filter((t) => !(delta && t === 'catalog')).map((t) => db[t].clear()));
    if (delta) {
      await db.catalog.bulkDelete(delta.removed);
      await db.catalog.bulkPut(delta.upserts);
    } else await db.catalog.bulkPut(work.catalog);
    if (work.catalogCursor !== undefined) await db.meta.put({ key: 'catalogCursor', value: work.catalogCursor });
    await db.locations.bulkPut(work.locations);
    await db.pickLists.bulkPut(work.pickLists);
    await db.receipts.bulkPut(work.receipts);
    await db.countTasks.bulkPut(work.countTasks);
    await db.returns.bulkPut(work.returns);
    await db.meta.put({ key: 'pullCursor', value: work.cursor });
  });
}
