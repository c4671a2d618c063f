/**
 * Ledger writes: everything one push changes, written in one statement inside its transaction.
 */
import type { ChangeMessage } from '../../domain/protocol.ts';
import type { Sql } from '../db.ts';
import type { Buckets, CountTask, Discrepancy, PickRecord } from '../../domain/stock.ts';
import type { LedgerFact } from '../../domain/replay.ts';
import { json, touchKey } from './rows.ts';

/** A ledger row as a push writes it: the fact (its device is the push's) and what became of it. */
export type LedgerWrite = Omit<LedgerFact, 'deviceId'> & {
  code?: string;
  message?: string;
  touches: { sku: string; location: string }[];
  /** `envelopeHash` of what the device sent. */
  payloadHash?: string;
  clockSkew?: 'ahead' | 'behind';
  /** Places the event concerns beyond its touches (a count of an empty bin), for `/ledger?location=`. */
  places?: string[];
};
export type StockDelta = { sku: string; location: string } & Buckets;
/** A change the live feed announces: the wire contract's message (src/domain/protocol.ts). */
export type Change = ChangeMessage;

/** Everything one push changes, written in one go inside the push's transaction. */
export type PushWrite = {
  deviceId: string;
  lastSeq: number;
  receivedAt: Date;
  ledger: LedgerWrite[];
  stock: StockDelta[];
  discrepancies: (Discrepancy & { eventId: string; seq: number })[];
  countTasks: CountTask[];
  pickLines: { pickListId: string; lineId: string; picked: number; short: number }[];
  /** Pick records created or changed, whole (their rows are locked by `pushContext`). */
  picks: PickRecord[];
  receipts: { receiptId: string; lineId: string | null; sku: string; gtin: string | null; qty: number }[];
  returnsIn: { returnId: string; sku: string; location: string; qty: number; condition: string; note: string | null }[];
  returnsResolved: { returnId: string; qty: number }[];
  changes: Change[];
  channel: string;
};

const byKey = <T extends { sku: string; location: string }>(a: T, b: T) =>
  a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.location < b.location ? -1 : a.location > b.location ? 1 : 0;
/** Largest NOTIFY payload Postgres takes is 8000 bytes; above this the feed says "something changed". */
const MAX_NOTIFY = 7000;

/**
 * Writes one push: a single statement whose parts (data-modifying CTEs) each touch one table,
 * then the resolved returns (which may touch a row the same statement inserted). The NOTIFY
 * rides in the same statement and is delivered only if the transaction commits.
 */
export async function writePush(tx: Sql, w: PushWrite): Promise<void> {
  const params: unknown[] = [];
  const $ = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const parts: string[] = [];
  if (w.ledger.length > 0) {
    parts.push(`ledger_in AS (
      INSERT INTO ledger (id, device_id, seq, type, schema_version, actor, occurred_at, received_at, status, code, message, payload, touches, skus, locations, payload_hash, clock_skew)
      SELECT id, ${$(w.deviceId)}, seq, type, schema_version, actor, occurred_at, ${$(w.receivedAt)}::timestamptz, status, code, message, payload, touches, skus, locations, payload_hash, clock_skew
      FROM jsonb_to_recordset(${$(
        json(
          w.ledger.map((e) => ({
            id: e.id,
            seq: e.seq,
            type: e.type,
            schema_version: e.schemaVersion,
            actor: e.actor,
            occurred_at: e.occurredAt,
            status: e.status,
            code: e.code ?? null,
            message: e.message ?? null,
            payload: e.payload ?? null,
            touches: [...new Set(e.touches.map((t) => touchKey(t.sku, t.location)))],
            skus: [...new Set(e.touches.map((t) => t.sku))],
            locations: [...new Set([...e.touches.map((t) => t.location), ...(e.places ?? [])])],
            payload_hash: e.payloadHash ?? null,
            clock_skew: e.clockSkew ?? null,
          })),
        ),
      )}::jsonb) AS x(id text, seq bigint, type text, schema_version int, actor text, occurred_at text,
           status text, code text, message text, payload jsonb, touches text[], skus text[], locations text[], payload_hash text, clock_skew text)
      ORDER BY seq RETURNING 1)`);
  }
  if (w.stock.length > 0) {
    parts.push(`stock_in AS (
      INSERT INTO stock (sku, location, available, committed, qc, quarantine, suspect, last_moved_at)
      SELECT sku, location, available, committed, qc, quarantine, suspect, ${$(w.receivedAt)}::timestamptz
      FROM jsonb_to_recordset(${$(json([...w.stock].sort(byKey)))}::jsonb) AS x(sku text, location text, available int, committed int, qc int, quarantine int, suspect int)
      ORDER BY sku, location
      ON CONFLICT (sku, location) DO UPDATE SET
        available = stock.available + excluded.available,
        committed = stock.committed + excluded.committed,
        qc = stock.qc + excluded.qc,
        quarantine = stock.quarantine + excluded.quarantine,
        suspect = stock.suspect + excluded.suspect,
        last_moved_at = GREATEST(stock.last_moved_at, excluded.last_moved_at)
      RETURNING 1)`);
  }
  if (w.discrepancies.length > 0) {
    parts.push(`discrepancies_in AS (
      INSERT INTO discrepancies (event_id, device_id, seq, kind, sku, location, expected, reported, claimed, message, created_at)
      SELECT event_id, ${$(w.deviceId)}, seq, kind, sku, location, expected, reported, claimed, message, ${$(w.receivedAt)}::timestamptz
      FROM jsonb_to_recordset(${$(
        json(
          w.discrepancies.map((d) => ({
            event_id: d.eventId,
            seq: d.seq,
            kind: d.kind,
            sku: d.sku,
            location: d.location,
            expected: d.expected,
            reported: d.reported,
            claimed: d.claimed,
            message: d.message,
          })),
        ),
      )}::jsonb) AS x(event_id text, seq bigint, kind text, sku text, location text, expected int, reported int, claimed int, message text)
      RETURNING 1)`);
  }
  if (w.countTasks.length > 0) {
    const tasks = [...w.countTasks]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((t) => ({ ...t, snapshot: t.snapshot ?? null, held: t.held ?? null, started: t.started ?? null }));
    parts.push(`tasks_in AS (
      INSERT INTO count_tasks (id, location, reason, status, snapshot, held, started, updated_at)
      SELECT id, location, reason, status, snapshot, held, started, ${$(w.receivedAt)}::timestamptz
      FROM jsonb_to_recordset(${$(json(tasks))}::jsonb) AS x(id text, location text, reason text, status text, snapshot jsonb, held jsonb, started jsonb)
      ORDER BY id
      ON CONFLICT (id) DO UPDATE SET location = excluded.location, reason = excluded.reason, status = excluded.status,
        snapshot = excluded.snapshot, held = excluded.held, started = excluded.started, updated_at = excluded.updated_at
      RETURNING 1)`);
  }
  if (w.pickLines.length > 0) {
    parts.push(`picks_in AS (
      UPDATE pick_lines l SET picked = GREATEST(0, l.picked + d.picked), short = GREATEST(0, l.short + d.short)
      FROM jsonb_to_recordset(${$(
        json(w.pickLines.map((p) => ({ pick_list_id: p.pickListId, line_id: p.lineId, picked: p.picked, short: p.short }))),
      )}::jsonb) AS d(pick_list_id text, line_id text, picked int, short int)
      WHERE l.pick_list_id = d.pick_list_id AND l.line_id = d.line_id
      RETURNING 1)`);
  }
  if (w.picks.length > 0) {
    parts.push(`pick_records_in AS (
      INSERT INTO picks (event_id, pick_list_id, line_id, sku, location, qty, taken, undone, returned)
      SELECT event_id, pick_list_id, line_id, sku, location, qty, taken, undone, returned
      FROM jsonb_to_recordset(${$(
        json(
          [...w.picks]
            .sort((a, b) => (a.eventId < b.eventId ? -1 : 1))
            .map((p) => ({
              event_id: p.eventId,
              pick_list_id: p.pickListId,
              line_id: p.lineId,
              sku: p.sku,
              location: p.location,
              qty: p.qty,
              taken: p.taken,
              undone: p.undone,
              returned: p.returned,
            })),
        ),
      )}::jsonb) AS x(event_id text, pick_list_id text, line_id text, sku text, location text, qty int, taken int, undone int, returned int)
      ORDER BY event_id
      ON CONFLICT (event_id) DO UPDATE SET undone = excluded.undone, returned = excluded.returned
      RETURNING 1)`);
  }
  if (w.receipts.length > 0) {
    // A line named by the event, else the receipt's first line of that SKU, else a new (unexpected) line.
    parts.push(`receipts_d AS (
      SELECT receipt_id, line_id, sku, gtin, qty FROM jsonb_to_recordset(${$(
        json(w.receipts.map((r) => ({ receipt_id: r.receiptId, line_id: r.lineId, sku: r.sku, gtin: r.gtin, qty: r.qty }))),
      )}::jsonb) AS x(receipt_id text, line_id text, sku text, gtin text, qty int)
    ), receipts_m AS (
      SELECT d.receipt_id, d.sku, d.qty,
        coalesce(
          (SELECT l.line_id FROM receipt_lines l WHERE l.receipt_id = d.receipt_id AND l.line_id = d.line_id AND l.sku = d.sku),
          (SELECT l.line_id FROM receipt_lines l WHERE l.receipt_id = d.receipt_id AND l.sku = d.sku ORDER BY l.position LIMIT 1),
          'extra-' || d.sku) AS line_id,
        coalesce(d.gtin, (SELECT c.gtin FROM catalog c WHERE c.sku = d.sku), '') AS gtin
      FROM receipts_d d JOIN receipts r ON r.id = d.receipt_id
    ), receipts_in AS (
      INSERT INTO receipt_lines (receipt_id, line_id, position, sku, gtin, expected_qty, received_qty)
      SELECT receipt_id, line_id, 1000, sku, max(gtin), 0, sum(qty) FROM receipts_m
      GROUP BY receipt_id, line_id, sku ORDER BY receipt_id, line_id
      ON CONFLICT (receipt_id, line_id) DO UPDATE SET received_qty = receipt_lines.received_qty + excluded.received_qty
      RETURNING 1)`);
  }
  if (w.returnsIn.length > 0) {
    parts.push(`returns_in AS (
      INSERT INTO returns (return_id, sku, location, qty, condition, note, received_at)
      SELECT return_id, min(sku), min(location), sum(qty), min(condition), min(note), ${$(w.receivedAt)}::timestamptz
      FROM jsonb_to_recordset(${$(
        json(w.returnsIn.map((r) => ({ return_id: r.returnId, sku: r.sku, location: r.location, qty: r.qty, condition: r.condition, note: r.note }))),
      )}::jsonb) AS x(return_id text, sku text, location text, qty int, condition text, note text)
      GROUP BY return_id ORDER BY return_id
      ON CONFLICT (return_id) DO UPDATE SET qty = returns.qty + excluded.qty
      RETURNING 1)`);
  }
  const rejected = w.ledger.filter((e) => e.status === 'rejected').length;
  parts.push(`device_up AS (
    UPDATE devices SET last_seq = ${$(w.lastSeq)}, last_contact_at = ${$(w.receivedAt)}::timestamptz, rejected_count = rejected_count + ${$(rejected)}::int
    WHERE device_id = ${$(w.deviceId)} RETURNING 1)`);
  let notify = 'NULL';
  if (w.changes.length > 0) {
    let payload = json(w.changes);
    if (payload.length > MAX_NOTIFY) payload = json([...new Set(w.changes.map((c) => c.kind))].map((kind) => ({ kind })));
    notify = `pg_notify(${$(w.channel)}, ${$(payload)})`;
  }
  await tx.query(`WITH ${parts.join(',\n')} SELECT ${notify} AS notified, (SELECT count(*) FROM device_up) AS devices`, params, { prepared: true });
  if (w.returnsResolved.length > 0) {
    await tx.query(
      `UPDATE returns r SET resolved_qty = r.resolved_qty + d.qty
       FROM (SELECT return_id, sum(qty) AS qty FROM jsonb_to_recordset($1::jsonb) AS x(return_id text, qty int) GROUP BY return_id) d
       WHERE r.return_id = d.return_id`,
      [json(w.returnsResolved.map((r) => ({ return_id: r.returnId, qty: r.qty })))],
      { prepared: true },
    );
  }
}
