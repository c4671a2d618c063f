/**
 * Stock a push plans on: its rows locked in key order, and the count windows read after the locks.
 */
import type { Row, Sql } from '../db.ts';
import type { Buckets } from '../../domain/stock.ts';
import type { LedgerFact } from '../../domain/replay.ts';
import { bucketsOf, json, toFact, type FactRow } from './rows.ts';

export type StockRow = { sku: string; location: string; buckets: Buckets };

/**
 * Completes the stock rows a push locked (`pushContext`) with the keys that had no row yet:
 * they are inserted (empty, in key order; a key another push is inserting waits for it) and
 * locked by a second statement, so every key is a locked row before planning and no push plans
 * against a row another is creating. Nothing is sent when every key has its row (the usual case).
 * Callers pass only SKUs and places that exist.
 */
export async function addMissingStock(tx: Sql, locked: readonly StockRow[], keys: readonly { sku: string; location: string }[]): Promise<StockRow[]> {
  const lockedKeys = new Set(locked.map((r) => rowKey(r.sku, r.location)));
  const missing = [
    ...new Map(
      keys.filter((k) => !lockedKeys.has(rowKey(k.sku, k.location))).map((k) => [rowKey(k.sku, k.location), { sku: k.sku, location: k.location }]),
    ).values(),
  ].sort(byKey);
  if (missing.length === 0) return [...locked];
  await tx.query(
    `INSERT INTO stock (sku, location)
     SELECT sku, location FROM jsonb_to_recordset($1::jsonb) AS k(sku text, location text)
     ORDER BY sku, location
     ON CONFLICT (sku, location) DO NOTHING`,
    [json(missing)],
    { prepared: true },
  );
  const added = await tx.query<Row & { sku: string; location: string }>(
    `SELECT sku, location, available, committed, qc, quarantine, suspect FROM stock
     WHERE (sku, location) IN (SELECT sku, location FROM jsonb_to_recordset($1::jsonb) AS k(sku text, location text))
     ORDER BY sku, location
     FOR UPDATE`,
    [json(missing)],
    { prepared: true },
  );
  return [...locked, ...added.map((r) => ({ sku: r.sku, location: r.location, buckets: bucketsOf(r) }))];
}

const rowKey = (sku: string, location: string): string => `${sku}\u0000${location}`;
const byKey = <T extends { sku: string; location: string }>(a: T, b: T) =>
  a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.location < b.location ? -1 : a.location > b.location ? 1 : 0;

/**
 * The applied stock-moving events at each task's bin after its `count.started`, in ledger order.
 * Run after `lockStock`, so every event that moved the locked rows before this push is seen.
 */
export async function countWindows(
  tx: Sql,
  starts: { taskId: string; location: string; startedBy: string }[],
  movingTypes: readonly string[],
): Promise<Map<string, LedgerFact[]>> {
  const out = new Map<string, LedgerFact[]>(starts.map((s) => [s.taskId, []]));
  if (starts.length === 0) return out;
  const rows = await tx.query<FactRow & { task_id: string }>(
    `SELECT s.task_id, l.id, l.device_id, l.seq, l.type, l.schema_version, l.actor, l.occurred_at, l.status, l.payload
     FROM jsonb_to_recordset($1::jsonb) AS s(task_id text, location text, started_by text)
     JOIN ledger b ON b.id = s.started_by AND b.status = 'applied' AND b.type = 'count.started'
     JOIN ledger l ON l.position > b.position AND l.locations @> ARRAY[s.location] AND l.status = 'applied' AND l.type = ANY($2::text[])
     ORDER BY s.task_id, l.position`,
    [json(starts.map((s) => ({ task_id: s.taskId, location: s.location, started_by: s.startedBy }))), movingTypes],
    { prepared: true },
  );
  for (const r of rows) out.get(r.task_id)?.push(toFact(r));
  return out;
}
