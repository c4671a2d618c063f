import { describe, expect, it } from 'vitest';
import { returnStep, startReturn, type ReturnInput, type ReturnState } from '../../../src/domain/workflows/returns.ts';
import type { WorkflowScan } from '../../../src/domain/workflows/common.ts';
import { asLocation } from '../../../src/domain/ids.ts';
import { catalog, goods, bin, run, MUG, UNKNOWN, itRefuses, type Refusal, said, unreadableScan, unreadableWords } from './fixtures.ts';

const ctx = { catalog };
const step = (s: ReturnState, i: ReturnInput) => returnStep(s, i, ctx);
const scan = (x: WorkflowScan): ReturnInput => ({ type: 'scan', scan: x });
const start = () => startReturn(asLocation('RET-1'));
const RID = 'RET-0190a0b0-0000-7000-8000-000000000001';

describe('returns quarantine', () => {
  it('item, order, condition and note: one return.quarantined into the returns area', () => {
    const r = run(step, start(), [
      scan(goods(MUG)),
      { type: 'orderRef', text: ' ORD-7 ' },
      { type: 'condition', value: 'damaged' },
      { type: 'note', text: 'box crushed' },
      { type: 'submit', returnId: RID },
    ]);
    expect(r.events).toEqual([
      {
        type: 'return.quarantined',
        payload: { returnId: RID, sku: 'SKU-MUG', location: 'RET-1', qty: 1, condition: 'damaged', orderRef: 'ORD-7', note: 'box crushed' },
      },
    ]);
    expect(said(r.last.feedback)).toEqual([{ tone: 'accepted', message: '1 × Mug (damaged) quarantined at RET-1' }]);
    expect(r.state).toEqual({ ...start(), recorded: 1, last: { qty: 1, name: 'Mug', condition: 'damaged' } });
  });

  it('order and note are optional; a keyed quantity is used', () => {
    const r = run(step, start(), [
      scan(goods(MUG)),
      { type: 'quantity', text: '2' },
      { type: 'condition', value: 'sealed' },
      { type: 'note', text: '   ' },
      { type: 'submit', returnId: RID },
    ]);
    expect(r.events[0]?.payload).toEqual({ returnId: RID, sku: 'SKU-MUG', location: 'RET-1', qty: 2, condition: 'sealed' });
  });

  describe('refusals', () => {
    const withItem = () => step(start(), scan(goods(MUG))).state;
    const cases: [string, () => ReturnState, ReturnInput, string][] = [
      ['submit without an item', start, { type: 'submit', returnId: RID }, 'Scan the returned item first'],
      ['submit without a condition', withItem, { type: 'submit', returnId: RID }, 'Pick the condition of the item'],
      ['an unknown GTIN', start, scan(goods(UNKNOWN)), 'Unknown item 9780201379624: not in the catalog; ask a supervisor'],
      ['a bin instead of the item', start, scan(bin('A-01-01')), 'Scan the returned item, not location A-01-01'],
      ['an unreadable code', start, scan(unreadableScan('GTIN must be digits')), unreadableWords('GTIN must be digits')],
      ['an unknown condition', withItem, { type: 'condition', value: 'shiny' }, 'Condition must be one of sealed, opened, damaged, defective, wrong_item'],
      ['a note that is too long', withItem, { type: 'note', text: 'x'.repeat(501) }, 'Note is longer than 500 characters'],
      ['an order reference that is too long', withItem, { type: 'orderRef', text: 'R'.repeat(65) }, 'Order or RMA is longer than 64 characters'],
      ['text as a quantity', withItem, { type: 'quantity', text: '1e3' }, 'Quantity must be a whole number from 1 to 100000, not "1e3"'],
    ];
    itRefuses(
      step,
      cases.map(([name, state, input, message]): Refusal<ReturnState, ReturnInput> => [name, state, input, message, 'wrong']),
    );
  });
});
