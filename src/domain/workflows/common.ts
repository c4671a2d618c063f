/**
 * What every floor workflow shares: the input a scan becomes, the feedback a step
 * gives, and the catalog and location lookups. Pure: no clock, no I/O.
 */
import type { DraftEvent } from '../events.ts';
import { MAX_QTY, asGtin, asSku } from '../brands.ts';
import type { Gtin, LocationId, Sku } from '../ids.ts';
import type { CatalogItem } from '../protocol.ts';
import type { ScanResult } from '../barcode/parse-scan.ts';
import { englishOf, type FeedbackCode, type FeedbackParams } from './messages.ts';

export type { FeedbackCode, FeedbackParams } from './messages.ts';

/** The five things a handheld can tell a worker, each with its own tone and vibration. */
export const TONES = ['accepted', 'wrong', 'duplicate', 'offline', 'supervisor'] as const;
export type Tone = (typeof TONES)[number];
/**
 * What a step tells the worker: a tone, a code with parameters (the screens translate it),
 * and its English text (for logs and tests).
 */
export type Feedback = { tone: Tone; code: FeedbackCode; params: FeedbackParams; message: string };

/** What a workflow returns for one input: the next state, the facts to record, what to tell the worker. */
export type Step<S> = { state: S; events: DraftEvent[]; feedback: Feedback[] };

/**
 * A scan as the workflows see it, already parsed and check-digit verified by the scan
 * pipeline: goods (a GTIN, maybe with GS1 lot, expiry and count), a pallet, a place, a tote,
 * a badge, or something that could not be read.
 */
export type WorkflowScan =
  | { kind: 'goods'; gtin: Gtin; count?: number; lot?: string; expiry?: string; sscc?: string }
  | { kind: 'pallet'; sscc: string }
  | { kind: 'location'; location: LocationId }
  | { kind: 'tote'; tote: string }
  | { kind: 'badge'; user: string }
  | { kind: 'unreadable'; code: FeedbackCode; params: FeedbackParams };

/** A feedback of a tone, from its code and parameters. */
export function say(tone: Tone, code: FeedbackCode, params: FeedbackParams = {}): Feedback {
  return { tone, code, params, message: englishOf(code, params) };
}
export const ok = (code: FeedbackCode, params?: FeedbackParams): Feedback => say('accepted', code, params);
export const wrong = (code: FeedbackCode, params?: FeedbackParams): Feedback => say('wrong', code, params);
export const duplicate = (code: FeedbackCode, params?: FeedbackParams): Feedback => say('duplicate', code, params);
export const needsSupervisor = (code: FeedbackCode, params?: FeedbackParams): Feedback => say('supervisor', code, params);
/** The refusal of an unreadable scan, with the reason the scan pipeline gave. */
export const unreadable = (scan: { code: FeedbackCode; params: FeedbackParams }): Feedback => wrong(scan.code, scan.params);

/** A step that changes nothing and says why. */
export function refuse<S>(state: S, feedback: Feedback): Step<S> {
  return { state, events: [], feedback: [feedback] };
}

/**
 * A fact recorded while the device is offline is still accepted, but sounds different so the
 * worker knows it is queued: the screen passes the connectivity it knows. The words stay
 * the same; the tone's label says "saved offline" once.
 */
export function forConnectivity(feedback: readonly Feedback[], online: boolean): Feedback[] {
  if (online) return [...feedback];
  return feedback.map((f) => (f.tone === 'accepted' ? { ...f, tone: 'offline' } : f));
}

/**
 * The parameters naming a scan the workflow did not expect (`{{what}}` in a template):
 * the kind as a code of its own, so it is translated with the message.
 */
export function describeScan(scan: WorkflowScan): FeedbackParams {
  switch (scan.kind) {
    case 'goods':
      return { what: '@what.goods', value: scan.gtin };
    case 'pallet':
      return { what: '@what.pallet', value: scan.sscc };
    case 'location':
      return { what: '@what.location', value: scan.location };
    case 'tote':
      return { what: '@what.tote', value: scan.tote };
    case 'badge':
      return { what: '@what.badge', value: scan.user };
    case 'unreadable':
      return { what: '@what.unreadable' };
  }
}

/** Pads a GTIN-8/12/13 to the GTIN-14 the catalog compares with. */
export const gtin14 = (gtin: string): string => gtin.padStart(14, '0');

export type CatalogMatch = { sku: Sku; name: string; units: number; isCase: boolean };

/**
 * Finds the catalog item a GTIN names: a unit's GTIN is one unit; a case GTIN the master data
 * lists for an item (`cases`) is that case's units. Otherwise a GTIN-14 whose indicator digit
 * is 1-8 and whose other digits (before the check digit) are an item's GTIN is that item's
 * case, holding `unitsPerCase` units (GS1 packaging hierarchy).
 */
export function lookupGtin(catalog: readonly CatalogItem[], gtin: string): CatalogMatch | undefined {
  const scanned = gtin14(gtin);
  const index = catalogIndex(catalog);
  const unit = index.units.get(scanned);
  if (unit) return { sku: asSku(unit.sku), name: unit.name, units: 1, isCase: false };
  const listed = index.caseGtins.get(scanned);
  if (listed) return { sku: asSku(listed.item.sku), name: listed.item.name, units: listed.units, isCase: true };
  const indicator = scanned[0];
  if (indicator === undefined || indicator < '1' || indicator > '8') return undefined;
  const item = index.cases.get(scanned.slice(1, 13));
  return item?.unitsPerCase ? { sku: asSku(item.sku), name: item.name, units: item.unitsPerCase, isCase: true } : undefined;
}

type CatalogIndex = { units: Map<string, CatalogItem>; cases: Map<string, CatalogItem>; caseGtins: Map<string, { item: CatalogItem; units: number }> };

/**
 * The catalog keyed by GTIN-14 (and, for items sold in cases, by the digits a case GTIN shares
 * with them), built once per catalog array: a scan looks up in constant time however large the
 * cache (50,000 SKUs), and the first item listed wins a shared GTIN, as a scan in order would.
 */
const indexes = new WeakMap<readonly CatalogItem[], CatalogIndex>();
function catalogIndex(catalog: readonly CatalogItem[]): CatalogIndex {
  let index = indexes.get(catalog);
  if (index) return index;
  index = { units: new Map(), cases: new Map(), caseGtins: new Map() };
  for (const item of catalog) {
    const g = gtin14(item.gtin);
    if (!index.units.has(g)) index.units.set(g, item);
    for (const c of item.cases ?? []) {
      const cg = gtin14(c.gtin);
      if (c.units > 1 && !index.caseGtins.has(cg)) index.caseGtins.set(cg, { item, units: c.units });
    }
    if (item.unitsPerCase && item.unitsPerCase > 1 && !index.cases.has(g.slice(1, 13))) index.cases.set(g.slice(1, 13), item);
  }
  indexes.set(catalog, index);
  return index;
}

/** The catalog name of a SKU, or the SKU itself. */
export function nameOf(catalog: readonly CatalogItem[], sku: string): string {
  return catalog.find((c) => c.sku === sku)?.name ?? sku;
}

/**
 * Reads a quantity keyed by the worker. Text where a number belongs, zero when zero is not
 * allowed, fractions and huge numbers are refused with a message naming the quantity.
 */
export function parseQuantity(text: string, opts: { allowZero?: boolean } = {}): { ok: true; qty: number } | { ok: false; feedback: Feedback } {
  const t = text.trim();
  const min = opts.allowZero ? 0 : 1;
  if (!/^\d+$/.test(t)) return { ok: false, feedback: wrong('qty.notWhole', { min, max: MAX_QTY, text: t.slice(0, 20) }) };
  const qty = Number(t);
  if (qty < min || qty > MAX_QTY) return { ok: false, feedback: wrong('qty.range', { min, max: MAX_QTY, qty }) };
  return { ok: true, qty };
}

/** A GTIN in the 14-digit form events carry. */
export const eventGtin = (gtin: string): Gtin => asGtin(gtin14(gtin));

/**
 * What the workflows make of a parsed scan. A pallet label that also names its contents
 * (SSCC with GTIN and count) is goods from that pallet; an SSCC alone is the pallet.
 */
export function fromScanResult(result: ScanResult): WorkflowScan {
  switch (result.kind) {
    case 'product':
      return {
        kind: 'goods',
        gtin: result.gtin,
        ...(result.count !== undefined ? { count: result.count } : {}),
        ...(result.lot !== undefined ? { lot: result.lot } : {}),
        ...(result.expiry !== undefined ? { expiry: result.expiry } : {}),
      };
    case 'sscc':
      if (result.gtin === undefined) return { kind: 'pallet', sscc: result.sscc };
      return {
        kind: 'goods',
        gtin: result.gtin,
        sscc: result.sscc,
        ...(result.count !== undefined ? { count: result.count } : {}),
        ...(result.lot !== undefined ? { lot: result.lot } : {}),
        ...(result.expiry !== undefined ? { expiry: result.expiry } : {}),
      };
    case 'bin':
      return { kind: 'location', location: result.location };
    case 'tote':
      return { kind: 'tote', tote: result.tote };
    case 'badge':
      return { kind: 'badge', user: result.user };
    case 'unknown': {
      // GS1 element strings read without their symbology identifier look like plain digits: say how to fix the scanner.
      if (/^(00\d{18}|0[12]\d{14})/.test(result.raw)) return { kind: 'unreadable', code: 'scan.needsSymbologyId', params: { display: result.display } };
      const why = result.problems.map((p) => p.message).join('; ');
      return why
        ? { kind: 'unreadable', code: 'scan.cannotUse', params: { display: result.display, why } }
        : { kind: 'unreadable', code: 'scan.unknown', params: { display: result.display } };
    }
  }
}
