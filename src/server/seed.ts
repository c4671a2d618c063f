/**
 * Demo data, written once into an empty database. Deterministic: tests import these constants.
 * GTINs are GTIN-13s written as GTIN-14 (leading 0) with valid GS1 check digits; SSCCs likewise.
 * The catalog, the bin map, the users and the expected receipt are CSV files in ./demo, loaded
 * through the master-data import a real site uses (tests prove the files say what these
 * constants say); opening stock and pick lists follow in the same transaction.
 */
import { readFile } from 'node:fs/promises';
import type { Database } from './db.ts';
import { changeChannel, hasUsers, insertPickLists } from './storage/index.ts';
import type { Role } from '../domain/roles.ts';
import type { CatalogItem } from '../domain/protocol.ts';
import { importIn, prepareImport, type EntityName, type ImportContext } from './masterdata/service.ts';
import { writeOpeningBalances } from './masterdata/storage.ts';

export const DEMO_USERS: readonly { id: string; name: string; pin: string; roles: Role[] }[] = [
  { id: 'picker', name: 'Pia Picker', pin: '1111', roles: ['picker', 'counter'] },
  { id: 'receiver', name: 'Rui Receiver', pin: '2222', roles: ['receiver', 'returns', 'counter'] },
  { id: 'returns', name: 'Rita Returns', pin: '4444', roles: ['returns'] },
  { id: 'supervisor', name: 'Sam Supervisor', pin: '3333', roles: ['supervisor'] },
  { id: 'admin', name: 'Ada Admin', pin: '5555', roles: ['admin'] },
];

export const CATALOG: readonly CatalogItem[] = [
  { sku: 'SKU-1001', gtin: '04006381330077', name: 'Stainless bottle 750 ml', unitsPerCase: 12 },
  { sku: 'SKU-1002', gtin: '04006381330145', name: 'Trail socks, size M', unitsPerCase: 24 },
  { sku: 'SKU-1003', gtin: '04006381330213', name: 'Head torch 300 lm', unitsPerCase: 10 },
  { sku: 'SKU-1004', gtin: '04006381330282', name: 'Camping mug, enamel', unitsPerCase: 12 },
  { sku: 'SKU-1005', gtin: '04006381330350', name: 'Dry bag 20 l', unitsPerCase: 8 },
  { sku: 'SKU-1006', gtin: '04006381330428', name: 'Microfibre towel', unitsPerCase: 20 },
  { sku: 'SKU-1007', gtin: '04006381330497', name: 'Carabiner, locking', unitsPerCase: 50 },
  { sku: 'SKU-1008', gtin: '04006381330565', name: 'Rain poncho' },
];

export const BINS = ['A-01-01', 'A-01-02', 'A-02-01', 'A-02-02', 'B-01-01', 'B-01-02'] as const;
export const DOCK = 'DOCK-1';
export const RETURNS_AREA = 'RET-1';
export const LOCATIONS: readonly { id: string; kind: 'bin' | 'dock' | 'returns' }[] = [
  ...BINS.map((id) => ({ id, kind: 'bin' as const })),
  { id: DOCK, kind: 'dock' },
  { id: RETURNS_AREA, kind: 'returns' },
];

/** Opening stock, all `available`, in bins. */
export const OPENING_STOCK: readonly { sku: string; location: string; available: number }[] = [
  { sku: 'SKU-1001', location: 'A-01-01', available: 40 },
  { sku: 'SKU-1002', location: 'A-01-02', available: 60 },
  { sku: 'SKU-1003', location: 'A-02-01', available: 25 },
  { sku: 'SKU-1004', location: 'A-02-02', available: 30 },
  { sku: 'SKU-1005', location: 'B-01-01', available: 15 },
  { sku: 'SKU-1006', location: 'B-01-02', available: 50 },
  { sku: 'SKU-1007', location: 'B-01-01', available: 120 },
  { sku: 'SKU-1001', location: 'B-01-02', available: 10 },
];

export const PICK_LISTS = [
  {
    id: 'PL-0001',
    orderRef: 'SO-50001',
    assignedTo: 'picker',
    lines: [
      { lineId: '1', sku: 'SKU-1001', location: 'A-01-01', qty: 2 },
      { lineId: '2', sku: 'SKU-1003', location: 'A-02-01', qty: 1 },
      { lineId: '3', sku: 'SKU-1007', location: 'B-01-01', qty: 5 },
    ],
  },
  {
    id: 'PL-0002',
    orderRef: 'SO-50002',
    assignedTo: 'picker',
    lines: [
      { lineId: '1', sku: 'SKU-1002', location: 'A-01-02', qty: 3 },
      { lineId: '2', sku: 'SKU-1005', location: 'B-01-01', qty: 1 },
    ],
  },
] as const;

export const RECEIPTS = [
  {
    id: 'RCV-0001',
    supplier: 'Northwind Outdoor GmbH',
    dock: DOCK,
    ssccs: ['034012345000000019', '034012345000000026'],
    lines: [
      { lineId: '1', sku: 'SKU-1004', gtin: '04006381330282', expectedQty: 24 },
      { lineId: '2', sku: 'SKU-1008', gtin: '04006381330565', expectedQty: 10 },
    ],
  },
] as const;

/** The ledger's device id for opening balances (no handheld has it: it is not a v7 UUID any device makes). */
export const OPENING_DEVICE = '00000000-0000-0000-0000-000000000000';
/** The fixed time the demo data is stamped with. */
export const SEED_TIME = new Date('2026-01-01T06:00:00Z');

/** The demo's CSV files, in the order they import (locations before receipts name a dock, the catalog before receipts name SKUs). */
export const DEMO_FILES: readonly { entity: EntityName; file: string }[] = [
  { entity: 'catalog', file: 'catalog.csv' },
  { entity: 'locations', file: 'locations.csv' },
  { entity: 'users', file: 'users.csv' },
  { entity: 'receipts', file: 'receipts.csv' },
];
export const demoFile = (file: string): Promise<string> => readFile(new URL(`./demo/${file}`, import.meta.url), 'utf8');

/** Writes the demo data if the database is empty; returns whether it did. */
export async function seedDemo(db: Database): Promise<boolean> {
  // Hashing PINs costs a moment; skip it on every start after the first.
  if (await hasUsers(db)) return false;
  const ctx: ImportContext = { actor: { id: 'system', roles: ['admin'] }, now: () => SEED_TIME, channel: await changeChannel(db) };
  const prepared = await Promise.all(DEMO_FILES.map(async (f) => prepareImport(db, f.entity, { csv: await demoFile(f.file) })));
  return db.transaction(async (tx) => {
    // Two API processes starting on one empty database: the second waits here, then finds users.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
    if (await hasUsers(tx)) return false;
    for (const p of prepared) {
      const report = await importIn(tx, ctx, p, { write: true, mode: 'all' });
      if (!report.imported) throw new Error(`demo ${p.entity} file does not import: ${report.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`);
    }
    await writeOpeningBalances(tx, OPENING_STOCK, OPENING_DEVICE, SEED_TIME);
    await insertPickLists(
      tx,
      PICK_LISTS.map((p) => ({ ...p, lines: [...p.lines] })),
    );
    return true;
  });
}

/** The seed's advisory lock (the value storage.ts's own seed used, so old and new never seed at once). */
const SEED_LOCK = 7_270_002;
