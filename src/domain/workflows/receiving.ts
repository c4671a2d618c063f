/**
 * Receiving at the dock: open an expected receipt (or scan one of its pallets), scan each
 * goods label (GS1 with GTIN, lot, expiry, count; or a plain EAN with a keyed quantity),
 * confirm it: one `receipt.received` into QC at the dock per confirmation. Running totals
 * per line are compared with what was expected, over and under flagged.
 */
import type { DraftEvent } from '../events.ts';
import { asLocation, asQty, asSku, asTask, type LocationId, type Sku, type TaskId } from '../ids.ts';
import type { CatalogItem, Receipt } from '../protocol.ts';
import {
  describeScan,
  duplicate,
  eventGtin,
  gtin14,
  lookupGtin,
  nameOf,
  needsSupervisor,
  ok,
  parseQuantity,
  refuse,
  unreadable,
  wrong,
  type Feedback,
  type Step,
  type WorkflowScan,
} from './common.ts';

export type ReceivingLine = { lineId: string; sku: Sku; gtin: string; expected: number; received: number };
/** A scanned label waiting for the receiver's confirmation. */
export type PendingLabel = { lineId: string; sku: Sku; gtin: string; qty: number; lot?: string; expiry?: string };

export type ReceivingState = {
  receiptId: TaskId;
  supplier: string;
  dock: LocationId;
  ssccs: string[];
  sscc: string | null;
  lines: ReceivingLine[];
  pending: PendingLabel | null;
  /** Units keyed for the next plain EAN scan. */
  pendingQty: number | null;
  finished: boolean;
};

export type ReceivingInput =
  { type: 'scan'; scan: WorkflowScan } | { type: 'quantity'; text: string } | { type: 'confirm' } | { type: 'clear' } | { type: 'finish' };

export type ReceivingContext = { catalog: readonly CatalogItem[] };

export type LineStatus = 'under' | 'complete' | 'over';

/** The expected receipt holding a pallet, if any. */
export function findReceiptBySscc(receipts: readonly Receipt[], sscc: string): Receipt | undefined {
  return receipts.find((r) => r.status === 'open' && r.ssccs.includes(sscc));
}

/** Opens a receipt; `sscc` is the pallet scanned to open it, when that is how it was opened. */
export function startReceiving(receipt: Receipt, sscc: string | null = null): ReceivingState {
  return {
    receiptId: asTask(receipt.id),
    supplier: receipt.supplier,
    dock: asLocation(receipt.dock),
    ssccs: receipt.ssccs,
    sscc,
    lines: receipt.lines.map((l) => ({ lineId: l.lineId, sku: asSku(l.sku), gtin: l.gtin, expected: l.expectedQty, received: l.receivedQty })),
    pending: null,
    pendingQty: null,
    finished: false,
  };
}

/** Running totals per line: received against expected, and whether it is under, complete or over. */
export function receivingTotals(state: ReceivingState): (ReceivingLine & { status: LineStatus; difference: number })[] {
  return state.lines.map((l) => {
    const difference = l.received - l.expected;
    return { ...l, difference, status: difference < 0 ? 'under' : difference > 0 ? 'over' : 'complete' };
  });
}

/** The receiving reducer. */
export function receivingStep(state: ReceivingState, input: ReceivingInput, ctx: ReceivingContext): Step<ReceivingState> {
  if (state.finished) return refuse(state, wrong('receiving.finishedAlready'));
  switch (input.type) {
    case 'scan':
      return onScan(state, input.scan, ctx);
    case 'quantity': {
      const q = parseQuantity(input.text);
      if (!q.ok) return refuse(state, q.feedback);
      if (state.pending) {
        return {
          state: { ...state, pending: { ...state.pending, qty: q.qty } },
          events: [],
          feedback: [ok('receiving.confirmQty', { qty: q.qty, name: nameOf(ctx.catalog, state.pending.sku) })],
        };
      }
      return { state: { ...state, pendingQty: q.qty }, events: [], feedback: [ok('qty.thenScanGoods', { qty: q.qty })] };
    }
    case 'clear':
      if (!state.pending) return refuse(state, duplicate('receiving.noLabel'));
      return { state: { ...state, pending: null, pendingQty: null }, events: [], feedback: [ok('receiving.cleared')] };
    case 'confirm':
      return onConfirm(state, ctx);
    case 'finish': {
      if (state.pending) return refuse(state, wrong('receiving.confirmBeforeFinish'));
      const under = receivingTotals(state).filter((l) => l.status === 'under');
      const feedback: Feedback[] = under.length
        ? [
            needsSupervisor('receiving.finishedShort', {
              count: under.length,
              lines: under.map((l) => `${nameOf(ctx.catalog, l.sku)} ${l.received}/${l.expected}`).join(', '),
            }),
          ]
        : [ok('receiving.finished', { receipt: state.receiptId })];
      return { state: { ...state, finished: true }, events: [], feedback };
    }
  }
}

function onScan(state: ReceivingState, scan: WorkflowScan, ctx: ReceivingContext): Step<ReceivingState> {
  if (scan.kind === 'unreadable') return refuse(state, unreadable(scan));
  if (scan.kind === 'pallet') {
    if (!state.ssccs.includes(scan.sscc)) return refuse(state, wrong('receiving.palletNotOnReceipt', { sscc: scan.sscc, receipt: state.receiptId }));
    if (state.sscc === scan.sscc) return refuse(state, duplicate('receiving.alreadyOnPallet', { sscc: scan.sscc }));
    return { state: { ...state, sscc: scan.sscc }, events: [], feedback: [ok('receiving.pallet', { sscc: scan.sscc })] };
  }
  if (scan.kind !== 'goods') return refuse(state, wrong('receiving.notExpected', describeScan(scan)));
  if (state.pending) return refuse(state, wrong('receiving.confirmFirst'));
  if (scan.sscc !== undefined && !state.ssccs.includes(scan.sscc))
    return refuse(state, wrong('receiving.palletNotOnReceipt', { sscc: scan.sscc, receipt: state.receiptId }));
  let line = state.lines.find((l) => gtin14(l.gtin) === gtin14(scan.gtin));
  let units = 1;
  if (!line) {
    const match = lookupGtin(ctx.catalog, scan.gtin);
    if (!match) return refuse(state, wrong('item.unknownSetAside', { gtin: scan.gtin }));
    line = state.lines.find((l) => l.sku === match.sku);
    if (!line) return refuse(state, wrong('receiving.notOnReceipt', { name: match.name, sku: match.sku, receipt: state.receiptId }));
    units = match.units;
  }
  const qty = scan.count !== undefined ? scan.count * units : (state.pendingQty ?? units);
  const pending: PendingLabel = {
    lineId: line.lineId,
    sku: line.sku,
    gtin: scan.gtin,
    qty,
    ...(scan.lot ? { lot: scan.lot } : {}),
    ...(scan.expiry ? { expiry: scan.expiry } : {}),
  };
  const said = { qty, name: nameOf(ctx.catalog, line.sku), lot: scan.lot ?? '', expiry: scan.expiry ?? '' };
  const code =
    scan.lot && scan.expiry
      ? 'receiving.confirmLotExpiry'
      : scan.lot
        ? 'receiving.confirmLot'
        : scan.expiry
          ? 'receiving.confirmExpiry'
          : 'receiving.confirmQty';
  return {
    state: { ...state, pending, pendingQty: null, sscc: scan.sscc ?? state.sscc },
    events: [],
    feedback: [ok(code, said)],
  };
}

function onConfirm(state: ReceivingState, ctx: ReceivingContext): Step<ReceivingState> {
  const p = state.pending;
  if (!p) return refuse(state, wrong('receiving.scanFirst'));
  const event: DraftEvent = {
    type: 'receipt.received',
    payload: {
      receiptId: state.receiptId,
      lineId: p.lineId,
      ...(state.sscc ? { sscc: state.sscc } : {}),
      gtin: eventGtin(p.gtin),
      sku: p.sku,
      ...(p.lot ? { lot: p.lot } : {}),
      ...(p.expiry ? { expiry: p.expiry } : {}),
      location: state.dock,
      qty: asQty(p.qty),
    },
  };
  const lines = state.lines.map((l) => (l.lineId === p.lineId ? { ...l, received: l.received + p.qty } : l));
  const line = lines.find((l) => l.lineId === p.lineId) as ReceivingLine;
  const name = nameOf(ctx.catalog, p.sku);
  const over = line.received - line.expected;
  const feedback =
    over > 0
      ? [needsSupervisor('receiving.receivedOver', { qty: p.qty, name, over, received: line.received, expected: line.expected })]
      : [ok('receiving.received', { qty: p.qty, name, received: line.received, expected: line.expected })];
  return { state: { ...state, lines, pending: null }, events: [event], feedback };
}
