import { describe, expect, it } from 'vitest';
import { countStep, startCount, type CountInput, type CountState } from '../../../src/domain/workflows/count.ts';
import type { WorkflowScan } from '../../../src/domain/workflows/common.ts';
import { catalog, goods, bin, run, MUG, TEA_CASE, UNKNOWN, itRefuses, type Refusal, unreadableScan, unreadableWords } from './fixtures.ts';

const ctx = { catalog };
const step = (s: CountState, i: CountInput) => countStep(s, i, ctx);
const scan = (x: WorkflowScan): CountInput => ({ type: 'scan', scan: x });
const task = { id: 'short-PL-1-L1', location: 'A-01-01', reason: 'short pick of SKU-MUG', status: 'open' };
const counting = () => step(startCount(task), scan(bin('A-01-01'))).state;

describe('blind count', () => {
  it('count.started at the bin scan, then count.recorded with what was counted', () => {
    const r = run(step, startCount(task), [scan(bin('A-01-01')), scan(goods(MUG)), scan(goods(MUG)), scan(goods(TEA_CASE)), { type: 'finish' }]);
    expect(r.events).toEqual([
      { type: 'count.started', payload: { countTaskId: 'short-PL-1-L1', location: 'A-01-01' } },
      {
        type: 'count.recorded',
        payload: {
          countTaskId: 'short-PL-1-L1',
          location: 'A-01-01',
          lines: [
            { sku: 'SKU-MUG', qty: 2 },
            { sku: 'SKU-TEA', qty: 12 },
          ],
        },
      },
    ]);
    expect(r.state.phase).toBe('recorded');
  });

  it('never holds or shows an expected quantity', () => {
    const r = run(step, startCount(task), [scan(bin('A-01-01')), scan(goods(MUG)), { type: 'finish' }]);
    expect(Object.keys(r.state).sort()).toEqual(['counted', 'location', 'pendingQty', 'phase', 'taskId']);
    expect(r.last.feedback[0]?.message).toBe('Count of A-01-01 recorded: Mug 1');
  });

  it('a keyed quantity applies to the next scan; keying a SKU sets its total, zero included', () => {
    const r = run(step, counting(), [
      { type: 'quantity', text: '7' },
      scan(goods(MUG)),
      scan(goods(MUG)),
      { type: 'key', sku: 'SKU-TEA', text: '0' },
      { type: 'finish' },
    ]);
    expect(r.events[0]?.payload).toMatchObject({
      lines: [
        { sku: 'SKU-MUG', qty: 8 },
        { sku: 'SKU-TEA', qty: 0 },
      ],
    });
    const replaced = run(step, counting(), [scan(goods(MUG)), { type: 'key', sku: 'SKU-MUG', text: '5' }]);
    expect(replaced.state.counted).toEqual([{ sku: 'SKU-MUG', qty: 5 }]);
  });

  describe('refusals', () => {
    const recorded = () => run(step, counting(), [scan(goods(MUG)), { type: 'finish' }]).state;
    const cases: Refusal<CountState, CountInput>[] = [
      ['the wrong bin', () => startCount(task), scan(bin('A-09-09')), 'Wrong bin: this is A-09-09, the count is for A-01-01', 'wrong'],
      ['an item before the bin', () => startCount(task), scan(goods(MUG)), 'Scan bin A-01-01 first, not item 4006381333931', 'wrong'],
      ['the bin again', counting, scan(bin('A-01-01')), 'Already counting A-01-01', 'duplicate'],
      ['an unknown GTIN', counting, scan(goods(UNKNOWN)), 'Unknown item 9780201379624: not in the catalog; set it aside', 'wrong'],
      ['a tote', counting, scan({ kind: 'tote', tote: 'T-1' }), 'Not expected in a count: tote T-1', 'wrong'],
      ['an unreadable code', counting, scan(unreadableScan('unreadable barcode')), unreadableWords('unreadable barcode'), 'wrong'],
      ['a quantity before the bin', () => startCount(task), { type: 'quantity', text: '3' }, 'Scan bin A-01-01 before keying a quantity', 'wrong'],
      ['a zero quantity for the next scan', counting, { type: 'quantity', text: '0' }, 'Quantity must be from 1 to 100000, not 0', 'wrong'],
      ['a keyed count before the bin', () => startCount(task), { type: 'key', sku: 'SKU-MUG', text: '3' }, 'Scan bin A-01-01 before keying a count', 'wrong'],
      ['a keyed unknown SKU', counting, { type: 'key', sku: 'SKU-NOPE', text: '3' }, 'Unknown SKU "SKU-NOPE": pick one from the catalog', 'wrong'],
      [
        'a keyed count that is text',
        counting,
        { type: 'key', sku: 'SKU-MUG', text: '3.5' },
        'Quantity must be a whole number from 0 to 100000, not "3.5"',
        'wrong',
      ],
      ['a huge keyed count', counting, { type: 'key', sku: 'SKU-MUG', text: '100001' }, 'Quantity must be from 0 to 100000, not 100001', 'wrong'],
      ['finish before the bin', () => startCount(task), { type: 'finish' }, 'Scan bin A-01-01 to start the count', 'wrong'],
      ['finish with nothing counted', counting, { type: 'finish' }, 'Nothing counted: scan the items, or key 0 for an item that is not there', 'wrong'],
      ['anything after recording', recorded, scan(goods(MUG)), 'The count of A-01-01 is already recorded', 'duplicate'],
    ];
    itRefuses(step, cases);
  });
});
