import { describe, expect, it } from 'vitest';
import {
  findReceiptBySscc,
  receivingStep,
  receivingTotals,
  startReceiving,
  type ReceivingInput,
  type ReceivingState,
} from '../../../src/domain/workflows/receiving.ts';
import type { WorkflowScan } from '../../../src/domain/workflows/common.ts';
import { catalog, goods, bin, receipt, run, MUG, TEA, TEA_CASE, UNKNOWN, itRefuses, type Refusal, said, unreadableScan, unreadableWords } from './fixtures.ts';

const ctx = { catalog };
const step = (s: ReceivingState, i: ReceivingInput) => receivingStep(s, i, ctx);
const scan = (x: WorkflowScan): ReceivingInput => ({ type: 'scan', scan: x });
const PALLET = '340123450000000017';

describe('receiving', () => {
  it('opens a receipt from a pallet SSCC', () => {
    expect(findReceiptBySscc([receipt()], PALLET)?.id).toBe('RCV-1');
    expect(findReceiptBySscc([receipt()], '340123450000000031')).toBeUndefined();
  });

  it('a GS1 label (GTIN, lot, expiry, count) confirmed is one receipt.received into QC at the dock', () => {
    const r = run(step, startReceiving(receipt(), PALLET), [scan(goods(MUG, { lot: 'L42', expiry: '2027-03-31', count: 6 })), { type: 'confirm' }]);
    expect(r.events).toEqual([
      {
        type: 'receipt.received',
        payload: {
          receiptId: 'RCV-1',
          lineId: 'R1',
          sscc: PALLET,
          gtin: '04006381333931',
          sku: 'SKU-MUG',
          lot: 'L42',
          expiry: '2027-03-31',
          location: 'DOCK-1',
          qty: 6,
        },
      },
    ]);
    expect(said(r.last.feedback)).toEqual([{ tone: 'accepted', message: 'Received 6 × Mug into QC: 6/10' }]);
    expect(receivingTotals(r.state).map((l) => [l.lineId, l.received, l.status])).toEqual([
      ['R1', 6, 'under'],
      ['R2', 0, 'under'],
    ]);
  });

  it('a plain EAN takes a keyed quantity, before or after the scan; a case counts its units', () => {
    const r = run(step, startReceiving(receipt()), [
      { type: 'quantity', text: '4' },
      scan(goods(MUG)),
      { type: 'confirm' },
      scan(goods(MUG)),
      { type: 'quantity', text: '6' },
      { type: 'confirm' },
      scan(goods(TEA_CASE)),
      { type: 'confirm' },
    ]);
    expect(r.events.map((e) => (e.payload as { qty: number }).qty)).toEqual([4, 6, 12]);
    expect(r.events[2]?.payload).toMatchObject({ sku: 'SKU-TEA', lineId: 'R2', gtin: TEA_CASE });
    expect(receivingTotals(r.state).map((l) => l.status)).toEqual(['complete', 'under']);
  });

  it('over the expected quantity is still received, and flagged for the supervisor', () => {
    const r = run(step, startReceiving(receipt()), [scan(goods(MUG, { count: 12 })), { type: 'confirm' }]);
    expect(r.events).toHaveLength(1);
    expect(said(r.last.feedback)).toEqual([{ tone: 'supervisor', message: 'Received 12 × Mug into QC: over by 2 (12/10), flagged' }]);
    expect(receivingTotals(r.state)[0]).toMatchObject({ status: 'over', difference: 2 });
  });

  it('finishing with lines under is flagged', () => {
    const r = run(step, startReceiving(receipt()), [scan(goods(TEA, { count: 24 })), { type: 'confirm' }, { type: 'finish' }]);
    expect(said(r.last.feedback)).toEqual([{ tone: 'supervisor', message: 'Finished with 1 line(s) short: Mug 0/10' }]);
    expect(r.state.finished).toBe(true);
  });

  it('a pallet of this receipt is taken; clear drops a label without an event', () => {
    const r = run(step, startReceiving(receipt()), [scan({ kind: 'pallet', sscc: '340123450000000024' }), scan(goods(MUG)), { type: 'clear' }]);
    expect(r.state.sscc).toBe('340123450000000024');
    expect(r.state.pending).toBeNull();
    expect(r.events).toEqual([]);
  });

  describe('refusals', () => {
    const withLabel = () => step(startReceiving(receipt()), scan(goods(MUG))).state;
    const finished = () => step(startReceiving(receipt()), { type: 'finish' }).state;
    const cases: Refusal<ReceivingState, ReceivingInput>[] = [
      [
        'a pallet of another receipt',
        () => startReceiving(receipt()),
        scan({ kind: 'pallet', sscc: '340123450000000031' }),
        'Pallet 340123450000000031 is not on receipt RCV-1',
        'wrong',
      ],
      [
        'a label naming another pallet',
        () => startReceiving(receipt()),
        scan(goods(MUG, { sscc: '340123450000000031' })),
        'Pallet 340123450000000031 is not on receipt RCV-1',
        'wrong',
      ],
      ['the same pallet again', () => startReceiving(receipt(), PALLET), scan({ kind: 'pallet', sscc: PALLET }), `Already on pallet ${PALLET}`, 'duplicate'],
      ['an unknown GTIN', () => startReceiving(receipt()), scan(goods(UNKNOWN)), 'Unknown item 9780201379624: not in the catalog; set it aside', 'wrong'],
      [
        'an item not on the receipt',
        () => startReceiving({ ...receipt(), lines: receipt().lines.slice(0, 1) }),
        scan(goods(TEA)),
        'Tea (SKU-TEA) is not on receipt RCV-1: set it aside',
        'wrong',
      ],
      ['a second label before confirming', withLabel, scan(goods(TEA)), 'Confirm or clear the scanned label first', 'wrong'],
      ['a bin', () => startReceiving(receipt()), scan(bin('A-01-01')), 'Not expected when receiving: location A-01-01', 'wrong'],
      [
        'an unreadable code',
        () => startReceiving(receipt()),
        scan(unreadableScan('SSCC has a wrong check digit')),
        unreadableWords('SSCC has a wrong check digit'),
        'wrong',
      ],
      ['confirm with no label', () => startReceiving(receipt()), { type: 'confirm' }, 'Scan a goods label before confirming', 'wrong'],
      ['clear with no label', () => startReceiving(receipt()), { type: 'clear' }, 'No label to clear', 'duplicate'],
      ['text as a quantity', withLabel, { type: 'quantity', text: '12abc' }, 'Quantity must be a whole number from 1 to 100000, not "12abc"', 'wrong'],
      ['a huge quantity', withLabel, { type: 'quantity', text: '999999' }, 'Quantity must be from 1 to 100000, not 999999', 'wrong'],
      ['finish with a label pending', withLabel, { type: 'finish' }, 'Confirm or clear the scanned label before finishing', 'wrong'],
      ['anything after finishing', finished, scan(goods(MUG)), 'This receipt is finished: open it again to receive more', 'wrong'],
    ];
    itRefuses(step, cases);
  });
});
