/**
 * Reads: stock, ledger, discrepancies, count tasks, returns, master data and open work.
 */
import type { Sql } from '../db.ts';
import { atp, onHand } from '../../domain/stock.ts';
import { asDeviceId } from '../../domain/ids.ts';
import type {
  CatalogItem,
  CountTaskRow as CountTaskAnswerRow,
  CountTaskView,
  DiscrepancyView,
  LedgerEntry,
  LocationView,
  PickList,
  QuarantinedReturn,
  Receipt,
  StockFigure,
} from '../../domain/protocol.ts';
import { bucketsOf, iso, num, toCountTask, touchKey, type CountTaskRow } from './rows.ts';

export async function stockRows(db: Sql, filter: { sku?: string; location?: string }): Promise<StockFigure[]> {
  const rows = await db.query(
    `SELECT sku, location, available, committed, qc, quarantine, suspect FROM stock
     WHERE ($1::text IS NULL OR sku = $1) AND ($2::text IS NULL OR location = $2)
     ORDER BY sku, location`,
    [filter.sku ?? null, filter.location ?? null],
  );
  return rows.map((r) => {
    const b = bucketsOf(r);
    return { sku: String(r.sku), location: String(r.location), ...b, onHand: onHand(b), atp: atp(b) };
  });
}

export async function ledgerEvents(db: Sql, f: { sku?: string; location?: string; deviceId?: string; after?: number; limit: number }): Promise<LedgerEntry[]> {
  const touch = f.sku !== undefined && f.location !== undefined ? touchKey(f.sku, f.location) : null;
  const rows = await db.query(
    `SELECT position, id, device_id, seq, type, actor, occurred_at, received_at, status, code, message, payload, clock_skew FROM ledger
     WHERE ($1::text IS NULL OR touches @> ARRAY[$1::text])
       AND ($2::text IS NULL OR skus @> ARRAY[$2::text])
       AND ($3::text IS NULL OR locations @> ARRAY[$3::text])
       AND ($4::text IS NULL OR device_id = $4)
       AND position > $5
     ORDER BY position LIMIT $6`,
    [touch, touch ? null : (f.sku ?? null), touch ? null : (f.location ?? null), f.deviceId ?? null, f.after ?? 0, f.limit],
  );
  return rows.map((r) => ({
    position: num(r.position),
    id: String(r.id),
    deviceId: asDeviceId(String(r.device_id)),
    seq: num(r.seq),
    type: String(r.type),
    actor: String(r.actor),
    occurredAt: String(r.occurred_at),
    receivedAt: iso(r.received_at),
    status: r.status as 'applied' | 'rejected',
    ...(r.code ? { code: String(r.code) } : {}),
    ...(r.message ? { message: String(r.message) } : {}),
    ...(r.clock_skew ? { clockSkew: r.clock_skew as 'ahead' | 'behind' } : {}),
    payload: r.payload,
  }));
}

export async function discrepancyRows(db: Sql, limit: number): Promise<DiscrepancyView[]> {
  const rows = await db.query(
    `SELECT d.id, d.event_id, d.device_id, d.seq, d.kind, d.sku, d.location, d.expected, d.reported, d.claimed, d.message, d.created_at, l.position
     FROM discrepancies d LEFT JOIN ledger l ON l.device_id = d.device_id AND l.seq = d.seq
     ORDER BY d.id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: num(r.id),
    position: num(r.position),
    eventId: String(r.event_id),
    deviceId: asDeviceId(String(r.device_id)),
    seq: num(r.seq),
    kind: String(r.kind),
    sku: String(r.sku),
    location: String(r.location),
    expected: num(r.expected),
    reported: num(r.reported),
    claimed: num(r.claimed),
    message: String(r.message),
    createdAt: iso(r.created_at),
  }));
}

/** Count tasks; `withFigures` adds the snapshot and held lines (expected quantities), for supervisors only. */
export async function countTaskRows(db: Sql, withFigures: boolean): Promise<CountTaskAnswerRow[]> {
  const rows = await db.query<CountTaskRow & { updated_at: unknown }>(
    'SELECT id, location, reason, status, snapshot, held, updated_at FROM count_tasks ORDER BY updated_at DESC, id',
  );
  return rows.map((r) => {
    const task = toCountTask(r);
    const base = { id: task.id, location: task.location, reason: task.reason, status: task.status, updatedAt: iso(r.updated_at) };
    return withFigures ? { ...base, snapshot: task.snapshot, held: task.held } : base;
  });
}

export async function returnRows(db: Sql, onlyOpen: boolean): Promise<QuarantinedReturn[]> {
  const rows = await db.query(
    `SELECT return_id, sku, location, qty, resolved_qty, condition, note, received_at FROM returns
     WHERE NOT $1::boolean OR resolved_qty < qty ORDER BY received_at, return_id`,
    [onlyOpen],
  );
  return rows.map((r) => ({
    returnId: String(r.return_id),
    sku: String(r.sku),
    location: String(r.location),
    qty: num(r.qty) - num(r.resolved_qty),
    condition: String(r.condition),
    ...(r.note ? { note: String(r.note) } : {}),
    receivedAt: iso(r.received_at),
    resolved: num(r.resolved_qty) >= num(r.qty),
  }));
}

/** The catalog as a handheld caches it, with each SKU's case GTINs (`skus`: only those). */
export async function catalogRows(db: Sql, skus?: readonly string[]): Promise<CatalogItem[]> {
  const rows = await db.query<{ sku: string; gtin: string; name: string; units_per_case: number | null; cases: unknown }>(
    `SELECT c.sku, c.gtin, c.name, c.units_per_case,
       (SELECT json_agg(json_build_object('gtin', k.gtin, 'units', k.units) ORDER BY k.gtin) FROM catalog_cases k WHERE k.sku = c.sku) AS cases
     FROM catalog c ${skus ? 'WHERE c.sku = ANY($1::text[])' : ''} ORDER BY c.sku`,
    skus ? [[...skus]] : [],
  );
  return rows.map((r) => {
    const cases = (typeof r.cases === 'string' ? JSON.parse(r.cases) : r.cases) as { gtin: string; units: number }[] | null;
    return {
      sku: String(r.sku),
      gtin: String(r.gtin),
      name: String(r.name),
      ...(r.units_per_case ? { unitsPerCase: num(r.units_per_case) } : {}),
      ...(cases && cases.length > 0 ? { cases: cases.map((k) => ({ gtin: String(k.gtin), units: num(k.units) })) } : {}),
    };
  });
}

export async function locationRows(db: Sql): Promise<LocationView[]> {
  const rows = await db.query<{ id: string; kind: 'bin' | 'dock' | 'returns' }>('SELECT id, kind FROM locations ORDER BY id');
  return rows.map((r) => ({ id: r.id, kind: r.kind }));
}

/** Open pick lists for a picker: assigned to them or to nobody. */
export async function openPickLists(db: Sql, userId: string): Promise<PickList[]> {
  const rows = await db.query(
    `SELECT p.id, p.order_ref, l.line_id, l.sku, l.location, l.qty, l.picked, l.short
     FROM pick_lists p JOIN pick_lines l ON l.pick_list_id = p.id
     WHERE (p.assigned_to IS NULL OR p.assigned_to = $1)
       -- Open while some line is neither picked nor reported short in full.
       AND EXISTS (SELECT 1 FROM pick_lines o WHERE o.pick_list_id = p.id AND o.picked + o.short < o.qty)
     ORDER BY p.id, l.position`,
    [userId],
  );
  const lists = new Map<string, PickList>();
  for (const r of rows) {
    const id = String(r.id);
    const list = lists.get(id) ?? { id, orderRef: String(r.order_ref), status: 'open' as const, lines: [] };
    list.lines.push({
      lineId: String(r.line_id),
      sku: String(r.sku),
      location: String(r.location),
      qty: num(r.qty),
      picked: num(r.picked),
      short: num(r.short),
    });
    lists.set(id, list);
  }
  return [...lists.values()];
}

export async function openReceipts(db: Sql): Promise<Receipt[]> {
  const rows = await db.query(
    `SELECT r.id, r.supplier, r.dock, r.ssccs, l.line_id, l.sku, l.gtin, l.expected_qty, l.received_qty
     FROM receipts r JOIN receipt_lines l ON l.receipt_id = r.id
     -- Open until every expected line has arrived in full; overs stay visible on their line.
     WHERE EXISTS (SELECT 1 FROM receipt_lines o WHERE o.receipt_id = r.id AND o.received_qty < o.expected_qty)
     ORDER BY r.id, l.position, l.line_id`,
  );
  const receipts = new Map<string, Receipt>();
  for (const r of rows) {
    const id = String(r.id);
    const receipt = receipts.get(id) ?? {
      id,
      supplier: String(r.supplier),
      dock: String(r.dock),
      ssccs: r.ssccs as string[],
      status: 'open' as const,
      lines: [],
    };
    const expectedQty = num(r.expected_qty);
    const receivedQty = num(r.received_qty);
    receipt.lines.push({
      lineId: String(r.line_id),
      sku: String(r.sku),
      gtin: String(r.gtin),
      expectedQty,
      receivedQty,
      flag: receivedQty > expectedQty ? 'over' : receivedQty < expectedQty ? 'under' : 'exact',
    });
    receipts.set(id, receipt);
  }
  return [...receipts.values()];
}

/** Count tasks a counter may work on; never with expected quantities (the count is blind). */
export async function workCountTasks(db: Sql, statuses: string[]): Promise<CountTaskView[]> {
  const rows = await db.query<{ id: string; location: string; reason: string; status: string }>(
    'SELECT id, location, reason, status FROM count_tasks WHERE status = ANY($1::text[]) ORDER BY updated_at, id',
    [statuses],
  );
  return rows.map((r) => ({ id: r.id, location: r.location, reason: r.reason, status: r.status }));
}

/**
 * The pull cursor: the newest positions of the floor ledger and of the order ledger (a channel's
 * order confirmed or cancelled changes the pick lists without a floor event).
 */
export async function workHead(db: Sql): Promise<string> {
  const [r] = await db.query<{ l: number; o: number }>(
    'SELECT (SELECT coalesce(max(position), 0) FROM ledger) AS l, (SELECT coalesce(max(position), 0) FROM order_events) AS o',
  );
  const orders = num(r?.o);
  return `c${num(r?.l)}${orders > 0 ? `o${orders}` : ''}`;
}
