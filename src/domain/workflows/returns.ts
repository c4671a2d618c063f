/**
 * Returns quarantine: scan the returned item (and the order or RMA when there is one), pick
 * its condition, add a note: one `return.quarantined` into the returns area. Never available.
 */
import { RETURN_CONDITIONS, type DraftEvent, type ReturnCondition } from '../events.ts';
import { asQty, asTask, type LocationId, type Sku } from '../ids.ts';
import type { CatalogItem } from '../protocol.ts';
import { describeScan, lookupGtin, ok, parseQuantity, refuse, unreadable, wrong, type Step, type WorkflowScan } from './common.ts';

export const NOTE_MAX = 500;
export const REF_MAX = 64;

export type ReturnState = {
  /** Where returned goods wait for a decision. */
  area: LocationId;
  item: { sku: Sku; name: string } | null;
  qty: number;
  orderRef: string;
  condition: ReturnCondition | null;
  note: string;
  /** Returns recorded since the screen opened: a new form starts after each. */
  recorded: number;
  /** The return recorded last, for the screen's "done" line. */
  last: { qty: number; name: string; condition: ReturnCondition } | null;
};

export type ReturnInput =
  | { type: 'scan'; scan: WorkflowScan }
  | { type: 'quantity'; text: string }
  | { type: 'orderRef'; text: string }
  | { type: 'condition'; value: string }
  | { type: 'note'; text: string }
  /** `returnId` is made by the caller (ids are parameters of the domain). */
  | { type: 'submit'; returnId: string };

export type ReturnContext = { catalog: readonly CatalogItem[] };

/** A blank return at the returns area. */
export function startReturn(area: LocationId, recorded = 0, last: ReturnState['last'] = null): ReturnState {
  return { area, item: null, qty: 1, orderRef: '', condition: null, note: '', recorded, last };
}

const isCondition = (v: string): v is ReturnCondition => (RETURN_CONDITIONS as readonly string[]).includes(v);

/** The returns quarantine reducer. */
export function returnStep(state: ReturnState, input: ReturnInput, ctx: ReturnContext): Step<ReturnState> {
  switch (input.type) {
    case 'scan': {
      const scan = input.scan;
      if (scan.kind === 'unreadable') return refuse(state, unreadable(scan));
      if (scan.kind !== 'goods') return refuse(state, wrong('returns.notItem', describeScan(scan)));
      const match = lookupGtin(ctx.catalog, scan.gtin);
      if (!match) return refuse(state, wrong('item.unknownAskSupervisor', { gtin: scan.gtin }));
      const qty = match.units * (scan.count ?? 1);
      return { state: { ...state, item: { sku: match.sku, name: match.name }, qty }, events: [], feedback: [ok('returns.item', { qty, name: match.name })] };
    }
    case 'quantity': {
      const q = parseQuantity(input.text);
      if (!q.ok) return refuse(state, q.feedback);
      return { state: { ...state, qty: q.qty }, events: [], feedback: [ok('returns.qty', { qty: q.qty })] };
    }
    case 'orderRef': {
      const t = input.text.trim();
      if (t.length > REF_MAX) return refuse(state, wrong('returns.refTooLong', { max: REF_MAX }));
      return { state: { ...state, orderRef: t }, events: [], feedback: [] };
    }
    case 'condition':
      if (!isCondition(input.value)) return refuse(state, wrong('returns.badCondition', { list: RETURN_CONDITIONS.join(', ') }));
      return { state: { ...state, condition: input.value }, events: [], feedback: [] };
    case 'note':
      if (input.text.length > NOTE_MAX) return refuse(state, wrong('returns.noteTooLong', { max: NOTE_MAX }));
      return { state: { ...state, note: input.text }, events: [], feedback: [] };
    case 'submit': {
      if (!state.item) return refuse(state, wrong('returns.itemFirst'));
      if (!state.condition) return refuse(state, wrong('returns.conditionFirst'));
      const note = state.note.trim();
      const event: DraftEvent = {
        type: 'return.quarantined',
        payload: {
          returnId: asTask(input.returnId),
          sku: state.item.sku,
          location: state.area,
          qty: asQty(state.qty),
          condition: state.condition,
          ...(state.orderRef ? { orderRef: state.orderRef } : {}),
          ...(note ? { note } : {}),
        },
      };
      return {
        state: startReturn(state.area, state.recorded + 1, { qty: state.qty, name: state.item.name, condition: state.condition }),
        events: [event],
        feedback: [ok('returns.quarantined', { qty: state.qty, name: state.item.name, condition: `@condition.${state.condition}`, area: state.area })],
      };
    }
  }
}
