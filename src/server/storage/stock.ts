/**
 * Stock a push plans on: its rows locked in key order, and the count windows read after the locks.
 */
import type { Row, Sql } from '../db.ts';
import type { Buckets } from '../../domain/stock.ts';
import type { LedgerFact } from '../../domain/replay.ts';
import { bucketsOf, json, toFact, type FactRow } from './rows.ts';

export type StockRow = { sku: string; location: string; buckets: Buckets };

/**
 * Locks and returns the stock rows a push touches: the given keys plus every row at the given
 * locations (a count compares the whole bin). Missing keys are inserted first (empty, in key
 * order; a key another push is inserting waits for it), so every key is a row that the second
 * statement locks, in key order: two pushes can neither plan against a row the other is
 * creating nor deadlock on each other's rows. Callers pass only SKUs and places that exist.
 */
export async function lockStock(tx: Sql, keys: { sku: string; location: string }[], locations: string[]): Promise<StockRow[]> {
  if (keys.length === 0 && locations.length === 0) return [];
  const unique = [...new Map(keys.map((k) => [`${k.sku}\u0000${k.location}`, { sku: k.sku, location: k.location }])).values()];
  if (unique.length > 0) {
    await tx.query(
      `INSERT INTO stock (sku, location)
       SELECT sku, location FROM jsonb_to_recordset($1::jsonb) AS k(sku text, location text)
       ORDER BY sku, location
       ON CONFLICT (sku, location) DO NOTHING`,
      [json(unique)],
    );
  }
  const rows = await tx.query<Row & { sku: string; location: string }>(
    `SELECT sku, location, available, committed, qc, quarantine, suspect FROM stock
     WHERE (sku, location) IN (SELECT sku, location FROM jsonb_to_recordset($1::jsonb) AS k(sku text, location text))
        OR location = ANY($2::text[])
     ORDER BY sku, location
     FOR UPDATE`,
    [json(unique), locations],
  );
  return rows.map((r) => ({ sku: r.sku, location: r.location, buckets: bucketsOf(r) }));
}

/**
 * The applied stock-moving events at each task's bin after its `count.started`, in ledger order.
 * Run after `lockStock`, so every event that moved the locked rows before this push is seen.
 */
export async function countWindows(tx: Sql, starts: { taskId: string; location: string; startedBy: string }[], movingTypes: readonly string[]): Promise<Map<string, LedgerFact[]>> {
  const out = new Map<string, LedgerFact[]>(starts.map((s) => [s.taskId, []]));
  if (starts.length === 0) return out;
  const rows = await tx.query<FactRow & { task_id: string }>(
    `SELECT s.task_id, l.id, l.device_id, l.seq, l.type, l.schema_version, l.actor, l.occurred_at, l.status, l.payload
     FROM jsonb_to_recordset($1::jsonb) AS s(task_id text, location text, started_by text)
     JOIN ledger b ON b.id = s.started_by AND b.status = 'applied' AND b.type = 'count.started'
     JOIN ledger l ON l.position > b.position AND l.locations @> ARRAY[s.location] AND l.status = 'applied' AND l.type = ANY($2::text[])
     ORDER BY s.task_id, l.position`,
    [json(starts.map((s) => ({ task_id: s.taskId, location: s.location, started_by: s.startedBy }))), movingTypes],
  );
  for (const r of rows) out.get(r.task_id)?.push(toFact(r));
  return out;
}
