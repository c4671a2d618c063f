import { describe, expect, it } from 'vitest';
import { qcReleaseStep, startQcRelease, type QcReleaseInput, type QcReleaseState } from '../../../src/domain/workflows/qc-release.ts';
import type { WorkflowScan } from '../../../src/domain/workflows/common.ts';
import { asLocation } from '../../../src/domain/ids.ts';
import { catalog, goods, bin, locations, run, MUG, TEA_CASE, UNKNOWN, itRefuses, type Refusal, said, unreadableScan, unreadableWords } from './fixtures.ts';

const ctx = { catalog, locations };
const step = (s: QcReleaseState, i: QcReleaseInput) => qcReleaseStep(s, i, ctx);
const scan = (x: WorkflowScan): QcReleaseInput => ({ type: 'scan', scan: x });
const start = () => startQcRelease(asLocation('DOCK-1'));

describe('QC release / putaway', () => {
  it('goods, quantity, destination bin: one qc.released from the dock into the bin', () => {
    const r = run(step, start(), [scan(goods(MUG)), { type: 'quantity', text: '10' }, scan(bin('A-01-01'))]);
    expect(r.events).toEqual([{ type: 'qc.released', payload: { sku: 'SKU-MUG', from: 'DOCK-1', to: 'A-01-01', qty: 10 } }]);
    expect(said(r.last.feedback)).toEqual([{ tone: 'accepted', message: 'Released 10 × Mug from QC into A-01-01' }]);
    expect(r.state.goods).toBeNull();
  });

  it('a keyed quantity before the scan, a case, or a GS1 count set the units; scanning a dock changes the source', () => {
    const r = run(step, start(), [
      { type: 'quantity', text: '3' },
      scan(goods(MUG)),
      scan(bin('A-01-01')),
      scan(goods(TEA_CASE)),
      scan(bin('A-01-02')),
      scan(bin('DOCK-2')),
      scan(goods(MUG, { count: 5 })),
      scan(bin('A-01-01')),
    ]);
    expect(r.events.map((e) => e.payload)).toEqual([
      { sku: 'SKU-MUG', from: 'DOCK-1', to: 'A-01-01', qty: 3 },
      { sku: 'SKU-TEA', from: 'DOCK-1', to: 'A-01-02', qty: 12 },
      { sku: 'SKU-MUG', from: 'DOCK-2', to: 'A-01-01', qty: 5 },
    ]);
  });

  describe('refusals', () => {
    const withGoods = () => step(start(), scan(goods(MUG))).state;
    const cases: Refusal<QcReleaseState, QcReleaseInput>[] = [
      ['a bin before the goods', start, scan(bin('A-01-01')), 'Scan the goods before the bin A-01-01', 'wrong'],
      ['an unknown GTIN', start, scan(goods(UNKNOWN)), 'Unknown item 9780201379624: not in the catalog', 'wrong'],
      ['second goods before the bin', withGoods, scan(goods(MUG)), 'Scan the destination bin for Mug first, or clear', 'wrong'],
      ['an unknown location', withGoods, scan(bin('Z-99')), 'Unknown location Z-99', 'wrong'],
      ['the returns area as destination', withGoods, scan(bin('RET-1')), 'RET-1 is not a bin: put goods away into a bin', 'wrong'],
      ['a dock as destination', withGoods, scan(bin('DOCK-2')), 'Scan a bin for Mug, not the dock', 'wrong'],
      ['the same dock again', start, scan(bin('DOCK-1')), 'Already releasing from DOCK-1', 'duplicate'],
      ['a tote', start, scan({ kind: 'tote', tote: 'T-1' }), 'Not expected in putaway: tote T-1', 'wrong'],
      ['an unreadable code', start, scan(unreadableScan('too short')), unreadableWords('too short'), 'wrong'],
      ['text as a quantity', withGoods, { type: 'quantity', text: 'lots' }, 'Quantity must be a whole number from 1 to 100000, not "lots"', 'wrong'],
    ];
    itRefuses(step, cases);
  });
});
