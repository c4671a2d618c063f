import { describe, expect, it } from 'vitest';
import { expandUpcE, gs1CheckDigit, hasValidCheckDigit, isValidSscc, normaliseGtin } from '../../../src/domain/barcode/check-digit.ts';

describe('GS1 check digits', () => {
  it('computes the published examples', () => {
    // GS1 General Specifications examples: GTIN-13 9506000134352 (in GTIN-14 09506000134352), SSCC 106141412345678908.
    expect(gs1CheckDigit('0950600013435')).toBe(2);
    expect(gs1CheckDigit('10614141234567890')).toBe(8);
    expect(gs1CheckDigit('9638507')).toBe(4); // EAN-8 96385074
    expect(gs1CheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
    expect(hasValidCheckDigit('4006381333931')).toBe(true);
    expect(hasValidCheckDigit('4006381333932')).toBe(false);
    expect(isValidSscc('106141412345678908')).toBe(true);
    expect(isValidSscc('106141412345678907')).toBe(false);
  });

  it('refuses non-digits with a clear error', () => {
    expect(() => gs1CheckDigit('12a')).toThrow(/digits/);
    expect(hasValidCheckDigit('')).toBe(false);
  });

  it('normalises GTIN-8/12/13/14 to GTIN-14 and names the wrong check digit', () => {
    expect(normaliseGtin('96385074')).toEqual({ ok: true, gtin14: '00000096385074' });
    expect(normaliseGtin('036000291452')).toEqual({ ok: true, gtin14: '00036000291452' });
    expect(normaliseGtin('9506000134352')).toEqual({ ok: true, gtin14: '09506000134352' });
    expect(normaliseGtin('09506000134352')).toEqual({ ok: true, gtin14: '09506000134352' });
    const bad = normaliseGtin('9506000134353');
    expect(bad).toMatchObject({ ok: false, code: 'bad_check_digit' });
    expect(!bad.ok && bad.message).toContain('expected 2');
    expect(normaliseGtin('123456789')).toMatchObject({ ok: false, code: 'bad_length' });
    expect(normaliseGtin('95060001343A2')).toMatchObject({ ok: false, code: 'bad_chars' });
  });

  it('expands UPC-E in all four compression shapes', () => {
    expect(expandUpcE('04252614')).toBe('042100005264');
    expect(expandUpcE('0425261')).toBe('042100005264');
    expect(expandUpcE('425261')).toBe('042100005264');
    expect(expandUpcE('0123453')?.slice(0, 11)).toBe('01230000045'); // d6 = 3
    expect(expandUpcE('0123454')?.slice(0, 11)).toBe('01234000005'); // d6 = 4
    expect(expandUpcE('0123456')?.slice(0, 11)).toBe('01234500006'); // d6 = 6
    expect(expandUpcE('04252615')).toBeNull(); // wrong check digit
    expect(expandUpcE('24252614')).toBeNull(); // number system 2 does not exist in UPC-E
    expect(expandUpcE('12345')).toBeNull();
  });
});
