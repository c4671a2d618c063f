/**
 * Master-data use cases, shared by the API and the demo seed: check a file or a JSON list,
 * plan it against the store, and (unless previewing) write it with its ledger events, all in
 * one transaction under the master-data lock. All or nothing unless `clean` is asked for.
 */
import * as md from '../../domain/masterdata/index.ts';
import type { Role } from '../../domain/roles.ts';
import { hashPin, verifyPin } from '../auth.ts';
import type { Database, Sql } from '../db.ts';
import * as store from './storage.ts';

export const ENTITIES = ['catalog', 'sites', 'locations', 'users', 'receipts'] as const;
export type EntityName = (typeof ENTITIES)[number];

/** Who changes master data, and how the change is announced. */
export type Actor = { id: string; roles: readonly Role[] };
export type ImportContext = { actor: Actor; now: () => Date; channel: string };
export type ImportInput = { csv: string } | { items: readonly unknown[] };
export type ImportMode = 'all' | 'clean';

/** The answer of a preview or an import: counts, every line error, and the changes (capped). */
export type ImportReport = {
  entity: EntityName;
  lines: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: md.LineError[];
  errorCount: number;
  unknownColumns: string[];
  changes: { line: number; key: string; action: 'created' | 'updated' }[];
  imported: boolean;
  mode: ImportMode;
};

const MAX_REPORTED = 1_000;

type Checked = md.Checked<unknown> & { lines: number; unknownColumns: string[] };
type Step = { plan: md.Plan<unknown>; write(tx: Sql, at: Date): Promise<void>; ledger(c: md.PlannedChange<unknown>): { before: unknown; after: unknown } };

const asItems = (items: readonly unknown[]) => items.map((value, i) => ({ line: i + 1, value }));

function check(entity: EntityName, input: ImportInput): Checked {
  if ('csv' in input) {
    const f =
      entity === 'catalog'
        ? md.readCatalogCsv(input.csv)
        : entity === 'sites'
          ? md.readSitesCsv(input.csv)
          : entity === 'locations'
            ? md.readLocationsCsv(input.csv)
            : entity === 'users'
              ? md.readUsersCsv(input.csv)
              : md.readReceiptsCsv(input.csv);
    return f as Checked;
  }
  const items = asItems(input.items);
  const c =
    entity === 'catalog'
      ? md.checkCatalog(items)
      : entity === 'sites'
        ? md.checkSites(items)
        : entity === 'locations'
          ? md.checkLocations(items)
          : entity === 'users'
            ? md.checkUsers(items)
            : md.checkReceipts(items);
  return { ...(c as md.Checked<unknown>), lines: items.length, unknownColumns: [] };
}

/** PIN work done before the transaction (scrypt is slow): which given PINs already match, and the hashes of new ones. */
async function pinWork(db: Sql, records: readonly md.UserRecord[]): Promise<{ matches: Set<string>; hashes: Map<string, string> }> {
  const stored = await store.userStates(db);
  const matches = new Set<string>();
  const hashes = new Map<string, string>();
  // scrypt runs on libuv's thread pool: the users' hashes are worked on at once.
  await Promise.all(
    records.map(async (r) => {
      if (r.pin === null) return;
      const s = stored.get(r.id);
      if (s && (await verifyPin(r.pin, s.pinHash))) matches.add(r.id);
      else hashes.set(r.id, await hashPin(r.pin));
    }),
  );
  return { matches, hashes };
}

async function planStep(
  tx: Sql,
  entity: EntityName,
  checked: Checked,
  actor: Actor,
  pins: { matches: Set<string>; hashes: Map<string, string> },
): Promise<Step> {
  switch (entity) {
    case 'catalog': {
      const plan = md.planCatalog(await store.catalogRecords(tx), checked as md.Checked<md.CatalogRecord>);
      return { plan, write: (t, at) => store.writeCatalog(t, at, plan.changes), ledger: (c) => c };
    }
    case 'sites': {
      const plan = md.planSites(await store.siteRecords(tx), checked as md.Checked<md.SiteRecord>);
      return { plan, write: (t) => store.writeSites(t, plan.changes), ledger: (c) => c };
    }
    case 'locations': {
      const plan = md.planLocations(await store.locationRecords(tx), new Set((await store.siteRecords(tx)).keys()), checked as md.Checked<md.LocationRecord>);
      return { plan, write: (t) => store.writeLocations(t, plan.changes), ledger: (c) => c };
    }
    case 'users': {
      const states = await store.userStates(tx);
      const plan = md.planUsers(states, checked as md.Checked<md.UserRecord>, actor, pins.matches);
      const shown = (r: md.UserRecord | null) => r && { id: r.id, name: r.name, roles: r.roles, badge: r.badge, locked: r.locked };
      return {
        plan,
        write: (t, at) => {
          const changes = plan.changes as md.PlannedChange<md.UserRecord>[];
          const hashes = new Map(changes.filter((c) => c.after.pin !== null && !pins.matches.has(c.key)).map((c) => [c.key, pins.hashes.get(c.key) as string]));
          return store.writeUsers(
            t,
            at,
            changes.map((c) => c.after),
            hashes,
          );
        },
        // Never a PIN or its hash in the ledger: only that it changed.
        ledger: (c) => {
          const u = c as md.PlannedChange<md.UserRecord>;
          return { before: shown(u.before), after: { ...shown(u.after), pinChanged: u.after.pin !== null && !pins.matches.has(u.key) } };
        },
      };
    }
    case 'receipts': {
      const plan = md.planReceipts(
        await store.receiptStates(tx),
        await store.catalogIndex(tx),
        await store.dockIds(tx),
        checked as md.Checked<md.ReceiptRecord>,
      );
      return { plan, write: (t) => store.writeReceipts(t, plan.changes), ledger: (c) => c };
    }
  }
}

const LEDGER_ENTITY: Record<EntityName, store.Entity> = { catalog: 'catalog', sites: 'site', locations: 'location', users: 'user', receipts: 'receipt' };

/**
 * Checks, plans and (when `write`) applies an import. In mode `all` nothing is written when any
 * line has an error; in mode `clean` the good lines are written and the bad ones reported.
 */
export async function importMasterdata(
  db: Database,
  ctx: ImportContext,
  entity: EntityName,
  input: ImportInput,
  opts: { write: boolean; mode: ImportMode },
): Promise<ImportReport> {
  const prepared = await prepareImport(db, entity, input);
  return db.transaction((tx) => importIn(tx, ctx, prepared, opts));
}

/** A checked file or list, with its PIN hashing done (scrypt is slow: never inside a transaction). */
export type PreparedImport = { entity: EntityName; checked: Checked; pins: { matches: Set<string>; hashes: Map<string, string> } };

export async function prepareImport(db: Sql, entity: EntityName, input: ImportInput): Promise<PreparedImport> {
  const checked = check(entity, input);
  const pins =
    entity === 'users'
      ? await pinWork(
          db,
          (checked as md.Checked<md.UserRecord>).records.map((r) => r.record),
        )
      : { matches: new Set<string>(), hashes: new Map<string, string>() };
  return { entity, checked, pins };
}

/** `importMasterdata` inside the caller's transaction (the demo seed imports several tables in one). */
export async function importIn(tx: Sql, ctx: ImportContext, prepared: PreparedImport, opts: { write: boolean; mode: ImportMode }): Promise<ImportReport> {
  const { entity, checked, pins } = prepared;
  await store.lockMasterdata(tx);
  const step = await planStep(tx, entity, checked, ctx.actor, pins);
  const errors = [...checked.errors, ...step.plan.errors].sort((a, b) => a.line - b.line);
  const apply = opts.write && (opts.mode === 'clean' || errors.length === 0) && step.plan.changes.length > 0;
  if (apply) {
    const at = ctx.now();
    await step.write(tx, at);
    await store.recordChanges(
      tx,
      { actor: ctx.actor.id, at, channel: ctx.channel },
      step.plan.changes.map((c) => ({ entity: LEDGER_ENTITY[entity], key: c.key, action: c.action, ...step.ledger(c) })),
    );
  }
  return {
    entity,
    lines: checked.lines,
    created: step.plan.changes.filter((c) => c.action === 'created').length,
    updated: step.plan.changes.filter((c) => c.action === 'updated').length,
    unchanged: step.plan.unchanged,
    errors: errors.slice(0, MAX_REPORTED),
    errorCount: errors.length,
    unknownColumns: checked.unknownColumns,
    changes: step.plan.changes.slice(0, MAX_REPORTED).map((c) => ({ line: c.line, key: c.key, action: c.action })),
    imported: opts.write && (opts.mode === 'clean' || errors.length === 0),
    mode: opts.mode,
  };
}

export type Refusal = { status: 404 | 409; error: string; message: string };

/** Deletes a SKU, a location, a site or an expected receipt, or says why not (and what to do instead). */
export async function deleteMasterdata(db: Database, ctx: ImportContext, entity: Exclude<EntityName, 'users'>, key: string): Promise<Refusal | undefined> {
  return db.transaction(async (tx): Promise<Refusal | undefined> => {
    await store.lockMasterdata(tx);
    const at = ctx.now();
    const record = async (before: unknown) =>
      store.recordChanges(tx, { actor: ctx.actor.id, at, channel: ctx.channel }, [
        { entity: LEDGER_ENTITY[entity], key, action: 'deleted', before, after: null },
      ]);
    switch (entity) {
      case 'catalog': {
        const before = (await store.catalogRecords(tx, [key])).get(key);
        if (!before) return { status: 404, error: 'not_found', message: `SKU ${key} is not in the catalog` };
        const use = await store.skuInUse(tx, key);
        if (use.units > 0)
          return { status: 409, error: 'has_stock', message: `SKU ${key} has ${use.units} units in stock: it cannot be deleted; retire it instead` };
        if (use.openWork)
          return { status: 409, error: 'in_use', message: `SKU ${key} is on an open pick list or expected receipt: it cannot be deleted; retire it instead` };
        if (use.history)
          return { status: 409, error: 'has_history', message: `SKU ${key} has movements in the ledger: it cannot be deleted; retire it instead` };
        await store.deleteSku(tx, key);
        await record(before);
        return undefined;
      }
      case 'locations': {
        const before = (await store.locationRecords(tx)).get(key);
        if (!before) return { status: 404, error: 'not_found', message: `location ${key} does not exist` };
        const use = await store.locationInUse(tx, key);
        if (use.units > 0)
          return {
            status: 409,
            error: 'has_stock',
            message: `location ${key} holds ${use.units} units: it cannot be removed; empty it first or make it inactive`,
          };
        if (use.openWork)
          return { status: 409, error: 'in_use', message: `location ${key} has open picks or receipts: it cannot be removed; make it inactive` };
        if (use.history)
          return { status: 409, error: 'has_history', message: `location ${key} has movements in the ledger: it cannot be removed; make it inactive` };
        await store.deleteLocation(tx, key);
        await record(before);
        return undefined;
      }
      case 'sites': {
        const before = (await store.siteRecords(tx)).get(key);
        if (!before) return { status: 404, error: 'not_found', message: `site ${key} does not exist` };
        const locations = [...(await store.locationRecords(tx)).values()].filter((l) => l.site === key).length;
        if (locations > 0) return { status: 409, error: 'in_use', message: `site ${key} has ${locations} locations: it cannot be removed; make it inactive` };
        await tx.query('DELETE FROM sites WHERE id = $1', [key]);
        await record(before);
        return undefined;
      }
      case 'receipts': {
        const before = (await store.receiptStates(tx)).get(key);
        if (!before) return { status: 404, error: 'not_found', message: `receipt ${key} does not exist` };
        if (before.receiving) return { status: 409, error: 'receiving', message: `receipt ${key} is already being received: it cannot be deleted` };
        await store.deleteReceipt(tx, key);
        await record(before.record);
        return undefined;
      }
    }
  });
}

/** Every record of an entity, as the JSON API answers and the CSV export writes. */
export async function listMasterdata(db: Sql, entity: EntityName): Promise<unknown[]> {
  switch (entity) {
    case 'catalog':
      return [...(await store.catalogRecords(db)).values()];
    case 'sites':
      return [...(await store.siteRecords(db)).values()];
    case 'locations':
      return [...(await store.locationRecords(db)).values()];
    case 'users':
      return [...(await store.userStates(db)).values()].map((u) => ({
        id: u.id,
        name: u.name,
        roles: u.roles,
        badge: u.badge,
        locked: u.locked,
        hasPin: u.hasPin,
      }));
    case 'receipts':
      return [...(await store.receiptStates(db)).values()].map((s) => ({ ...s.record, receiving: s.receiving }));
  }
}

/** The CSV export of an entity: the columns its import reads, every cell neutralised. */
export async function exportCsv(db: Sql, entity: EntityName): Promise<string> {
  switch (entity) {
    case 'catalog':
      return md.toCsv(md.CATALOG_EXPORT_FIELDS, [...(await store.catalogRecords(db)).values()].map(md.catalogCells));
    case 'sites':
      return md.toCsv(md.SITE_EXPORT_FIELDS, [...(await store.siteRecords(db)).values()].map(md.siteCells));
    case 'locations':
      return md.toCsv(md.LOCATION_EXPORT_FIELDS, [...(await store.locationRecords(db)).values()].map(md.locationCells));
    case 'users':
      return md.toCsv(md.USER_EXPORT_FIELDS, [...(await store.userStates(db)).values()].map(md.userCells));
    case 'receipts':
      return md.toCsv(
        md.RECEIPT_EXPORT_FIELDS,
        [...(await store.receiptStates(db)).values()].flatMap((s) => md.receiptRows(s.record)),
      );
  }
}

/** The user as an import record, for single changes (PIN, lock) that go through the same rules. */
export async function userRecord(db: Sql, id: string): Promise<md.UserRecord | undefined> {
  const u = (await store.userStates(db)).get(id);
  return u && { id: u.id, name: u.name, roles: u.roles, badge: u.badge, locked: u.locked, pin: null };
}
