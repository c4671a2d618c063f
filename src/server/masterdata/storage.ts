/**
 * Master data SQL: reads of the catalog, sites, locations, users and expected receipts as the
 * domain's records, and their writes. Every write runs under one advisory lock (so two imports
 * cannot interleave their checks), writes its changes to the ledger (who, when, before and
 * after) and announces a work change on the live feed, all in the caller's transaction.
 */
import type { Sql } from '../db.ts';
import type { Role } from '../../domain/roles.ts';
import type {
  CatalogRecord,
  LocationRecord,
  PlannedChange,
  ReceiptRecord,
  ReceiptState,
  SiteRecord,
  UserState,
  CatalogIndex,
} from '../../domain/masterdata/index.ts';
import { MASTERDATA_TYPE, OPENING_BALANCE } from '../../domain/replay.ts';
import { endSessionsOf } from '../identity/storage.ts';

/** The ledger's device id for master-data changes (reserved: no handheld makes a nil-prefixed id). */
export const MASTERDATA_DEVICE = '00000000-0000-7000-8000-00000000000d';
const MASTERDATA_LOCK = 7_270_008;

const json = (v: unknown): string => JSON.stringify(v);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Serialises master-data writes across every API process until the transaction ends. */
export async function lockMasterdata(tx: Sql): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MASTERDATA_LOCK]);
}

export type Entity = 'catalog' | 'site' | 'location' | 'user' | 'receipt';
/** One change for the ledger: what it was before (null when created) and after (null when deleted). */
export type LedgerChange = { entity: Entity; key: string; action: 'created' | 'updated' | 'deleted'; before: unknown; after: unknown };
export type WriteContext = { actor: string; at: Date; channel: string };

/** Writes each change as a ledger event of the master-data device and tells every handheld to pull. */
export async function recordChanges(tx: Sql, ctx: WriteContext, changes: readonly LedgerChange[]): Promise<void> {
  if (changes.length === 0) return;
  const [row] = await tx.query<{ s: number }>('SELECT coalesce(max(seq), 0) AS s FROM ledger WHERE device_id = $1', [MASTERDATA_DEVICE]);
  const first = num(row?.s) + 1;
  const stamp = ctx.at.toISOString();
  await tx.query(
    `INSERT INTO ledger (id, device_id, seq, type, schema_version, actor, occurred_at, received_at, status, payload, skus, locations)
     SELECT 'md-' || $2 || '-' || x.seq, $2, x.seq, $3, 1, $4, $5, $6::timestamptz, 'applied', x.payload, x.skus, x.locations
     FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, payload jsonb, skus text[], locations text[])`,
    [
      json(
        changes.map((c, i) => ({
          seq: first + i,
          payload: { entity: c.entity, key: c.key, action: c.action, before: c.before, after: c.after },
          skus: c.entity === 'catalog' ? [c.key] : [],
          locations: c.entity === 'location' ? [c.key] : [],
        })),
      ),
      MASTERDATA_DEVICE,
      MASTERDATA_TYPE,
      ctx.actor,
      stamp,
      ctx.at,
    ],
  );
  // Sent only if the transaction commits; every handheld's live feed then pulls (the ledger head moved).
  await tx.query('SELECT pg_notify($1, $2)', [ctx.channel, json([{ kind: 'work' }])]);
}

// ---------------------------------------------------------------- catalog

type CatalogRow = {
  sku: string;
  gtin: string;
  name: string;
  units_per_case: number | null;
  lot_tracked: boolean;
  expiry_tracked: boolean;
  reorder_point: number | null;
  velocity_class: 'A' | 'B' | 'C' | null;
  retired_at: unknown;
  cases: { gtin: string; units: number }[] | null;
};

/** The whole catalog as records, by SKU. */
export async function catalogRecords(db: Sql, skus?: readonly string[]): Promise<Map<string, CatalogRecord>> {
  const rows = await db.query<CatalogRow>(
    `SELECT c.sku, c.gtin, c.name, c.units_per_case, c.lot_tracked, c.expiry_tracked, c.reorder_point, c.velocity_class, c.retired_at, k.cases
     FROM catalog c
     LEFT JOIN (SELECT sku, json_agg(json_build_object('gtin', gtin, 'units', units) ORDER BY gtin) AS cases FROM catalog_cases GROUP BY sku) k ON k.sku = c.sku
     WHERE $1::text[] IS NULL OR c.sku = ANY($1::text[]) ORDER BY c.sku`,
    [skus ?? null],
  );
  return new Map(
    rows.map((r) => [
      r.sku,
      {
        sku: r.sku,
        name: r.name,
        gtin: r.gtin,
        cases: (r.cases ?? []).map((c) => ({ gtin: c.gtin, units: num(c.units) })),
        unitsPerCase: r.units_per_case === null ? null : num(r.units_per_case),
        lotTracked: r.lot_tracked,
        expiryTracked: r.expiry_tracked,
        reorderPoint: r.reorder_point === null ? null : num(r.reorder_point),
        velocityClass: r.velocity_class,
        status: r.retired_at ? 'retired' : 'active',
      } satisfies CatalogRecord,
    ]),
  );
}

/** Writes planned catalog changes (upserts), unit GTINs moving between SKUs included. */
export async function writeCatalog(tx: Sql, at: Date, changes: readonly PlannedChange<CatalogRecord>[]): Promise<void> {
  if (changes.length === 0) return;
  const skus = changes.map((c) => c.key);
  // Case GTINs of the changed SKUs go first, and a unit GTIN that moves is parked, so a swap between two SKUs passes the unique checks.
  // Joined with the list, not `= ANY($1)`: a parameter array is searched linearly for every row.
  await tx.query('DELETE FROM catalog_cases c USING unnest($1::text[]) AS u(sku) WHERE c.sku = u.sku', [skus]);
  const moving = changes.filter((c) => c.before && c.before.gtin !== c.after.gtin).map((c) => c.key);
  if (moving.length > 0) await tx.query(`UPDATE catalog c SET gtin = '~' || c.sku FROM unnest($1::text[]) AS u(sku) WHERE c.sku = u.sku`, [moving]);
  await tx.query(
    `INSERT INTO catalog (sku, gtin, name, units_per_case, lot_tracked, expiry_tracked, reorder_point, velocity_class, retired_at)
     SELECT sku, gtin, name, units_per_case, lot_tracked, expiry_tracked, reorder_point, velocity_class, CASE WHEN retired THEN $2::timestamptz END
     FROM jsonb_to_recordset($1::jsonb) AS x(sku text, gtin text, name text, units_per_case int, lot_tracked boolean, expiry_tracked boolean, reorder_point int, velocity_class text, retired boolean)
     ORDER BY sku
     ON CONFLICT (sku) DO UPDATE SET gtin = excluded.gtin, name = excluded.name, units_per_case = excluded.units_per_case,
       lot_tracked = excluded.lot_tracked, expiry_tracked = excluded.expiry_tracked, reorder_point = excluded.reorder_point,
       velocity_class = excluded.velocity_class,
       retired_at = CASE WHEN excluded.retired_at IS NULL THEN NULL ELSE coalesce(catalog.retired_at, excluded.retired_at) END`,
    [
      json(
        changes.map(({ after: r }) => ({
          sku: r.sku,
          gtin: r.gtin,
          name: r.name,
          units_per_case: r.unitsPerCase ?? r.cases[0]?.units ?? null,
          lot_tracked: r.lotTracked,
          expiry_tracked: r.expiryTracked,
          reorder_point: r.reorderPoint,
          velocity_class: r.velocityClass,
          retired: r.status === 'retired',
        })),
      ),
      at,
    ],
  );
  const cases = changes.flatMap(({ after: r }) => r.cases.map((c) => ({ gtin: c.gtin, sku: r.sku, units: c.units })));
  if (cases.length > 0) {
    await tx.query(
      `INSERT INTO catalog_cases (gtin, sku, units) SELECT gtin, sku, units FROM jsonb_to_recordset($1::jsonb) AS x(gtin text, sku text, units int)`,
      [json(cases)],
    );
  }
}

/** What stands in the way of deleting a SKU: units in stock, or a history in the ledger (then it is retired instead). */
export async function skuInUse(db: Sql, sku: string): Promise<{ units: number; history: boolean; openWork: boolean }> {
  const [r] = await db.query<{ units: number; history: boolean; work: boolean }>(
    `SELECT (SELECT coalesce(sum(available + committed + qc + quarantine + suspect), 0) FROM stock WHERE sku = $1) AS units,
       EXISTS (SELECT 1 FROM ledger WHERE skus @> ARRAY[$1::text] AND type <> $2) AS history,
       EXISTS (SELECT 1 FROM pick_lines WHERE sku = $1 AND picked + short < qty) OR EXISTS (SELECT 1 FROM receipt_lines WHERE sku = $1 AND received_qty < expected_qty) AS work`,
    [sku, MASTERDATA_TYPE],
  );
  return { units: num(r?.units), history: r?.history === true, openWork: r?.work === true };
}

export async function deleteSku(tx: Sql, sku: string): Promise<void> {
  await tx.query('DELETE FROM stock WHERE sku = $1', [sku]);
  await tx.query('DELETE FROM catalog WHERE sku = $1', [sku]);
}

/** Every GTIN with its SKU, and every SKU's unit GTIN: what a receipt line may name. */
export async function catalogIndex(db: Sql): Promise<CatalogIndex> {
  const rows = await db.query<{ gtin: string; sku: string; unit: boolean }>(
    'SELECT gtin, sku, true AS unit FROM catalog UNION ALL SELECT gtin, sku, false AS unit FROM catalog_cases',
  );
  return {
    skuGtin: new Map(rows.filter((r) => r.unit).map((r) => [r.sku, r.gtin])),
    gtinSku: new Map(rows.map((r) => [r.gtin, r.sku])),
  };
}

// ---------------------------------------------------------------- sites and locations

export async function siteRecords(db: Sql): Promise<Map<string, SiteRecord>> {
  const rows = await db.query<{ id: string; name: string; active: boolean }>('SELECT id, name, active FROM sites ORDER BY id');
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, active: r.active }]));
}

export async function writeSites(tx: Sql, changes: readonly PlannedChange<SiteRecord>[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.query(
    `INSERT INTO sites (id, name, active) SELECT id, name, active FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, active boolean) ORDER BY id
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, active = excluded.active`,
    [json(changes.map((c) => c.after))],
  );
}

export async function locationRecords(db: Sql): Promise<Map<string, LocationRecord>> {
  const rows = await db.query<{ id: string; kind: LocationRecord['kind']; site_id: string; active: boolean }>(
    'SELECT id, kind, site_id, active FROM locations ORDER BY id',
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, kind: r.kind, site: r.site_id, active: r.active }]));
}

export async function writeLocations(tx: Sql, changes: readonly PlannedChange<LocationRecord>[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.query(
    `INSERT INTO locations (id, kind, site_id, active) SELECT id, kind, site, active FROM jsonb_to_recordset($1::jsonb) AS x(id text, kind text, site text, active boolean) ORDER BY id
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, site_id = excluded.site_id, active = excluded.active`,
    [json(changes.map((c) => c.after))],
  );
}

/** What stands in the way of removing a location: units there, open work there, or a history (then it is made inactive). */
export async function locationInUse(db: Sql, id: string): Promise<{ units: number; history: boolean; openWork: boolean }> {
  const [r] = await db.query<{ units: number; history: boolean; work: boolean }>(
    `SELECT (SELECT coalesce(sum(available + committed + qc + quarantine + suspect), 0) FROM stock WHERE location = $1) AS units,
       EXISTS (SELECT 1 FROM ledger WHERE locations @> ARRAY[$1::text] AND type <> $2) AS history,
       EXISTS (SELECT 1 FROM pick_lines WHERE location = $1 AND picked + short < qty)
         OR EXISTS (SELECT 1 FROM receipts r WHERE r.dock = $1 AND EXISTS (SELECT 1 FROM receipt_lines l WHERE l.receipt_id = r.id AND l.received_qty < l.expected_qty)) AS work`,
    [id, MASTERDATA_TYPE],
  );
  return { units: num(r?.units), history: r?.history === true, openWork: r?.work === true };
}

export async function deleteLocation(tx: Sql, id: string): Promise<void> {
  await tx.query('DELETE FROM stock WHERE location = $1', [id]);
  await tx.query('DELETE FROM locations WHERE id = $1', [id]);
}

/** Ids of the active dock locations. */
export async function dockIds(db: Sql): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(`SELECT id FROM locations WHERE kind = 'dock' AND active`);
  return new Set(rows.map((r) => r.id));
}

// ---------------------------------------------------------------- users

export async function userStates(db: Sql): Promise<Map<string, UserState & { pinHash: string }>> {
  const rows = await db.query<{ id: string; name: string; roles: Role[]; badge_code: string | null; locked_at: unknown; pin_hash: string }>(
    'SELECT id, name, roles, badge_code, locked_at, pin_hash FROM users ORDER BY id',
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, name: r.name, roles: [...r.roles].sort(), badge: r.badge_code, locked: r.locked_at !== null, hasPin: r.pin_hash !== '', pinHash: r.pin_hash },
    ]),
  );
}

/**
 * Writes users; `pinHashes` holds the new hash of each user whose PIN changes. Disabling (`locked`)
 * ends the user's open sessions as a sign-out does, announced to every API process at commit.
 */
export async function writeUsers(
  tx: Sql,
  at: Date,
  users: readonly { id: string; name: string; roles: Role[]; badge: string | null; locked: boolean }[],
  pinHashes: ReadonlyMap<string, string>,
): Promise<void> {
  if (users.length === 0) return;
  await tx.query(
    `INSERT INTO users (id, name, roles, pin_hash, badge_code, locked_at)
     SELECT id, name, roles, coalesce(pin_hash, ''), badge, CASE WHEN locked THEN $2::timestamptz END
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, roles text[], pin_hash text, badge text, locked boolean) ORDER BY id
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, roles = excluded.roles, pin_hash = coalesce(nullif(excluded.pin_hash, ''), users.pin_hash),
       badge_code = excluded.badge_code, locked_at = CASE WHEN excluded.locked_at IS NULL THEN NULL ELSE coalesce(users.locked_at, excluded.locked_at) END,
       disabled_from = CASE WHEN excluded.locked_at IS NULL AND users.locked_at IS NOT NULL THEN users.locked_at ELSE users.disabled_from END,
       disabled_until = CASE WHEN excluded.locked_at IS NULL AND users.locked_at IS NOT NULL THEN $2::timestamptz ELSE users.disabled_until END`,
    [json(users.map((u) => ({ ...u, pin_hash: pinHashes.get(u.id) ?? null }))), at],
  );
  const disabled = users.filter((u) => u.locked).map((u) => u.id);
  if (disabled.length > 0) await endSessionsOf(tx, disabled, at);
  // A PIN set by a supervisor starts a fresh count of failed sign-ins.
  const fresh = [...pinHashes.keys()];
  if (fresh.length > 0) await tx.query(`DELETE FROM sign_in_counters WHERE scope = 'user' AND key = ANY($1::text[])`, [fresh]);
}

// ---------------------------------------------------------------- expected receipts

export async function receiptStates(db: Sql): Promise<Map<string, ReceiptState>> {
  const rows = await db.query<{
    id: string;
    supplier: string;
    dock: string;
    ssccs: string[];
    lines: { line_id: string; sku: string; gtin: string; expected_qty: number; received_qty: number }[];
  }>(
    `SELECT r.id, r.supplier, r.dock, r.ssccs,
       coalesce((SELECT json_agg(json_build_object('line_id', l.line_id, 'sku', l.sku, 'gtin', l.gtin, 'expected_qty', l.expected_qty, 'received_qty', l.received_qty) ORDER BY l.position, l.line_id)
                 FROM receipt_lines l WHERE l.receipt_id = r.id), '[]') AS lines
     FROM receipts r ORDER BY r.id`,
  );
  return new Map(
    rows.map((r) => {
      // Lines the floor added (a SKU the receipt did not expect) are received goods, not the ASN.
      const expected = r.lines.filter((l) => num(l.expected_qty) > 0);
      return [
        r.id,
        {
          record: {
            id: r.id,
            supplier: r.supplier,
            dock: r.dock,
            ssccs: r.ssccs,
            lines: expected.map((l) => ({ lineId: l.line_id, sku: l.sku, gtin: l.gtin, expectedQty: num(l.expected_qty) })),
          },
          receiving: r.lines.some((l) => num(l.received_qty) > 0),
        },
      ];
    }),
  );
}

export async function writeReceipts(tx: Sql, changes: readonly PlannedChange<ReceiptRecord>[]): Promise<void> {
  if (changes.length === 0) return;
  const ids = changes.map((c) => c.key);
  await tx.query('DELETE FROM receipt_lines WHERE receipt_id = ANY($1::text[])', [ids]);
  await tx.query(
    `INSERT INTO receipts (id, supplier, dock, ssccs) SELECT id, supplier, dock, ssccs FROM jsonb_to_recordset($1::jsonb) AS x(id text, supplier text, dock text, ssccs text[]) ORDER BY id
     ON CONFLICT (id) DO UPDATE SET supplier = excluded.supplier, dock = excluded.dock, ssccs = excluded.ssccs`,
    [json(changes.map(({ after: r }) => ({ id: r.id, supplier: r.supplier, dock: r.dock, ssccs: r.ssccs })))],
  );
  await tx.query(
    `INSERT INTO receipt_lines (receipt_id, line_id, position, sku, gtin, expected_qty)
     SELECT receipt_id, line_id, position, sku, gtin, expected_qty
     FROM jsonb_to_recordset($1::jsonb) AS x(receipt_id text, line_id text, position int, sku text, gtin text, expected_qty int)`,
    [
      json(
        changes.flatMap(({ after: r }) =>
          r.lines.map((l, i) => ({ receipt_id: r.id, line_id: l.lineId, position: i, sku: l.sku, gtin: l.gtin, expected_qty: l.expectedQty })),
        ),
      ),
    ],
  );
}

export async function deleteReceipt(tx: Sql, id: string): Promise<void> {
  await tx.query('DELETE FROM receipt_lines WHERE receipt_id = $1', [id]);
  await tx.query('DELETE FROM receipts WHERE id = $1', [id]);
}

// ---------------------------------------------------------------- opening balances

/**
 * A site's first stock figures, all `available`, each with its ledger event (so replay starts from
 * them): what a warehouse counts on day one. Written once, into a store without stock.
 */
export async function writeOpeningBalances(
  tx: Sql,
  stock: readonly { sku: string; location: string; available: number }[],
  device: string,
  at: Date,
): Promise<void> {
  if (stock.length === 0) return;
  await tx.query(
    `INSERT INTO stock (sku, location, available) SELECT sku, location, available FROM jsonb_to_recordset($1::jsonb) AS x(sku text, location text, available int)`,
    [json(stock)],
  );
  await tx.query(
    `INSERT INTO ledger (id, device_id, seq, type, schema_version, actor, occurred_at, received_at, status, payload, touches, skus, locations)
     SELECT id, $2, seq, $5, 1, 'system', $3, $4, 'applied', payload, touches, skus, locations
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, seq bigint, payload jsonb, touches text[], skus text[], locations text[])`,
    [
      json(
        stock.map((s, i) => ({ id: `opening-${i + 1}`, seq: i + 1, payload: s, touches: [`${s.sku} ${s.location}`], skus: [s.sku], locations: [s.location] })),
      ),
      device,
      at.toISOString(),
      at,
      OPENING_BALANCE,
    ],
  );
}
