/**
 * Blind count: scan the bin (`count.started`, so the API compares against the bin as of this
 * place in the ledger), scan or key each SKU, then record (`count.recorded`). The expected
 * quantity is never part of this state: the device does not know it.
 */
import type { DraftEvent } from '../events.ts';
import { asQty, asSku, asTask, type LocationId, type Sku, type TaskId } from '../ids.ts';
import type { CatalogItem, CountTaskView } from '../protocol.ts';
import { describeScan, duplicate, lookupGtin, nameOf, ok, parseQuantity, refuse, wrong, type Step, type WorkflowScan } from './common.ts';

export type CountState = {
  taskId: TaskId;
  location: LocationId;
  phase: 'bin' | 'counting' | 'recorded';
  /** Counted units per SKU, in the order first counted. */
  counted: { sku: Sku; qty: number }[];
  pendingQty: number | null;
};

export type CountInput =
  | { type: 'scan'; scan: WorkflowScan }
  /** Units for the next item scan. */
  | { type: 'quantity'; text: string }
  /** A SKU's total keyed directly (zero for "none of it here"). */
  | { type: 'key'; sku: string; text: string }
  | { type: 'finish' };

export type CountContext = { catalog: readonly CatalogItem[] };

/** Starts a blind count of a task's bin. */
export function startCount(task: CountTaskView): CountState {
  return { taskId: asTask(task.id), location: task.location as LocationId, phase: 'bin', counted: [], pendingQty: null };
}

function add(counted: CountState['counted'], sku: Sku, qty: number, replace: boolean): CountState['counted'] {
  const i = counted.findIndex((c) => c.sku === sku);
  if (i < 0) return [...counted, { sku, qty }];
  return counted.map((c, j) => (j === i ? { sku, qty: replace ? qty : c.qty + qty } : c));
}

/** The blind count reducer. */
export function countStep(state: CountState, input: CountInput, ctx: CountContext): Step<CountState> {
  if (state.phase === 'recorded') return refuse(state, duplicate(`The count of ${state.location} is already recorded`));
  switch (input.type) {
    case 'scan': {
      const scan = input.scan;
      if (scan.kind === 'unreadable') return refuse(state, wrong(scan.message));
      if (scan.kind === 'location') {
        if (scan.location !== state.location) return refuse(state, wrong(`Wrong bin: this is ${scan.location}, the count is for ${state.location}`));
        if (state.phase === 'counting') return refuse(state, duplicate(`Already counting ${state.location}`));
        const event: DraftEvent = { type: 'count.started', payload: { countTaskId: state.taskId, location: state.location } };
        return { state: { ...state, phase: 'counting' }, events: [event], feedback: [ok(`Counting ${state.location}: scan or key every item in the bin`)] };
      }
      if (state.phase === 'bin') return refuse(state, wrong(`Scan bin ${state.location} first, not ${describeScan(scan)}`));
      if (scan.kind !== 'goods') return refuse(state, wrong(`Not expected in a count: ${describeScan(scan)}`));
      const match = lookupGtin(ctx.catalog, scan.gtin);
      if (!match) return refuse(state, wrong(`Unknown item ${scan.gtin}: not in the catalog; set it aside`));
      const units = state.pendingQty ?? match.units * (scan.count ?? 1);
      const counted = add(state.counted, match.sku, units, false);
      const total = counted.find((c) => c.sku === match.sku)?.qty ?? units;
      return { state: { ...state, counted, pendingQty: null }, events: [], feedback: [ok(`${match.name}: ${total} counted`)] };
    }
    case 'quantity': {
      if (state.phase !== 'counting') return refuse(state, wrong(`Scan bin ${state.location} before keying a quantity`));
      const q = parseQuantity(input.text);
      if (!q.ok) return refuse(state, wrong(q.message));
      return { state: { ...state, pendingQty: q.qty }, events: [], feedback: [ok(`${q.qty} units: now scan the item`)] };
    }
    case 'key': {
      if (state.phase !== 'counting') return refuse(state, wrong(`Scan bin ${state.location} before keying a count`));
      const item = ctx.catalog.find((c) => c.sku === input.sku);
      if (!item) return refuse(state, wrong(`Unknown SKU "${input.sku.slice(0, 64)}": pick one from the catalog`));
      const q = parseQuantity(input.text, { allowZero: true });
      if (!q.ok) return refuse(state, wrong(q.message));
      const sku = asSku(item.sku);
      return { state: { ...state, counted: add(state.counted, sku, q.qty, true), pendingQty: null }, events: [], feedback: [ok(`${item.name}: ${q.qty} counted`)] };
    }
    case 'finish': {
      if (state.phase !== 'counting') return refuse(state, wrong(`Scan bin ${state.location} to start the count`));
      if (state.counted.length === 0) return refuse(state, wrong('Nothing counted: scan the items, or key 0 for an item that is not there'));
      const event: DraftEvent = {
        type: 'count.recorded',
        payload: { countTaskId: state.taskId, location: state.location, lines: state.counted.map((c) => ({ sku: c.sku, qty: asQty(c.qty) })) },
      };
      const summary = state.counted.map((c) => `${nameOf(ctx.catalog, c.sku)} ${c.qty}`).join(', ');
      return { state: { ...state, phase: 'recorded' }, events: [event], feedback: [ok(`Count of ${state.location} recorded: ${summary}`)] };
    }
  }
}
