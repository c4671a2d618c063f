/**
 * Blind count: scan the bin (`count.started`, so the API compares against the bin as of this
 * place in the ledger), scan or key each SKU, then record (`count.recorded`). The expected
 * quantity is never part of this state: the device does not know it.
 */
import type { DraftEvent } from '../events.ts';
import { asQty, asSku, asTask, type LocationId, type Sku, type TaskId } from '../ids.ts';
import type { CatalogItem, CountTaskView } from '../protocol.ts';
import { describeScan, duplicate, lookupGtin, nameOf, ok, parseQuantity, refuse, unreadable, wrong, type Step, type WorkflowScan } from './common.ts';

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
  if (state.phase === 'recorded') return refuse(state, duplicate('count.alreadyRecorded', { bin: state.location }));
  switch (input.type) {
    case 'scan': {
      const scan = input.scan;
      if (scan.kind === 'unreadable') return refuse(state, unreadable(scan));
      if (scan.kind === 'location') {
        if (scan.location !== state.location) return refuse(state, wrong('count.wrongBin', { scanned: scan.location, bin: state.location }));
        if (state.phase === 'counting') return refuse(state, duplicate('count.alreadyCounting', { bin: state.location }));
        const event: DraftEvent = { type: 'count.started', payload: { countTaskId: state.taskId, location: state.location } };
        return { state: { ...state, phase: 'counting' }, events: [event], feedback: [ok('count.started', { bin: state.location })] };
      }
      if (state.phase === 'bin') return refuse(state, wrong('count.binFirst', { bin: state.location, ...describeScan(scan) }));
      if (scan.kind !== 'goods') return refuse(state, wrong('count.notExpected', describeScan(scan)));
      const match = lookupGtin(ctx.catalog, scan.gtin);
      if (!match) return refuse(state, wrong('item.unknownSetAside', { gtin: scan.gtin }));
      const units = state.pendingQty ?? match.units * (scan.count ?? 1);
      const counted = add(state.counted, match.sku, units, false);
      const total = counted.find((c) => c.sku === match.sku)?.qty ?? units;
      return { state: { ...state, counted, pendingQty: null }, events: [], feedback: [ok('count.counted', { name: match.name, total })] };
    }
    case 'quantity': {
      if (state.phase !== 'counting') return refuse(state, wrong('count.binBeforeQty', { bin: state.location }));
      const q = parseQuantity(input.text);
      if (!q.ok) return refuse(state, q.feedback);
      return { state: { ...state, pendingQty: q.qty }, events: [], feedback: [ok('qty.thenScanItem', { qty: q.qty })] };
    }
    case 'key': {
      if (state.phase !== 'counting') return refuse(state, wrong('count.binBeforeKey', { bin: state.location }));
      const item = ctx.catalog.find((c) => c.sku === input.sku);
      if (!item) return refuse(state, wrong('count.unknownSku', { sku: input.sku.slice(0, 64) }));
      const q = parseQuantity(input.text, { allowZero: true });
      if (!q.ok) return refuse(state, q.feedback);
      const sku = asSku(item.sku);
      return {
        state: { ...state, counted: add(state.counted, sku, q.qty, true), pendingQty: null },
        events: [],
        feedback: [ok('count.counted', { name: item.name, total: q.qty })],
      };
    }
    case 'finish': {
      if (state.phase !== 'counting') return refuse(state, wrong('count.binToStart', { bin: state.location }));
      if (state.counted.length === 0) return refuse(state, wrong('count.nothing'));
      const event: DraftEvent = {
        type: 'count.recorded',
        payload: { countTaskId: state.taskId, location: state.location, lines: state.counted.map((c) => ({ sku: c.sku, qty: asQty(c.qty) })) },
      };
      const summary = state.counted.map((c) => `${nameOf(ctx.catalog, c.sku)} ${c.qty}`).join(', ');
      return { state: { ...state, phase: 'recorded' }, events: [event], feedback: [ok('count.recorded', { bin: state.location, summary })] };
    }
  }
}
