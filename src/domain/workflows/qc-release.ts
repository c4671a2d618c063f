/**
 * QC release / putaway: scan the goods, key or scan the quantity, scan the destination bin:
 * one `qc.released` (`qc -> available`) from the dock's QC into the bin.
 */
import type { DraftEvent } from '../events.ts';
import { asQty, type LocationId, type Sku } from '../ids.ts';
import type { CatalogItem } from '../protocol.ts';
import { describeScan, duplicate, lookupGtin, nameOf, ok, parseQuantity, refuse, unreadable, wrong, type Step, type WorkflowScan } from './common.ts';

export type LocationKind = 'bin' | 'dock' | 'qc' | 'returns';
export type QcReleaseState = {
  /** The dock whose QC the goods leave. */
  from: LocationId;
  goods: { sku: Sku; qty: number } | null;
  pendingQty: number | null;
  /** The release recorded last, for the screen's "done" line. */
  released: { sku: Sku; qty: number; to: LocationId } | null;
};

export type QcReleaseInput = { type: 'scan'; scan: WorkflowScan } | { type: 'quantity'; text: string } | { type: 'clear' };
export type QcReleaseContext = { catalog: readonly CatalogItem[]; locations: readonly { id: string; kind: LocationKind }[] };

/** Starts a putaway from a dock. */
export function startQcRelease(from: LocationId): QcReleaseState {
  return { from, goods: null, pendingQty: null, released: null };
}

/** The QC release reducer. */
export function qcReleaseStep(state: QcReleaseState, input: QcReleaseInput, ctx: QcReleaseContext): Step<QcReleaseState> {
  switch (input.type) {
    case 'clear':
      return { state: { ...state, goods: null, pendingQty: null }, events: [], feedback: [ok('qc.cleared')] };
    case 'quantity': {
      const q = parseQuantity(input.text);
      if (!q.ok) return refuse(state, q.feedback);
      if (state.goods)
        return {
          state: { ...state, goods: { ...state.goods, qty: q.qty } },
          events: [],
          feedback: [ok('qc.goods', { qty: q.qty, name: nameOf(ctx.catalog, state.goods.sku) })],
        };
      return { state: { ...state, pendingQty: q.qty }, events: [], feedback: [ok('qty.thenScanGoods', { qty: q.qty })] };
    }
    case 'scan': {
      const scan = input.scan;
      if (scan.kind === 'unreadable') return refuse(state, unreadable(scan));
      if (scan.kind === 'goods') {
        if (state.goods) return refuse(state, wrong('qc.binFirst', { name: nameOf(ctx.catalog, state.goods.sku) }));
        const match = lookupGtin(ctx.catalog, scan.gtin);
        if (!match) return refuse(state, wrong('item.unknown', { gtin: scan.gtin }));
        const qty = scan.count !== undefined ? scan.count * match.units : (state.pendingQty ?? match.units);
        return { state: { ...state, goods: { sku: match.sku, qty }, pendingQty: null }, events: [], feedback: [ok('qc.goods', { qty, name: match.name })] };
      }
      if (scan.kind !== 'location') return refuse(state, wrong('qc.notExpected', describeScan(scan)));
      const place = ctx.locations.find((l) => l.id === scan.location);
      if (!place) return refuse(state, wrong('location.unknown', { location: scan.location }));
      if (place.kind === 'dock') {
        if (state.goods) return refuse(state, wrong('qc.dockNotBin', { name: nameOf(ctx.catalog, state.goods.sku) }));
        if (place.id === state.from) return refuse(state, duplicate('qc.alreadyFrom', { dock: state.from }));
        return { state: { ...state, from: scan.location }, events: [], feedback: [ok('qc.from', { dock: scan.location })] };
      }
      if (!state.goods) return refuse(state, wrong('qc.goodsFirst', { bin: scan.location }));
      if (place.kind !== 'bin') return refuse(state, wrong('qc.notBin', { location: scan.location }));
      const event: DraftEvent = { type: 'qc.released', payload: { sku: state.goods.sku, from: state.from, to: scan.location, qty: asQty(state.goods.qty) } };
      return {
        state: { ...state, goods: null, pendingQty: null, released: { sku: state.goods.sku, qty: state.goods.qty, to: scan.location } },
        events: [event],
        feedback: [ok('qc.released', { qty: state.goods.qty, name: nameOf(ctx.catalog, state.goods.sku), bin: scan.location })],
      };
    }
  }
}
