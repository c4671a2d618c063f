/**
 * Seed: the demo data, written once into an empty database, and the inserts tests reuse.
 */
import type { Database, Sql } from '../db.ts';
import type { Role } from '../../domain/roles.ts';
import type { CatalogItem } from '../../domain/protocol.ts';
import { json, num, touchKey } from './rows.ts';

/** Advisory lock key (any 64-bit number, fixed for the life of the schema). */
const SEED_LOCK = 7_270_002;

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
      `INSERT INTO stock (sku, location, available, last_moved_at) SELECT sku, location, available, $2 FROM jsonb_to_recordset($1::jsonb) AS x(sku text, location text, available int)`,
      [json(data.stock), data.now],
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
      [
        json(
          data.receipts.flatMap((r) =>
            r.lines.map((l, i) => ({ receipt_id: r.id, line_id: l.lineId, position: i, sku: l.sku, gtin: l.gtin, expected_qty: l.expectedQty })),
          ),
        ),
      ],
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
