/**
 * What an import would change, given what the store holds: each checked record becomes a
 * creation, an update or nothing (the same file twice changes nothing), or a line error when it
 * contradicts the store (a GTIN of another SKU, a site that does not exist, a receipt already
 * being received, a role only an admin may give). Pure: state in, plan out.
 */
import { hasValidCheckDigit } from '../barcode/check-digit.ts';
import type { Role } from '../roles.ts';
import { sameCatalogRecord, type CatalogRecord } from './catalog.ts';
import type { LineError } from './csv.ts';
import type { Checked } from './fields.ts';
import { ADMIN_ONLY_ROLES, type UserRecord } from './people.ts';
import { sameLocation, sameSite, type LocationRecord, type SiteRecord } from './places.ts';
import type { ReceiptRecord } from './receipts.ts';

export type PlannedChange<R> = { line: number; key: string; action: 'created' | 'updated'; before: R | null; after: R };
export type Plan<R> = { changes: PlannedChange<R>[]; unchanged: number; errors: LineError[] };

function plan<R>(
  checked: Checked<R>,
  key: (r: R) => string,
  current: ReadonlyMap<string, R>,
  same: (a: R, b: R) => boolean,
  problem: (r: R, before: R | undefined) => string | undefined,
): Plan<R> {
  const changes: PlannedChange<R>[] = [];
  const errors: LineError[] = [];
  let unchanged = 0;
  for (const { line, record } of checked.records) {
    const k = key(record);
    const before = current.get(k);
    if (before && same(before, record)) {
      unchanged += 1;
      continue;
    }
    const p = problem(record, before);
    if (p) errors.push({ line, message: p });
    else changes.push({ line, key: k, action: before ? 'updated' : 'created', before: before ?? null, after: record });
  }
  return { changes, unchanged, errors };
}

/** Catalog changes; a GTIN may move between SKUs only when the file also takes it off its old SKU. */
export function planCatalog(current: ReadonlyMap<string, CatalogRecord>, checked: Checked<CatalogRecord>): Plan<CatalogRecord> {
  const owner = new Map<string, string>();
  for (const r of current.values()) for (const g of [r.gtin, ...r.cases.map((c) => c.gtin)]) owner.set(g, r.sku);
  // What the file says each of its SKUs will hold: those GTINs leave their old owner.
  const inFile = new Set(checked.records.map((r) => r.record.sku));
  return plan(
    checked,
    (r) => r.sku,
    current,
    sameCatalogRecord,
    (r) => {
      for (const g of [r.gtin, ...r.cases.map((c) => c.gtin)]) {
        const o = owner.get(g);
        if (o !== undefined && o !== r.sku && !inFile.has(o)) return `GTIN ${g} already belongs to ${o}; a GTIN names one SKU only`;
      }
      return undefined;
    },
  );
}

/** Site changes. */
export const planSites = (current: ReadonlyMap<string, SiteRecord>, checked: Checked<SiteRecord>): Plan<SiteRecord> =>
  plan(
    checked,
    (r) => r.id,
    current,
    sameSite,
    () => undefined,
  );

/** Location changes; a location's site must exist. */
export const planLocations = (
  current: ReadonlyMap<string, LocationRecord>,
  sites: ReadonlySet<string>,
  checked: Checked<LocationRecord>,
): Plan<LocationRecord> =>
  plan(
    checked,
    (r) => r.id,
    current,
    sameLocation,
    (r) => (sites.has(r.site) ? undefined : `site ${r.site} does not exist; add it first`),
  );

/** A user as the store holds it: never the PIN, only whether one is set. */
export type UserState = Omit<UserRecord, 'pin'> & { hasPin: boolean };
/** Who is changing users: only an admin touches admins and supervisors; nobody locks themselves out. */
export type UserActor = { id: string; roles: readonly Role[] };

/**
 * User changes. `pinMatches` holds the users whose given PIN already is their PIN (the caller
 * checked the hashes), so a re-import of the same file changes nothing. A new user needs a PIN.
 */
export function planUsers(
  current: ReadonlyMap<string, UserState>,
  checked: Checked<UserRecord>,
  actor: UserActor,
  pinMatches: ReadonlySet<string>,
): Plan<UserRecord> {
  const admin = actor.roles.includes('admin');
  const badgeOwner = new Map([...current.values()].filter((u) => u.badge).map((u) => [u.badge as string, u.id]));
  const inFile = new Set(checked.records.map((r) => r.record.id));
  const same = (a: UserRecord, b: UserRecord) =>
    a.name === b.name && a.roles.join() === b.roles.join() && a.badge === b.badge && a.locked === b.locked && (b.pin === null || pinMatches.has(b.id));
  const currentAsRecords = new Map([...current].map(([k, u]) => [k, { id: u.id, name: u.name, roles: u.roles, badge: u.badge, locked: u.locked, pin: null }]));
  return plan(
    checked,
    (r) => r.id,
    currentAsRecords,
    same,
    (r, before) => {
      const privileged = (roles: readonly Role[]) => roles.some((x) => ADMIN_ONLY_ROLES.includes(x));
      if (!admin && (privileged(r.roles) || (before && privileged(before.roles))))
        return `only an admin may create or change a user with the role supervisor or admin (${r.id})`;
      if (r.id === actor.id && before && (r.roles.join() !== before.roles.join() || r.locked)) return 'you cannot change your own roles or lock yourself out';
      if (!before && r.pin === null) return `new user ${r.id} needs a PIN`;
      const o = r.badge ? badgeOwner.get(r.badge) : undefined;
      if (o !== undefined && o !== r.id && !inFile.has(o)) return `badge ${r.badge} already belongs to ${o}`;
      return undefined;
    },
  );
}

/** What a receipt line may name: each SKU's GTINs, and each GTIN's SKU. */
export type CatalogIndex = { skuGtin: ReadonlyMap<string, string>; gtinSku: ReadonlyMap<string, string> };

/** A stored receipt and whether goods were already received against it (then it is fixed). */
export type ReceiptState = { record: ReceiptRecord; receiving: boolean };

/** Fills each line's SKU from its GTIN or its GTIN from the SKU's unit GTIN; a mismatch is an error. */
export function resolveReceipt(r: ReceiptRecord, catalog: CatalogIndex): { record?: ReceiptRecord; problem?: string } {
  const lines: ReceiptRecord['lines'] = [];
  for (const l of r.lines) {
    const skuOfGtin = l.gtin ? catalog.gtinSku.get(l.gtin) : undefined;
    if (l.gtin && !skuOfGtin) return { problem: `line ${l.lineId} of receipt ${r.id}: GTIN ${l.gtin} is not in the catalog` };
    if (l.sku && !catalog.skuGtin.has(l.sku)) return { problem: `line ${l.lineId} of receipt ${r.id}: SKU ${l.sku} is not in the catalog` };
    if (l.sku && skuOfGtin && skuOfGtin !== l.sku) return { problem: `line ${l.lineId} of receipt ${r.id}: GTIN ${l.gtin} is of ${skuOfGtin}, not ${l.sku}` };
    const sku = (l.sku ?? skuOfGtin) as string;
    lines.push({ lineId: l.lineId, sku, gtin: l.gtin ?? (catalog.skuGtin.get(sku) as string), expectedQty: l.expectedQty });
  }
  return { record: { ...r, lines } };
}

const sameReceipt = (a: ReceiptRecord, b: ReceiptRecord) => JSON.stringify(a) === JSON.stringify(b);

/** Receipt changes: lines resolved against the catalog, the dock a dock, a receipt being received left alone. */
export function planReceipts(
  current: ReadonlyMap<string, ReceiptState>,
  catalog: CatalogIndex,
  docks: ReadonlySet<string>,
  checked: Checked<ReceiptRecord>,
): Plan<ReceiptRecord> {
  const resolved: Checked<ReceiptRecord> = { records: [], errors: [] };
  const errors: LineError[] = [];
  for (const item of checked.records) {
    const { record, problem } = resolveReceipt(item.record, catalog);
    if (problem || !record) errors.push({ line: item.line, message: problem ?? 'unreadable receipt' });
    else resolved.records.push({ line: item.line, record });
  }
  const records = new Map([...current].map(([k, s]) => [k, s.record]));
  const out = plan(
    resolved,
    (r) => r.id,
    records,
    sameReceipt,
    (r) => {
      if (!docks.has(r.dock)) return `dock ${r.dock} is not a dock location`;
      if (current.get(r.id)?.receiving) return `receipt ${r.id} is already being received; it can no longer change`;
      if (r.ssccs.some((s) => !hasValidCheckDigit(s))) return `receipt ${r.id} has an SSCC with a wrong check digit`;
      return undefined;
    },
  );
  return { ...out, errors: [...errors, ...out.errors].sort((a, b) => a.line - b.line) };
}
