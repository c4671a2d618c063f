/**
 * The catalog part of a handheld's pull: the whole catalog, or (when the device sends the catalog
 * cursor it holds) only the SKUs whose master data changed since, read from the ledger's
 * `masterdata.changed` events. A device offline for a day catches up with a delta.
 */
import type { CatalogDelta, CatalogItem } from '../../domain/protocol.ts';
import { MASTERDATA_TYPE } from '../../domain/replay.ts';
import type { Sql } from '../db.ts';
import { catalogRows } from '../storage/index.ts';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** The ledger position of the newest catalog change: the catalog's cursor. */
async function catalogCursor(db: Sql): Promise<number> {
  const [r] = await db.query<{ p: number }>(`SELECT coalesce(max(position), 0) AS p FROM ledger WHERE type = $1 AND payload->>'entity' = 'catalog'`, [
    MASTERDATA_TYPE,
  ]);
  return num(r?.p);
}

/**
 * `catalogSince` as the query gave it. The cursor is read before the catalog, so a change racing
 * the read is sent again next time (a put is idempotent), never missed.
 */
export async function catalogForPull(db: Sql, catalogSince: unknown): Promise<{ catalog: CatalogItem[]; catalogCursor: number; catalogDelta?: CatalogDelta }> {
  const cursor = await catalogCursor(db);
  const since = typeof catalogSince === 'string' && /^\d{1,15}$/.test(catalogSince) ? Number(catalogSince) : undefined;
  // No cursor, or one from another database (ahead of ours): the whole catalog.
  if (since === undefined || since === 0 || since > cursor) return { catalog: await catalogRows(db), catalogCursor: cursor };
  const changed = await db.query<{ sku: string }>(
    `SELECT DISTINCT payload->>'key' AS sku FROM ledger WHERE position > $1 AND type = $2 AND payload->>'entity' = 'catalog' ORDER BY 1`,
    [since, MASTERDATA_TYPE],
  );
  const skus = changed.map((r) => r.sku);
  // A changed SKU still in the catalog is put again whole (with its case GTINs); one no longer there is removed.
  const upserts = skus.length > 0 ? await catalogRows(db, skus) : [];
  const present = new Set(upserts.map((u) => u.sku));
  return { catalog: [], catalogCursor: cursor, catalogDelta: { since, upserts, removed: skus.filter((s) => !present.has(s)) } };
}
