import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../../src/domain/barcode/check-digit.ts';
import { GS, toBracketed, toElementString, type Gs1Element } from '../../../src/domain/barcode/gs1.ts';
import { parseScan } from '../../../src/domain/barcode/parse-scan.ts';

const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const withCheck = (n: number) => digits(n - 1).map((b) => b + String(gs1CheckDigit(b)));
const cset82 = fc.array(fc.constantFrom(...'ABCXYZabc0189-./_'), { minLength: 1, maxLength: 20 }).map((a) => a.join(''));
const yymmdd = fc
  .record({ y: fc.integer({ min: 0, max: 99 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 0, max: 28 }) })
  .map(({ y, m, d }) => `${String(y).padStart(2, '0')}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`);

/** A valid product element list: GTIN first, then any of lot, expiry, serial, count in any order. */
const productElements = fc
  .tuple(
    withCheck(14),
    fc.option(cset82, { nil: undefined }),
    fc.option(yymmdd, { nil: undefined }),
    fc.option(cset82, { nil: undefined }),
    fc.option(fc.integer({ min: 1, max: 99_999_999 }), { nil: undefined }),
  )
  .chain(([gtin, lot, exp, serial, count]) => {
    const rest: Gs1Element[] = [];
    if (lot !== undefined) rest.push({ ai: '10', value: lot, known: true });
    if (exp !== undefined) rest.push({ ai: '17', value: exp, known: true });
    if (serial !== undefined) rest.push({ ai: '21', value: serial, known: true });
    if (count !== undefined) rest.push({ ai: '37', value: String(count), known: true });
    return fc.shuffledSubarray(rest, { minLength: rest.length, maxLength: rest.length }).map((r) => [{ ai: '01', value: gtin, known: true }, ...r]);
  });

describe('GS1 parsing properties', () => {
  it('reads back every valid element string, in raw, bracketed and Digital Link form alike', () => {
    fc.assert(
      fc.property(productElements, (els) => {
        const raw = parseScan(`]d2${toElementString(els)}`, { referenceYear: 2026 });
        const bracketed = parseScan(toBracketed(els), { referenceYear: 2026 });
        expect(raw.problems).toEqual([]);
        expect(raw.elements).toEqual(els);
        expect(bracketed.elements).toEqual(els);
        const [gtin, ...rest] = els;
        const dl = parseScan(`https://id.example.com/01/${gtin!.value}?${rest.map((e) => `${e.ai}=${encodeURIComponent(e.value)}`).join('&')}`, {
          referenceYear: 2026,
        });
        const { elements: _a, text: _b, raw: _c, display: _d, format: _e, ...meaning } = raw;
        const { elements: _f, text: _g, raw: _h, display: _i, format: _j, ...dlMeaning } = dl;
        expect(dlMeaning).toEqual(meaning);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });

  it('never throws and never trusts a changed digit in the GTIN', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = parseScan(s, { referenceYear: 2026 });
        expect([...r.display].filter((c) => c.charCodeAt(0) < 32 || c === '<' || c === '>')).toEqual([]);
      }),
      { seed: 7, numRuns: 500 },
    );
    fc.assert(
      fc.property(withCheck(14), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 1, max: 9 }), (gtin, pos, delta) => {
        const changed = gtin.slice(0, pos) + String((Number(gtin[pos]) + delta) % 10) + gtin.slice(pos + 1);
        expect(parseScan(`]C101${changed}${GS}10A`, { referenceYear: 2026 }).kind).toBe('unknown');
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
