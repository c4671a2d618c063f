/** "Explain this figure": an entry's scan, place and units in words, from its type and payload. */
import { describe, expect, it } from 'vitest';
import { describeScan, locationOf, qtyOf } from '../../../src/domain/control/explain.ts';

describe('explain an entry', () => {
  it.each([
    ['pick.held', { pickListId: 'PL-1', lineId: '1', sku: 'S', location: 'A-01', tote: 'T-9', qty: 2 }, 'pick.held: tote T-9, list PL-1', 'A-01', 2],
    [
      'receipt.received',
      { receiptId: 'R-1', sscc: '012345678901234567', gtin: '04006381330077', sku: 'S', lot: 'L7', location: 'DOCK-1', qty: 5 },
      'receipt.received: pallet 012345678901234567, GTIN 04006381330077, lot L7, receipt R-1',
      'DOCK-1',
      5,
    ],
    ['qc.released', { sku: 'S', from: 'DOCK-1', to: 'A-02', qty: 3 }, 'qc.released', 'DOCK-1 → A-02', 3],
    [
      'pick.short',
      { pickListId: 'PL-1', lineId: '1', sku: 'S', location: 'A-01', missingQty: 4, countTaskId: 'CT-1' },
      'pick.short: list PL-1, count CT-1',
      'A-01',
      4,
    ],
    [
      'count.recorded',
      {
        countTaskId: 'CT-1',
        location: 'A-01',
        lines: [
          { sku: 'X', qty: 1 },
          { sku: 'S', qty: 7 },
        ],
      },
      'count.recorded: count CT-1',
      'A-01',
      7,
    ],
    [
      'return.resolved',
      { returnId: 'RMA-1', decision: 'write_off', sku: 'S', from: 'RET-1', qty: 1, reason: 'torn' },
      'return.resolved: return RMA-1, decision write_off',
      'RET-1',
      1,
    ],
  ] as const)('%s', (type, payload, scan, where, qty) => {
    expect(describeScan(type, payload)).toBe(scan);
    expect(locationOf(payload)).toBe(where);
    expect(qtyOf(payload, 'S')).toBe(qty);
  });

  it('an unreadable payload is the type alone, with no place or units', () => {
    for (const p of [null, 'text', 42, []]) {
      expect(describeScan('x.y', p)).toBe('x.y');
      expect(locationOf(p)).toBeNull();
      expect(qtyOf(p, 'S')).toBeNull();
    }
    expect(qtyOf({ lines: [{ sku: 'X', qty: 1 }] }, 'S')).toBeNull();
  });
});
