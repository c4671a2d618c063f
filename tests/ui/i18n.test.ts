import { describe, expect, it } from 'vitest';
import { parseScan } from '../../src/domain/barcode/parse-scan.ts';
import { englishOf, FEEDBACK_EN } from '../../src/domain/workflows/messages.ts';
import { fromScanResult } from '../../src/domain/workflows/common.ts';
import { DE } from '../../src/ui/i18n/de.ts';
import { UI_EN } from '../../src/ui/i18n/ui-en.ts';

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('the words of the screens', () => {
  it('German translates every code with the same parameters, and nothing else', () => {
    const english: Record<string, string> = { ...FEEDBACK_EN, ...UI_EN };
    expect(Object.keys(DE).sort()).toEqual(Object.keys(english).sort());
    const mismatched = Object.entries(english).filter(([k, v]) => JSON.stringify(placeholders(v)) !== JSON.stringify(placeholders(DE[k as keyof typeof DE])));
    expect(mismatched).toEqual([]);
    // A translation that is the English text unchanged was probably forgotten (names, "OK" and "Online" aside).
    const same = Object.entries(english)
      .filter(([k, v]) => DE[k as keyof typeof DE] === v)
      .map(([k]) => k);
    expect(same).toEqual(['ui.pin', 'ui.tone.accepted', 'sync.online']);
  });

  it('renders a code with its parameters, nested codes first', () => {
    expect(englishOf('pick.toteFirst', { what: '@what.location', value: 'A-01-01' })).toBe('Scan a tote first, not location A-01-01');
    expect(englishOf('returns.quarantined', { qty: 2, name: 'Mug', condition: '@condition.wrong_item', area: 'RET-1' })).toBe(
      '2 × Mug (wrong item) quarantined at RET-1',
    );
  });
});

describe('a label that needs a symbology identifier', () => {
  it('points to the scanner set-up instead of "not a product, pallet..."', () => {
    const scan = fromScanResult(parseScan('00340123450000000017'));
    expect(scan).toMatchObject({ kind: 'unreadable', code: 'scan.needsSymbologyId' });
    // With its identifier the same label is a pallet; a plain unknown text keeps the plain message.
    expect(fromScanResult(parseScan(']C100340123450000000017'))).toEqual({ kind: 'pallet', sscc: '340123450000000017' });
    expect(fromScanResult(parseScan('HELLO WORLD'))).toMatchObject({ kind: 'unreadable', code: expect.not.stringMatching(/needsSymbologyId/) });
  });
});
