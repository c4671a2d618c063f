import { describe, expect, it } from 'vitest';
import { parseScan } from '../../../src/domain/barcode/parse-scan.ts';
import { GS, gs1Date, parseDigitalLink, toBracketed, toElementString } from '../../../src/domain/barcode/gs1.ts';
import { compileLabelPatterns, DEFAULT_LABEL_PATTERNS } from '../../../src/domain/barcode/labels.ts';
import { displayText } from '../../../src/domain/barcode/display.ts';

const Y = { referenceYear: 2026 };
const codes = (r: { problems: { code: string }[] }) => r.problems.map((p) => p.code);

describe('parseScan: GS1 element strings', () => {
  it('reads the GS1 DataMatrix example with symbology identifier ]d2', () => {
    const r = parseScan(`]d201095060001343521718040110ABC123${GS}21SER1`, Y);
    expect(r).toMatchObject({ format: 'gs1-datamatrix', kind: 'product', gtin: '09506000134352', expiry: '2018-04-01', lot: 'ABC123', serial: 'SER1' });
    expect(r.problems).toEqual([]);
    expect(r.text).toBe(`01095060001343521718040110ABC123${GS}21SER1`);
  });

  it('reads GS1-128 ]C1 with count and net weight, fixed-length AIs without separators', () => {
    const r = parseScan(`]C1010950600013435231030012343712${GS}10LOT-7`, Y);
    expect(r).toMatchObject({ format: 'gs1-128', kind: 'product', gtin: '09506000134352', netWeightKg: 1.234, count: 12, lot: 'LOT-7' });
    expect(r.problems).toEqual([]);
  });

  it('reads GS1 QR ]Q3 and DataBar ]e0', () => {
    expect(parseScan(']Q30109506000134352', Y)).toMatchObject({ format: 'gs1-qr', kind: 'product', gtin: '09506000134352' });
    expect(parseScan(']e00109506000134352', Y)).toMatchObject({ format: 'gs1-databar', kind: 'product' });
  });

  it('reads a pallet label: SSCC with content and count', () => {
    const r = parseScan(`]C1001061414123456789080209506000134352${GS}3748`, Y);
    expect(r).toMatchObject({ kind: 'sscc', sscc: '106141412345678908', gtin: '09506000134352', count: 48 });
  });

  it('accepts a configured substitute for FNC1 and a leading FNC1 without identifier', () => {
    const r = parseScan('~0109506000134352~10ABC~2199', { ...Y, gsSubstitute: '~' });
    expect(r).toMatchObject({ format: 'gs1-128', kind: 'product', lot: 'ABC', serial: '99' });
    expect(r.raw).toBe(`${GS}0109506000134352${GS}10ABC${GS}2199`);
  });

  it('reads day 00 as the last day of the month, leap years included', () => {
    expect(parseScan(']C1010950600013435217240200', Y)).toMatchObject({ expiry: '2024-02-29' });
    expect(parseScan(']C1010950600013435217250200', Y)).toMatchObject({ expiry: '2025-02-28' });
    expect(gs1Date('261100', 2026)).toBe('2026-11-30');
    expect(gs1Date('991231', 2026)).toBe('1999-12-31');
    expect(gs1Date('700101', 2026)).toBe('2070-01-01');
  });

  it('reports an impossible date and keeps the product', () => {
    const r = parseScan(']C1010950600013435217241301', Y);
    expect(r).toMatchObject({ kind: 'product', gtin: '09506000134352' });
    expect(r).not.toHaveProperty('expiry');
    expect(codes(r)).toEqual(['bad_date']);
    expect(codes(parseScan(']C1010950600013435217240230', Y))).toEqual(['bad_date']);
  });

  it('never trusts a wrong check digit in the key', () => {
    const r = parseScan(']C10109506000134353', Y);
    expect(r.kind).toBe('unknown');
    expect(r.problems[0]?.message).toMatch(/AI \(01\) GTIN .* wrong check digit \(expected 2\)/);
    expect(parseScan(']C1001061414123456789070209506000134352', Y).kind).toBe('unknown');
    expect(codes(parseScan(']C101095060001343524141234567890129', Y))).toEqual(['bad_check_digit']);
  });

  it('reports an unknown AI without losing the rest', () => {
    // 7239 is unassigned here but its prefix 72 gives a 4-digit AI; it is variable so a GS ends it.
    const r = parseScan(`]C1010950600013435272391234${GS}10LOT1${GS}17261231`, Y);
    expect(r).toMatchObject({ kind: 'product', gtin: '09506000134352', lot: 'LOT1', expiry: '2026-12-31' });
    expect(codes(r)).toEqual(['unknown_ai']);
    expect(r.elements?.find((e) => e.ai === '7239')).toEqual({ ai: '7239', value: '1234', known: false });
    // An unknown AI with a predefined length (03, 14 digits) needs no separator.
    const p = parseScan(']C1031234567890123410ABC', Y);
    expect(p.elements?.map((e) => e.ai)).toEqual(['03', '10']);
  });

  it('stops at a prefix GS1 never assigned, keeping what came before', () => {
    const r = parseScan(']C1010950600013435255XYZ', Y);
    expect(r).toMatchObject({ kind: 'product', gtin: '09506000134352' });
    expect(codes(r)).toContain('unknown_ai');
  });

  it('flags a variable field running too long: a missing separator', () => {
    const r = parseScan(']C1010950600013435210ABCDEFGHIJKLMNOPQRSTUVW17261231', Y);
    expect(codes(r)).toContain('missing_separator');
    expect(r).not.toHaveProperty('lot');
  });

  it('enforces lengths and character sets', () => {
    expect(codes(parseScan(']C101095060001343', Y))).toContain('bad_length');
    expect(codes(parseScan(']C1010950600013435230ABC', Y))).toContain('bad_chars');
    expect(codes(parseScan(`]C1010950600013435237123456789${GS}`, Y))).toContain('bad_length');
    expect(codes(parseScan(`]C1010950600013435210${GS}21X`, Y))).toContain('bad_length');
  });

  it('reports duplicated and conflicting AIs', () => {
    expect(codes(parseScan(`]C1010950600013435210A${GS}10B`, Y))).toContain('conflicting_ai');
    expect(parseScan(']C101095060001343520209506000134352', Y).kind).toBe('unknown');
  });

  it('knows AIs 00 01 02 10 11 13 15 17 21 30 37 310x 400 410-414', () => {
    const gln = '9506000134307';
    const all =
      `]C1010950600013435211260101132603001526063017261231` +
      `10L${GS}21S${GS}305${GS}400PO-1${GS}3102000500` +
      `410${gln}411${gln}412${gln}413${gln}414${gln}3712`;
    const r = parseScan(all, Y);
    expect(r.problems).toEqual([]);
    expect(r.elements?.map((e) => e.ai)).toEqual(['01', '11', '13', '15', '17', '10', '21', '30', '400', '3102', '410', '411', '412', '413', '414', '37']);
    expect(r).toMatchObject({ kind: 'product', expiry: '2026-12-31', bestBefore: '2026-06-30', count: 12, netWeightKg: 5 });
  });
});

describe('parseScan: the traps', () => {
  it('does not read plain Code 128 text that looks like an AI as GS1', () => {
    const r = parseScan(']C010D9T', Y);
    expect(r).toMatchObject({ format: 'code-128', kind: 'unknown', text: '10D9T' });
    expect(r).not.toHaveProperty('lot');
    expect(parseScan('10D9T', Y)).toMatchObject({ kind: 'unknown' });
    expect(parseScan('10D9T', { ...Y, format: 'code-128' })).toMatchObject({ kind: 'unknown' });
    expect(parseScan('0109506000134352', { ...Y, format: 'code-128' }).kind).toBe('unknown');
  });

  it('reads unmarked GS1 only when asked, only from 00/01/02, and only when it parses cleanly', () => {
    const opts = { ...Y, gs1WithoutIdentifier: true };
    expect(parseScan(`010950600013435210ABC${GS}17261231`, Y).kind).toBe('unknown');
    expect(parseScan(`010950600013435210ABC${GS}17261231`, opts)).toMatchObject({ kind: 'product', lot: 'ABC', expiry: '2026-12-31' });
    expect(parseScan('10D9T', opts).kind).toBe('unknown');
    expect(parseScan('0109506000134353', opts).kind).toBe('unknown');
    expect(parseScan('010950600013435217261399', opts).kind).toBe('unknown');
    expect(parseScan('9506000134352', opts)).toMatchObject({ kind: 'product', format: 'unknown' });
  });

  it('reads GS1 when the decoder says the symbol is GS1', () => {
    expect(parseScan('0109506000134352', { ...Y, format: 'gs1-128' })).toMatchObject({ kind: 'product' });
  });

  it('treats control characters and oversize input as problems, and never shows markup', () => {
    expect(codes(parseScan('A-01-01\u0007', Y))).toEqual(['control_chars']);
    expect(codes(parseScan('x'.repeat(5000), Y))).toEqual(['too_long']);
    expect(codes(parseScan('  ', Y))).toEqual(['empty']);
    const r = parseScan('<img src=x onerror=alert(1)>T-0001', Y);
    expect(r.kind).toBe('unknown');
    expect(r.display).not.toMatch(/[<>]/);
    expect(displayText(`a${GS}b\u202e\u0000`)).toBe('a\u241db');
    expect(displayText('y'.repeat(500)).length).toBe(120);
  });
});

describe('parseScan: human-readable and Digital Link forms', () => {
  it('reads the bracketed form typed by hand', () => {
    const r = parseScan('(01)09506000134352(17)261231(10)ABC 123', Y);
    expect(r).toMatchObject({ format: 'typed', kind: 'product', gtin: '09506000134352', expiry: '2026-12-31' });
    expect(r).not.toHaveProperty('lot');
    expect(codes(r)).toEqual(['bad_chars']); // a space is not in GS1 character set 82
    expect(parseScan('(01)09506000134352(10)ABC', Y).problems).toEqual([]);
    expect(codes(parseScan('(01)09506000134352junk(', Y))).toContain('bad_length');
  });

  it('reads GS1 Digital Link URIs with path qualifiers and query AIs', () => {
    const r = parseScan('https://id.example.com/01/09506000134352/10/ABC%2F1/21/123456?17=261231&linkType=gs1:pip', Y);
    expect(r).toMatchObject({ kind: 'product', gtin: '09506000134352', lot: 'ABC/1', serial: '123456', expiry: '2026-12-31' });
    expect(r.problems).toEqual([]);
    expect(parseScan('https://brand.example/some/prefix/gtin/09506000134352?15=260600', Y)).toMatchObject({ kind: 'product', bestBefore: '2026-06-30' });
    expect(parseScan('https://id.example.com/00/106141412345678908', Y)).toMatchObject({ kind: 'sscc' });
    expect(parseScan(']Q1https://example.com/about', Y)).toMatchObject({ kind: 'unknown', format: 'qr' });
    expect(parseDigitalLink('https://x.example/01/09506000134352/10', 2026)?.problems.map((p) => p.code)).toContain('bad_digital_link');
  });

  it('writes elements back in both forms', () => {
    const els = [
      { ai: '01', value: '09506000134352', known: true },
      { ai: '10', value: 'AB', known: true },
      { ai: '21', value: '7', known: true },
    ];
    expect(toBracketed(els)).toBe('(01)09506000134352(10)AB(21)7');
    expect(toElementString(els)).toBe(`0109506000134352${'10AB' + GS}217`);
    expect(parseScan(`]C1${toElementString(els)}`, Y)).toMatchObject({ lot: 'AB', serial: '7' });
  });
});

describe('parseScan: retail codes and warehouse labels', () => {
  it('normalises EAN-13, UPC-A, EAN-8, UPC-E and ITF-14 to GTIN-14', () => {
    expect(parseScan(']E09506000134352', Y)).toMatchObject({ format: 'ean-13', kind: 'product', gtin: '09506000134352' });
    expect(parseScan('036000291452', { ...Y, format: 'upc-a' })).toMatchObject({ kind: 'product', gtin: '00036000291452' });
    expect(parseScan(']E496385074', Y)).toMatchObject({ format: 'ean-8', gtin: '00000096385074' });
    expect(parseScan('04252614', { ...Y, format: 'upc-e' })).toMatchObject({ kind: 'product', gtin: '00042100005264' });
    expect(codes(parseScan('04252615', { ...Y, format: 'upc-e' }))).toEqual(['bad_upc_e']);
    expect(parseScan('0042100005264', { ...Y, format: 'upc-e' })).toMatchObject({ kind: 'product', gtin: '00042100005264' });
    expect(parseScan(']I110950600013435', Y).kind).toBe('unknown');
    expect(parseScan(']I119506000134359', Y)).toMatchObject({ format: 'itf-14', kind: 'product', gtin: '19506000134359' });
    expect(parseScan('9506000134352', Y)).toMatchObject({ kind: 'product', gtin: '09506000134352' });
    expect(codes(parseScan('9506000134353', Y))).toEqual(['bad_check_digit']);
  });

  it('recognises pallets, bins, totes and badges by the default patterns', () => {
    expect(parseScan('106141412345678908', Y)).toMatchObject({ kind: 'sscc', sscc: '106141412345678908' });
    expect(codes(parseScan('106141412345678907', Y))).toEqual(['bad_check_digit']);
    expect(parseScan('A-01-01', Y)).toMatchObject({ kind: 'bin', location: 'A-01-01' });
    expect(parseScan('DOCK-1', Y)).toMatchObject({ kind: 'bin', location: 'DOCK-1' });
    expect(parseScan(']C0T-0001', Y)).toMatchObject({ kind: 'tote', tote: 'T-0001', format: 'code-128' });
    expect(parseScan('U:picker', Y)).toMatchObject({ kind: 'badge', user: 'picker' });
    expect(parseScan('a-01-01', Y).kind).toBe('unknown');
  });

  it('uses configured patterns and names a bad one', () => {
    const labels = compileLabelPatterns({ ...DEFAULT_LABEL_PATTERNS, bin: '^LOC\\d{4}$' });
    expect(parseScan('LOC0042', { ...Y, labels })).toMatchObject({ kind: 'bin' });
    expect(parseScan('A-01-01', { ...Y, labels }).kind).toBe('unknown');
    expect(() => compileLabelPatterns({ ...DEFAULT_LABEL_PATTERNS, tote: '([' })).toThrow(/tote/);
  });
});
