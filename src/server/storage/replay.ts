/**
 * Replay: the whole ledger and the stock table, for a replay to compare.
 */
import type { Sql } from '../db.ts';
import type { Buckets } from '../../domain/stock.ts';
import type { LedgerFact } from '../../domain/replay.ts';
import { bucketsOf, toFact, type FactRow } from './rows.ts';

/** The whole ledger in position order, as a replay folds it (applied and rejected rows alike). */
export async function ledgerFacts(db: Sql): Promise<LedgerFact[]> {
  const rows = await db.query<FactRow>('SELECT id, device_id, seq, type, schema_version, actor, occurred_at, status, payload FROM ledger ORDER BY position');
  return rows.map(toFact);
}

/** Every stock row, in one consistent snapshot with `ledgerFacts` when both run in one transaction. */
export async function stockTable(db: Sql): Promise<({ sku: string; location: string } & Buckets)[]> {
  const rows = await db.query('SELECT sku, location, available, committed, qc, quarantine, suspect FROM stock ORDER BY sku, location');
  return rows.map((r) => ({ sku: String(r.sku), location: String(r.location), ...bucketsOf(r) }));
}
