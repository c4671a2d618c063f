/**
 * QC release / putaway: scan the goods, key or scan the quantity, scan the destination bin:
 * one `qc.released` (`qc -> available`) from the dock's QC into the bin.
 */
import type { DraftEvent } from '../events.ts';
import { asQty, type LocationId, type Sku } from '../ids.ts';
import type { CatalogItem } from '../protocol.ts';
import { describeScan, duplicate, lookupGtin, nameOf, ok, parseQuantity, refuse, wrong, type Step, type WorkflowScan } from './common.ts';

export type LocationKind = 'bin' | 'dock' | 'returns';
export type QcReleaseState = {
  /** The dock whose QC the goods leave. */
  from: LocationId;
  goods: { sku: Sku; qty: number } | null;
  pendingQty: number | null;
};

export type QcReleaseInput = { type: 'scan'; scan: WorkflowScan } | { type: 'quantity'; text: string } | { type: 'clear' };
export type QcReleaseContext = { catalog: readonly CatalogItem[]; locations: readonly { id: string; kind: LocationKind }[] };

/** Starts a putaway from a dock. */
export function startQcRelease(from: LocationId): QcReleaseState {
  return { from, goods: null, pendingQty: null };
}

/** The QC release reducer. */
export function qcReleaseStep(state: QcReleaseState, input: QcReleaseInput, ctx: QcReleaseContext): Step<QcReleaseState> {
  switch (input.type) {
    case 'clear':
      return { state: { ...state, goods: null, pendingQty: null }, events: [], feedback: [ok('Cleared: scan the goods')] };
    case 'quantity': {
      const q = parseQuantity(input.text);
      if (!q.ok) return refuse(state, wrong(q.message));
      if (state.goods) return { state: { ...state, goods: { ...state.goods, qty: q.qty } }, events: [], feedback: [ok(`${q.qty} × ${nameOf(ctx.catalog, state.goods.sku)}: scan the destination bin`)] };
      return { state: { ...state, pendingQty: q.qty }, events: [], feedback: [ok(`${q.qty} units: now scan the goods`)] };
    }
    case 'scan': {
      const scan = input.scan;
      if (scan.kind === 'unreadable') return refuse(state, wrong(scan.message));
      if (scan.kind === 'goods') {
        if (state.goods) return refuse(state, wrong(`Scan the destination bin for ${state.goods.sku} first, or clear`));
        const match = lookupGtin(ctx.catalog, scan.gtin);
        if (!match) return refuse(state, wrong(`Unknown item ${scan.gtin}: not in the catalog`));
        const qty = scan.count !== undefined ? scan.count * match.units : (state.pendingQty ?? match.units);
        return { state: { ...state, goods: { sku: match.sku, qty }, pendingQty: null }, events: [], feedback: [ok(`${qty} × ${match.name}: scan the destination bin`)] };
      }
      if (scan.kind !== 'location') return refuse(state, wrong(`Not expected in putaway: ${describeScan(scan)}`));
      const place = ctx.locations.find((l) => l.id === scan.location);
      if (!place) return refuse(state, wrong(`Unknown location ${scan.location}`));
      if (place.kind === 'dock') {
        if (state.goods) return refuse(state, wrong(`Scan a bin for ${state.goods.sku}, not the dock`));
        if (place.id === state.from) return refuse(state, duplicate(`Already releasing from ${state.from}`));
        return { state: { ...state, from: scan.location }, events: [], feedback: [ok(`Releasing from QC at ${scan.location}`)] };
      }
      if (!state.goods) return refuse(state, wrong(`Scan the goods before the bin ${scan.location}`));
      if (place.kind !== 'bin') return refuse(state, wrong(`${scan.location} is not a bin: put goods away into a bin`));
      const event: DraftEvent = { type: 'qc.released', payload: { sku: state.goods.sku, from: state.from, to: scan.location, qty: asQty(state.goods.qty) } };
      return {
        state: { ...state, goods: null, pendingQty: null },
        events: [event],
        feedback: [ok(`Released ${state.goods.qty} × ${nameOf(ctx.catalog, state.goods.sku)} from QC into ${scan.location}`)],
      };
    }
  }
}
