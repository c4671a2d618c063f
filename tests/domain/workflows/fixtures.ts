import { expect, it } from 'vitest';
import { asGtin, asLocation } from '../../../src/domain/ids.ts';
import type { CatalogItem, PickList, Receipt } from '../../../src/domain/protocol.ts';
import type { Feedback, Step, WorkflowScan } from '../../../src/domain/workflows/common.ts';

/** Two items with valid GTIN-13s; the second comes in cases of 12 (case GTIN-14 with indicator 1). */
export const catalog: CatalogItem[] = [
  { sku: 'SKU-MUG', gtin: '4006381333931', name: 'Mug' },
  { sku: 'SKU-TEA', gtin: '5901234123457', name: 'Tea', unitsPerCase: 12 },
];
export const MUG = '4006381333931';
export const TEA = '5901234123457';
/** Indicator 1 + the first 12 digits of TEA + its own check digit. */
export const TEA_CASE = '15901234123454';
/** A valid GTIN-13 that is not in the catalog. */
export const UNKNOWN = '9780201379624';

export const goods = (gtin: string, extra: Partial<Extract<WorkflowScan, { kind: 'goods' }>> = {}): WorkflowScan => ({
  kind: 'goods',
  gtin: asGtin(gtin),
  ...extra,
});
export const bin = (location: string): WorkflowScan => ({ kind: 'location', location: asLocation(location) });
export const tote = (id: string): WorkflowScan => ({ kind: 'tote', tote: id });

export const pickList = (over: Partial<PickList> = {}): PickList => ({
  id: 'PL-1',
  orderRef: 'ORD-1',
  status: 'open',
  lines: [
    { lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', qty: 3, picked: 0 },
    { lineId: 'L2', sku: 'SKU-TEA', location: 'A-01-02', qty: 24, picked: 0 },
  ],
  ...over,
});

export const receipt = (): Receipt => ({
  id: 'RCV-1',
  supplier: 'Acme',
  dock: 'DOCK-1',
  ssccs: ['340123450000000017', '340123450000000024'],
  status: 'open',
  lines: [
    { lineId: 'R1', sku: 'SKU-MUG', gtin: MUG, expectedQty: 10, receivedQty: 0 },
    { lineId: 'R2', sku: 'SKU-TEA', gtin: TEA, expectedQty: 24, receivedQty: 0 },
  ],
});

export const locations = [
  { id: 'A-01-01', kind: 'bin' as const },
  { id: 'A-01-02', kind: 'bin' as const },
  { id: 'DOCK-1', kind: 'dock' as const },
  { id: 'DOCK-2', kind: 'dock' as const },
  { id: 'RET-1', kind: 'returns' as const },
];

/** A step's feedback as the worker hears it in English: tone and words (the code and parameters aside). */
export const said = (feedback: readonly Feedback[]) => feedback.map(({ tone, message }) => ({ tone, message }));

/** An unreadable scan as the pipeline hands it over, with the reason it gives. */
export const unreadableScan = (why: string) => ({ kind: 'unreadable' as const, code: 'scan.cannotUse' as const, params: { display: 'x', why } });
/** Its words. */
export const unreadableWords = (why: string) => `Cannot use "x": ${why}`;

/** Runs inputs through a reducer, collecting every event and the last feedback. */
export function run<S, I>(step: (s: S, i: I) => Step<S>, initial: S, inputs: I[]) {
  let state = initial;
  const events: Step<S>['events'] = [];
  let last: Step<S> | undefined;
  for (const i of inputs) {
    last = step(state, i);
    state = last.state;
    events.push(...last.events);
  }
  return { state, events, last: last as Step<S> };
}

/** One refusal: its name, the state it starts from, the input, the message and tone expected. */
export type Refusal<S, I> = [name: string, state: () => S, input: I, message: string, tone: 'wrong' | 'duplicate'];

/**
 * One test per refusal: the reducer answers with that feedback alone, records no event and
 * leaves the state as it was (or the part of it `kept` picks out).
 */
export function itRefuses<S, I>(step: (s: S, i: I) => Step<S>, cases: Refusal<S, I>[], kept: (s: S) => unknown = (s) => s): void {
  for (const [name, state, input, message, tone] of cases) {
    it(name, () => {
      const before = state();
      const r = step(before, input);
      expect(said(r.feedback)).toEqual([{ tone, message }]);
      expect(r.events).toEqual([]);
      expect(kept(r.state)).toEqual(kept(before));
    });
  }
}
