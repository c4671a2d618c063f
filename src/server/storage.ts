/**
 * The one SQL module: every statement the API sends lives here. Written for PostgreSQL and
 * run unchanged on PGlite. Writes are set-based (one statement per table per push, rows
 * passed as a JSON array through `jsonb_to_recordset`) and sorted by key, so pushes from
 * different devices take row locks in the same order.
 */
import type { Database, Row, Sql } from './db.ts';
import { MIGRATIONS } from './migrations.ts';
import { atp, onHand, type Buckets, type CountTask, type Discrepancy, type LocationKind, type PickLineRecord, type PickRecord, type ReturnRecord } from '../domain/stock.ts';
import type { LedgerFact } from '../domain/replay.ts';
import type { Role } from '../domain/roles.ts';
import type { CatalogItem, CountTaskView, LedgerEntry, PickList, QuarantinedReturn, Receipt, StockFigure } from '../domain/protocol.ts';

/** Advisory lock keys (any 64-bit numbers, fixed for the life of the schema). */
const MIGRATION_LOCK = 7_270_001;
const SEED_LOCK = 7_270_002;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const json = (v: unknown): string => JSON.stringify(v);

// ---------------------------------------------------------------- schema

/** Applies missing migrations; safe when several processes start at once (they queue on an advisory lock). */
export async function migrate(db: Database): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => num(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** The NOTIFY channel of this schema: schemas sharing a database must not hear each other. */
export async function changeChannel(db: Sql): Promise<string> {
  const [row] = await db.query<{ s: string }>('SELECT current_schema() AS s');
  return `floor_changes_${row?.s ?? 'public'}`.slice(0, 63);
}

// ---------------------------------------------------------------- seed

export type SeedData = {
  users: { id: string; name: string; roles: Role[]; pinHash: string }[];
  catalog: CatalogItem[];
  locations: { id: string; kind: 'bin' | 'dock' | 'returns' }[];
  stock: { sku: string; location: string; available: number }[];
  pickLists: { id: string; orderRef: string; assignedTo: string | null; lines: { lineId: string; sku: string; location: string; qty: number }[] }[];
  receipts: { id: string; supplier: string; dock: string; ssccs: string[]; lines: { lineId: string; sku: string; gtin: string; expectedQty: number }[] }[];
  /** The device id under which opening balances are written to the ledger. */
  openingDevice: string;
  now: Date;
};

export async function hasUsers(db: Sql): Promise<boolean> {
  return (await db.query('SELECT 1 FROM users LIMIT 1')).length > 0;
}

/** Writes the demo data once, into an empty database; returns false when there was data already. */
export async function seedIfEmpty(db: Database, data: SeedData): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    const [row] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    if (num(row?.n) > 0) return false;
    await tx.query(
      `INSERT INTO users (id, name, roles, pin_hash)
       SELECT id, name, roles, pin_hash FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, roles text[], pin_hash text)`,
      [json(data.users.map((u) => ({ id: u.id, name: u.name, roles: u.roles, pin_hash: u.pinHash })))],
    );
    await insertCatalog(tx, data.catalog);
    await tx.query(`INSERT INTO locations (id, kind) SELECT id, kind FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text)`, [json(data.locations)]);
    await tx.query(
      `INSERT INTO stock (sku, location, available) SELECT sku, location, available FROM jsonb_to_recordset($1::jsonb) AS x(sku text, location text, available int)`,
      [json(data.stock)],
    );
    // Opening balances go to the ledger too, so every figure has events behind it.
    await tx.query(
      `INSERT INTO ledger (id, device_id, seq, type, schema_version, actor, occurred_at, received_at, status, payload, touches, skus, locations)
       SELECT id, $2, seq, 'stock.opening_balance', 1, 'system', $3, $4, 'applied', payload, touches, skus, locations
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, seq bigint, payload jsonb, touches text[], skus text[], locations text[])`,
      [
        json(
          data.stock.map((s, i) => ({
            id: `opening-${i + 1}`,
            seq: i + 1,
            payload: s,
            touches: [touchKey(s.sku, s.location)],
            skus: [s.sku],
            locations: [s.location],
          })),
        ),
        data.openingDevice,
        data.now.toISOString(),
        data.now,
      ],
    );
    await insertPickLists(tx, data.pickLists);
    await tx.query(
      `INSERT INTO receipts (id, supplier, dock, ssccs) SELECT id, supplier, dock, ssccs FROM jsonb_to_recordset($1::jsonb) AS x(id text, supplier text, dock text, ssccs text[])`,
      [json(data.receipts.map((r) => ({ id: r.id, supplier: r.supplier, dock: r.dock, ssccs: r.ssccs })))],
    );
    await tx.query(
      `INSERT INTO receipt_lines (receipt_id, line_id, position, sku, gtin, expected_qty)
       SELECT receipt_id, line_id, position, sku, gtin, expected_qty
       FROM jsonb_to_recordset($1::jsonb) AS x(receipt_id text, line_id text, position int, sku text, gtin text, expected_qty int)`,
      [json(data.receipts.flatMap((r) => r.lines.map((l, i) => ({ receipt_id: r.id, line_id: l.lineId, position: i, sku: l.sku, gtin: l.gtin, expected_qty: l.expectedQty }))))],
    );
    return true;
  });
}

/** Adds catalog items (the seed's, and until master data has its own API, tests' own). */
export async function insertCatalog(db: Sql, items: readonly CatalogItem[]): Promise<void> {
  await db.query(
    `INSERT INTO catalog (sku, gtin, name, units_per_case)
     SELECT sku, gtin, name, units_per_case FROM jsonb_to_recordset($1::jsonb) AS x(sku text, gtin text, name text, units_per_case int)`,
    [json(items.map((c) => ({ sku: c.sku, gtin: c.gtin, name: c.name, units_per_case: c.unitsPerCase ?? null })))],
  );
}

/** Adds pick lists with their lines (the seed's, and until orders arrive through a channel, tests' own). */
export async function insertPickLists(db: Sql, lists: SeedData['pickLists']): Promise<void> {
  if (lists.length === 0) return;
  await db.query(
    `INSERT INTO pick_lists (id, order_ref, assigned_to) SELECT id, order_ref, assigned_to FROM jsonb_to_recordset($1::jsonb) AS x(id text, order_ref text, assigned_to text)`,
    [json(lists.map((p) => ({ id: p.id, order_ref: p.orderRef, assigned_to: p.assignedTo })))],
  );
  await db.query(
    `INSERT INTO pick_lines (pick_list_id, line_id, position, sku, location, qty)
     SELECT pick_list_id, line_id, position, sku, location, qty
     FROM jsonb_to_recordset($1::jsonb) AS x(pick_list_id text, line_id text, position int, sku text, location text, qty int)`,
    [json(lists.flatMap((p) => p.lines.map((l, i) => ({ pick_list_id: p.id, line_id: l.lineId, position: i, sku: l.sku, location: l.location, qty: l.qty }))))],
  );
}

// ---------------------------------------------------------------- users and sessions

export type UserRow = { id: string; name: string; roles: Role[] };

export async function userWithPin(db: Sql, id: string): Promise<(UserRow & { pinHash: string }) | undefined> {
  // masterdata: a user an admin locked cannot sign in (migration 8's locked_at).
  const [r] = await db.query<{ id: string; name: string; roles: Role[]; pin_hash: string }>('SELECT id, name, roles, pin_hash FROM users WHERE id = $1 AND locked_at IS NULL', [id]);
  return r && { id: r.id, name: r.name, roles: r.roles, pinHash: r.pin_hash };
}

/** A verified session: its user (roles as of now) and the device it was opened on. */
export type { SessionUser } from './identity/storage.ts';

// ---------------------------------------------------------------- push

/** Locks the device's row until the transaction ends (creating it on first contact); returns its last seq. */
export async function lockDevice(tx: Sql, deviceId: string): Promise<number> {
  const lock = () => tx.query<{ last_seq: number }>('SELECT last_seq FROM devices WHERE device_id = $1 FOR UPDATE', [deviceId]);
  let [r] = await lock();
  if (!r) {
    await tx.query('INSERT INTO devices (device_id) VALUES ($1) ON CONFLICT DO NOTHING', [deviceId]);
    [r] = await lock();
  }
  return num(r?.last_seq);
}

/** The event ids (and content hashes, null before migration 4) the ledger holds for these seqs of a device. */
export async function heldEvents(tx: Sql, deviceId: string, seqs: number[]): Promise<Map<number, { id: string; hash: string | null }>> {
  if (seqs.length === 0) return new Map();
  const rows = await tx.query<{ seq: number; id: string; payload_hash: string | null }>(
    'SELECT seq, id, payload_hash FROM ledger WHERE device_id = $1 AND seq = ANY($2::bigint[])',
    [deviceId, seqs],
  );
  return new Map(rows.map((r) => [num(r.seq), { id: r.id, hash: r.payload_hash }]));
}

export type ResendConflict = { seq: number; eventId: string; heldHash: string; sentHash: string; sent: unknown };

/** Records resends of held events with other content; a repeat of the same content counts up its row. */
export async function recordResendConflicts(tx: Sql, deviceId: string, at: Date, conflicts: ResendConflict[]): Promise<void> {
  if (conflicts.length === 0) return;
  await tx.query(
    `INSERT INTO event_conflicts (device_id, seq, event_id, held_hash, sent_hash, sent, first_seen_at, last_seen_at)
     SELECT $1, seq, event_id, held_hash, sent_hash, sent, $2, $2
     FROM jsonb_to_recordset($3::jsonb) AS x(seq bigint, event_id text, held_hash text, sent_hash text, sent jsonb)
     ORDER BY seq
     ON CONFLICT (device_id, seq, sent_hash) DO UPDATE SET times = event_conflicts.times + 1, last_seen_at = excluded.last_seen_at`,
    [deviceId, at, json(conflicts.map((c) => ({ seq: c.seq, event_id: c.eventId, held_hash: c.heldHash, sent_hash: c.sentHash, sent: c.sent })))],
  );
}

/** Resend conflicts, newest first: for supervisors. */
export async function resendConflictRows(db: Sql, limit: number) {
  const rows = await db.query(
    'SELECT device_id, seq, event_id, sent, first_seen_at, last_seen_at, times FROM event_conflicts ORDER BY last_seen_at DESC, id DESC LIMIT $1',
    [limit],
  );
  return rows.map((r) => ({
    deviceId: String(r.device_id),
    seq: num(r.seq),
    eventId: String(r.event_id),
    sent: r.sent,
    firstSeenAt: iso(r.first_seen_at),
    lastSeenAt: iso(r.last_seen_at),
    times: num(r.times),
  }));
}

/** Savepoints: one event's failure inside a push is undone without undoing the others. */
export const savepoint = async (tx: Sql, name: string): Promise<void> => void (await tx.query(`SAVEPOINT ${name}`));
export const releaseSavepoint = async (tx: Sql, name: string): Promise<void> => void (await tx.query(`RELEASE SAVEPOINT ${name}`));
export const rollbackToSavepoint = async (tx: Sql, name: string): Promise<void> => void (await tx.query(`ROLLBACK TO SAVEPOINT ${name}`));

export type PushContext = {
  /** Known users among the actors, with whether each has signed in on this device. */
  actors: Map<string, { roles: Role[]; signedIn: boolean }>;
  /** Event ids already in the ledger (under any device and seq). */
  knownIds: Set<string>;
  /** The count tasks the batch reads, locked. */
  tasks: CountTask[];
  /** Applied `pick.held` events the batch undoes, locked: what a `pick.undone` corrects. */
  picks: PickRecord[];
  /** The pick lines the batch names (or whose picks it undoes), locked. */
  lines: PickLineRecord[];
  /** The returns the batch names, locked. */
  returns: ReturnRecord[];
  /** Of the SKUs, locations and receipts the batch names, those that exist. */
  skus: Set<string>;
  locations: Map<string, LocationKind>;
  receipts: Set<string>;
};

/** Everything a push reads besides stock, in one round trip; the records events refer to are locked, in key order. */
export async function pushContext(
  tx: Sql,
  q: {
    deviceId: string;
    actors: string[];
    eventIds: string[];
    taskIds: string[];
    pickIds: string[];
    pickLines: { pickListId: string; lineId: string }[];
    returnIds: string[];
    skus: string[];
    locations: string[];
    receiptIds: string[];
  },
): Promise<PushContext> {
  const [r] = await tx.query<{
    actors: { id: string; roles: Role[]; signedIn: boolean }[];
    known: string[];
    tasks: CountTaskRow[];
    lines: { pick_list_id: string; line_id: string; sku: string; location: string; qty: number; picked: number; short: number }[];
    picks: { event_id: string; pick_list_id: string; line_id: string; sku: string; location: string; qty: number; taken: number; undone: number; returned: number }[];
    returns: { return_id: string; sku: string; location: string; qty: number; resolved_qty: number }[];
    skus: string[];
    locations: { id: string; kind: LocationKind }[];
    receipts: string[];
  }>(
    `SELECT
       (SELECT coalesce(json_agg(json_build_object('id', u.id, 'roles', u.roles, 'signedIn', du.user_id IS NOT NULL)), '[]')
          FROM users u LEFT JOIN device_users du ON du.user_id = u.id AND du.device_id = $1
          WHERE u.id = ANY($2::text[])) AS actors,
       (SELECT coalesce(json_agg(DISTINCT id), '[]') FROM ledger WHERE id = ANY($3::text[])) AS known,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT id, location, reason, status, snapshot, held, started FROM count_tasks WHERE id = ANY($4::text[]) ORDER BY id FOR UPDATE) t) AS tasks,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT pick_list_id, line_id, sku, location, qty, picked, short FROM pick_lines
          WHERE (pick_list_id, line_id) IN (SELECT pick_list_id, line_id FROM jsonb_to_recordset($6::jsonb) AS x(pick_list_id text, line_id text))
             OR (pick_list_id, line_id) IN (SELECT pick_list_id, line_id FROM picks WHERE event_id = ANY($5::text[]))
          ORDER BY pick_list_id, line_id FOR UPDATE) t) AS lines,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT event_id, pick_list_id, line_id, sku, location, qty, taken, undone, returned FROM picks
          WHERE event_id = ANY($5::text[]) ORDER BY event_id FOR UPDATE) t) AS picks,
       (SELECT coalesce(json_agg(t), '[]') FROM (
          SELECT return_id, sku, location, qty, resolved_qty FROM returns WHERE return_id = ANY($7::text[]) ORDER BY return_id FOR UPDATE) t) AS returns,
       (SELECT coalesce(json_agg(sku), '[]') FROM catalog WHERE sku = ANY($8::text[])) AS skus,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'kind', kind)), '[]') FROM locations WHERE id = ANY($9::text[])) AS locations,
       (SELECT coalesce(json_agg(id), '[]') FROM receipts WHERE id = ANY($10::text[])) AS receipts`,
    [
      q.deviceId,
      q.actors,
      q.eventIds,
      q.taskIds,
      q.pickIds,
      json(q.pickLines.map((l) => ({ pick_list_id: l.pickListId, line_id: l.lineId }))),
      q.returnIds,
      q.skus,
      q.locations,
      q.receiptIds,
    ],
  );
  return {
    actors: new Map((r?.actors ?? []).map((a) => [a.id, { roles: a.roles, signedIn: a.signedIn }])),
    knownIds: new Set(r?.known ?? []),
    tasks: (r?.tasks ?? []).map(toCountTask),
    lines: (r?.lines ?? []).map((l) => ({ pickListId: l.pick_list_id, lineId: l.line_id, sku: l.sku, location: l.location, qty: num(l.qty), picked: num(l.picked), short: num(l.short) })),
    picks: (r?.picks ?? []).map((p) => ({
      eventId: p.event_id as PickRecord['eventId'],
      pickListId: p.pick_list_id,
      lineId: p.line_id,
      sku: p.sku as PickRecord['sku'],
      location: p.location as PickRecord['location'],
      qty: num(p.qty),
      taken: num(p.taken),
      undone: num(p.undone),
      returned: num(p.returned),
    })),
    returns: (r?.returns ?? []).map((x) => ({ returnId: x.return_id, sku: x.sku, location: x.location, qty: num(x.qty), resolved: num(x.resolved_qty) })),
    skus: new Set(r?.skus ?? []),
    locations: new Map((r?.locations ?? []).map((l) => [l.id, l.kind])),
    receipts: new Set(r?.receipts ?? []),
  };
}

type CountTaskRow = { id: string; location: string; reason: string; status: string; snapshot: unknown; held: unknown; started?: unknown };
const toCountTask = (r: CountTaskRow): CountTask => ({
  id: r.id,
  location: r.location,
  reason: r.reason,
  status: r.status,
  ...(r.snapshot ? { snapshot: r.snapshot } : {}),
  ...(r.held ? { held: r.held } : {}),
  ...(r.started ? { started: r.started } : {}),
}) as CountTask;

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

type FactRow = { id: string; device_id: string; seq: number; type: string; schema_version: number | null; actor: string; occurred_at: string; status: 'applied' | 'rejected'; payload: unknown };
const toFact = (r: FactRow): LedgerFact => ({
  id: r.id,
  deviceId: r.device_id,
  seq: num(r.seq),
  type: r.type,
  schemaVersion: r.schema_version === null ? null : num(r.schema_version),
  actor: r.actor,
  occurredAt: r.occurred_at,
  status: r.status,
  payload: r.payload,
});

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

const bucketsOf = (r: Row): Buckets => ({
  available: num(r.available),
  committed: num(r.committed),
  qc: num(r.qc),
  quarantine: num(r.quarantine),
  suspect: num(r.suspect),
});

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
export type Change = { kind: 'work' | 'stock'; sku?: string; location?: string };

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

export const touchKey = (sku: string, location: string): string => `${sku} ${location}`;
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
      INSERT INTO stock (sku, location, available, committed, qc, quarantine, suspect)
      SELECT sku, location, available, committed, qc, quarantine, suspect
      FROM jsonb_to_recordset(${$(json([...w.stock].sort(byKey)))}::jsonb) AS x(sku text, location text, available int, committed int, qc int, quarantine int, suspect int)
      ORDER BY sku, location
      ON CONFLICT (sku, location) DO UPDATE SET
        available = stock.available + excluded.available,
        committed = stock.committed + excluded.committed,
        qc = stock.qc + excluded.qc,
        quarantine = stock.quarantine + excluded.quarantine,
        suspect = stock.suspect + excluded.suspect
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
    const tasks = [...w.countTasks].sort((a, b) => (a.id < b.id ? -1 : 1)).map((t) => ({ ...t, snapshot: t.snapshot ?? null, held: t.held ?? null, started: t.started ?? null }));
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
            .map((p) => ({ event_id: p.eventId, pick_list_id: p.pickListId, line_id: p.lineId, sku: p.sku, location: p.location, qty: p.qty, taken: p.taken, undone: p.undone, returned: p.returned })),
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
  await tx.query(`WITH ${parts.join(',\n')} SELECT ${notify} AS notified, (SELECT count(*) FROM device_up) AS devices`, params);
  if (w.returnsResolved.length > 0) {
    await tx.query(
      `UPDATE returns r SET resolved_qty = r.resolved_qty + d.qty
       FROM (SELECT return_id, sum(qty) AS qty FROM jsonb_to_recordset($1::jsonb) AS x(return_id text, qty int) GROUP BY return_id) d
       WHERE r.return_id = d.return_id`,
      [json(w.returnsResolved.map((r) => ({ return_id: r.returnId, qty: r.qty })))],
    );
  }
}

/** Records that a device called in without delivering anything new. */
export async function touchDevice(tx: Sql, deviceId: string, at: Date): Promise<void> {
  await tx.query('UPDATE devices SET last_contact_at = $2 WHERE device_id = $1', [deviceId, at]);
}

// ---------------------------------------------------------------- reads


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


export async function ledgerEvents(
  db: Sql,
  f: { sku?: string; location?: string; deviceId?: string; after?: number; limit: number },
): Promise<LedgerEntry[]> {
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
    deviceId: String(r.device_id),
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

export async function discrepancyRows(db: Sql, limit: number) {
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
    deviceId: String(r.device_id),
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

/** Notes that a device called in (a pull counts as contact) and answers its last seq. */
export async function deviceContact(db: Sql, deviceId: string, at: Date): Promise<number> {
  const [r] = await db.query<{ last_seq: number }>(
    `INSERT INTO devices (device_id, last_contact_at) VALUES ($1, $2)
     ON CONFLICT (device_id) DO UPDATE SET last_contact_at = GREATEST(devices.last_contact_at, excluded.last_contact_at)
     RETURNING last_seq`,
    [deviceId, at],
  );
  return num(r?.last_seq);
}

/** Count tasks; `withFigures` adds the snapshot and held lines (expected quantities), for supervisors only. */
export async function countTaskRows(db: Sql, withFigures: boolean) {
  const rows = await db.query<CountTaskRow & { updated_at: unknown }>('SELECT id, location, reason, status, snapshot, held, updated_at FROM count_tasks ORDER BY updated_at DESC, id');
  return rows.map((r) => {
    const base = { id: r.id, location: r.location, reason: r.reason, status: r.status, updatedAt: iso(r.updated_at) };
    return withFigures ? { ...base, snapshot: r.snapshot ?? undefined, held: r.held ?? undefined } : base;
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

export async function catalogRows(db: Sql): Promise<CatalogItem[]> {
  const rows = await db.query('SELECT sku, gtin, name, units_per_case FROM catalog ORDER BY sku');
  return rows.map((r) => ({ sku: String(r.sku), gtin: String(r.gtin), name: String(r.name), ...(r.units_per_case ? { unitsPerCase: num(r.units_per_case) } : {}) }));
}

export async function locationRows(db: Sql): Promise<{ id: string; kind: 'bin' | 'dock' | 'returns' }[]> {
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
    list.lines.push({ lineId: String(r.line_id), sku: String(r.sku), location: String(r.location), qty: num(r.qty), picked: num(r.picked), short: num(r.short) });
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
    const receipt = receipts.get(id) ?? { id, supplier: String(r.supplier), dock: String(r.dock), ssccs: r.ssccs as string[], status: 'open' as const, lines: [] };
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

/** A marker of the state the work answer reflects: the newest ledger position. */
export async function ledgerHead(db: Sql): Promise<number> {
  const [r] = await db.query<{ p: number }>('SELECT coalesce(max(position), 0) AS p FROM ledger');
  return num(r?.p);
}


// ---------------------------------------------------------------- replay

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
