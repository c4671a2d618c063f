/**
 * Ledger replay: the stock figures are a fold of the applied ledger, from the opening balances
 * on. Rejected events have no effect. Replaying must reproduce the stock table exactly; the
 * server checks it (`replayMismatches`) and the tests prove it after adversarial runs.
 */
import { parseEvent, type Envelope, type FloorEvent } from './events.ts';
import type { LocationId, Sku } from './ids.ts';
import { MemoryCentral, planEvent, stockKey, type Buckets } from './stock.ts';

/** The ledger type of the seed's opening balances: `{ sku, location, available }` added to `available`. */
export const OPENING_BALANCE = 'stock.opening_balance';
/** The ledger type of a master-data change (catalog, locations, users...): it moves no stock. */
export const MASTERDATA_TYPE = 'masterdata.changed';

/** One ledger row as replay needs it (the order is the ledger's position order). */
export type LedgerFact = {
  id: string;
  deviceId: string;
  seq: number;
  type: string;
  schemaVersion: number | null;
  actor: string;
  occurredAt: string;
  status: 'applied' | 'rejected';
  payload: unknown;
};

/** Folds the applied ledger into central state; throws on an applied event that no longer parses. */
export function replayLedger(ledger: Iterable<LedgerFact>): MemoryCentral {
  const central = new MemoryCentral();
  for (const e of ledger) {
    if (e.status !== 'applied' || e.type === MASTERDATA_TYPE) continue;
    if (e.type === OPENING_BALANCE) {
      const p = e.payload as { sku: Sku; location: LocationId; available: number };
      central.credit(p.sku, p.location, 'available', p.available);
      continue;
    }
    const event = factEvent(e);
    if (!event) throw new Error(`applied event ${e.id} (${e.type}) does not parse`);
    central.apply(planEvent(event, central));
  }
  return central;
}

/** The floor event a ledger row holds, or undefined when it does not parse (a rejected one may not). */
export function factEvent(e: LedgerFact): FloorEvent | undefined {
  const parsed = parseEvent({ ...e, schemaVersion: e.schemaVersion ?? 1 } as unknown as Envelope);
  return parsed.ok ? ({ ...parsed.event, id: e.id } as FloorEvent) : undefined;
}

export type StockFigures = Map<string, { sku: string; location: string; buckets: Buckets }>;

/** The keys whose buckets differ between two sets of figures (a missing row counts as all zero). */
export function stockDifferences(a: StockFigures, b: StockFigures): { key: string; a: Buckets; b: Buckets }[] {
  const zero: Buckets = { available: 0, committed: 0, qc: 0, quarantine: 0, suspect: 0 };
  const out: { key: string; a: Buckets; b: Buckets }[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key)?.buckets ?? zero;
    const y = b.get(key)?.buckets ?? zero;
    if (x.available !== y.available || x.committed !== y.committed || x.qc !== y.qc || x.quarantine !== y.quarantine || x.suspect !== y.suspect) {
      out.push({ key, a: x, b: y });
    }
  }
  return out;
}

/** Figures keyed like `MemoryCentral.stock`, from plain rows. */
export function figuresOf(rows: Iterable<{ sku: string } & { location: string } & Buckets>): StockFigures {
  const out: StockFigures = new Map();
  for (const r of rows) {
    out.set(stockKey(r.sku, r.location), {
      sku: r.sku,
      location: r.location,
      buckets: { available: r.available, committed: r.committed, qc: r.qc, quarantine: r.quarantine, suspect: r.suspect },
    });
  }
  return out;
}
