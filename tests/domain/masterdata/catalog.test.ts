import { describe, expect, it } from 'vitest';
import {
  formatLineError,
  readCatalogCsv,
  checkCatalog,
  toCsv,
  catalogCells,
  CATALOG_EXPORT_FIELDS,
  neutraliseCell,
  parseCsv,
  CATALOG_COLUMNS,
  CSV_LIMITS,
} from '../../../src/domain/masterdata/index.ts';

const header = 'sku,name,gtin,case_gtin,units_per_case,lot_tracked,expiry_tracked,reorder_point,velocity_class';

describe('catalog CSV', () => {
  it('reads a good file: GTIN-13 padded to 14, cases, flags, numbers', () => {
    const f = readCatalogCsv(`${header}\nSKU-1,Bottle,4006381333931,14006381333938,12,yes,no,20,A\nSKU-2,Socks,04006381330145,,,,,,\n`);
    expect(f.errors).toEqual([]);
    expect(f.records.map((r) => r.record)).toEqual([
      {
        sku: 'SKU-1',
        name: 'Bottle',
        gtin: '04006381333931',
        cases: [{ gtin: '14006381333938', units: 12 }],
        unitsPerCase: 12,
        lotTracked: true,
        expiryTracked: false,
        reorderPoint: 20,
        velocityClass: 'A',
        status: 'active',
      },
      {
        sku: 'SKU-2',
        name: 'Socks',
        gtin: '04006381330145',
        cases: [],
        unitsPerCase: null,
        lotTracked: false,
        expiryTracked: false,
        reorderPoint: null,
        velocityClass: null,
        status: 'active',
      },
    ]);
  });

  it('finds columns by header name in any order and case, with a BOM, semicolons and unknown columns', () => {
    const f = readCatalogCsv('\uFEFFDescription;EAN;Colour;Item Number\n"Mug; enamel";4006381330282;blue;SKU-9\n');
    expect(f.errors).toEqual([]);
    expect(f.unknownColumns).toEqual(['Colour']);
    expect(f.records[0]?.record).toMatchObject({ sku: 'SKU-9', name: 'Mug; enamel', gtin: '04006381330282' });
  });

  it.each([
    ['a wrong check digit', 'SKU-1,A,4006381339990', 'line 2: GTIN 4006381339990 has a wrong check digit (expected 5)'],
    ['letters in a GTIN', 'SKU-1,A,40063813X0282', 'line 2: GTIN must be digits, got "40063813X0282"'],
    ['a GTIN of 11 digits', 'SKU-1,A,40063813302', 'line 2: GTIN must have 8, 12, 13 or 14 digits, got 11'],
    ['an empty name', 'SKU-1,,4006381330282', 'line 2: name is empty'],
    ['a SKU with a space', 'SKU 1,A,4006381330282', 'line 2: SKU "SKU 1" may hold only letters, digits and . _ : / - (and start with a letter or digit)'],
    ['text for a reorder point', 'SKU-1,A,4006381330282,,,,,lots', 'line 2: reorder point must be a whole number from 0 to 100000, got "lots"'],
    ['a negative reorder point', 'SKU-1,A,4006381330282,,,,,-1', 'line 2: reorder point must be a whole number from 0 to 100000, got "-1"'],
    ['a velocity class D', 'SKU-1,A,4006381330282,,,,,,D', 'line 2: velocity class must be one of A, B, C, got "D"'],
    ['a flag of maybe', 'SKU-1,A,4006381330282,,,maybe', 'line 2: lot tracked must be yes or no, got "maybe"'],
    ['a case GTIN without units', 'SKU-1,A,4006381330282,14006381333938', 'line 2: units per case is empty'],
    ['a case GTIN equal to the unit GTIN', 'SKU-1,A,4006381330282,04006381330282,6', 'line 2: GTIN 04006381330282 is given twice for SKU-1'],
  ])('refuses %s with a line error', (_what, line, message) => {
    const f = readCatalogCsv(`${header}\n${line}\n`);
    expect(f.records).toEqual([]);
    expect(f.errors.map(formatLineError)).toContain(message);
  });

  it('refuses a SKU twice and a GTIN on two SKUs, naming the first line', () => {
    const f = readCatalogCsv(
      `${header}\nSKU-1,A,4006381330282\nSKU-2,B,4006381330145\nSKU-1,C,4006381330213\nSKU-3,D,4006381330145\nSKU-4,E,4006381330350,04006381330282,6\n`,
    );
    expect(f.records.map((r) => r.record.sku)).toEqual(['SKU-1', 'SKU-2']);
    expect(f.errors.map(formatLineError)).toEqual([
      'line 4: SKU SKU-1 is already on line 2',
      'line 5: GTIN 04006381330145 already belongs to SKU-2 on line 3; a GTIN names one SKU only',
      'line 6: GTIN 04006381330282 already belongs to SKU-1 on line 2; a GTIN names one SKU only',
    ]);
  });

  it('counts lines of the file, quoted line breaks included', () => {
    const f = readCatalogCsv(`sku,name,gtin\nSKU-1,"two\nlines",4006381330282\nSKU-2,B,4006381339990\n`);
    expect(f.errors.map(formatLineError)).toEqual(['line 4: GTIN 4006381339990 has a wrong check digit (expected 5)']);
  });

  it('refuses a file without a required column, an empty file and a line longer than its header', () => {
    expect(readCatalogCsv('sku,name\nSKU-1,A\n').errors.map(formatLineError)).toEqual(['line 1: the header has no "gtin" column']);
    expect(readCatalogCsv('').errors.map(formatLineError)).toEqual(['line 1: the file is empty: it needs a header line and data lines']);
    expect(readCatalogCsv('sku,name,gtin\nSKU-1,A,4006381330282,extra\n').errors.map(formatLineError)).toEqual([
      'line 2: has 4 cells but the header has 3 columns',
    ]);
  });

  it('hostile cells: a NUL, a control character, a huge cell, a formula (kept as text, neutralised on export)', () => {
    const f = readCatalogCsv(
      `sku,name,gtin\nSKU-1,a\u0000b,4006381330282\nSKU-2,a\u0007b,4006381330145\nSKU-3,${'x'.repeat(5000)},4006381330213\nSKU-4,"=HYPERLINK(""http://evil"",""click"")",4006381330350\n`,
    );
    expect(f.errors.map(formatLineError)).toEqual([
      'line 2: name holds a NUL character',
      'line 3: name holds a control character',
      'line 4: name is longer than 2000 characters',
    ]);
    const hyper = f.records[0]?.record;
    expect(hyper?.name).toBe('=HYPERLINK("http://evil","click")');
    const csv = toCsv(CATALOG_EXPORT_FIELDS, [catalogCells(hyper!)]);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""click"")"`);
    expect(csv).not.toMatch(/(^|,)"?=/m);
    for (const lead of ['=', '+', '-', '@', '\t', '\r']) expect(neutraliseCell(`${lead}cmd`)).toBe(`'${lead}cmd`);
    expect(neutraliseCell('plain')).toBe('plain');
  });

  it('reads its own export back to the same records', () => {
    const f = readCatalogCsv(`${header}\nSKU-1,"Bottle, ""steel""",4006381333931,14006381333938,12,yes,no,20,A\nSKU-2,-Socks,04006381330145,,,,,,\n`);
    const out = toCsv(
      CATALOG_EXPORT_FIELDS,
      f.records.map((r) => catalogCells(r.record)),
    );
    const back = readCatalogCsv(out);
    // The neutralised name comes back with its apostrophe: the one change an export makes.
    expect(back.records.map((r) => r.record)).toEqual(
      f.records.map((r) => ({ ...r.record, name: r.record.name.startsWith('-') ? `'${r.record.name}` : r.record.name })),
    );
  });

  it('checks JSON items with the same rules (numbers, booleans, lists)', () => {
    const c = checkCatalog([
      { line: 1, value: { sku: 'SKU-1', name: 'A', gtin: '4006381330282', cases: [{ gtin: '14006381333938', units: 6 }], lotTracked: true, reorderPoint: 5 } },
      { line: 2, value: { sku: 'SKU-2', name: 'B', gtin: 4006381330145 } },
      { line: 3, value: 'not an object' },
    ]);
    expect(c.records.map((r) => r.record.sku)).toEqual(['SKU-1']);
    expect(c.errors.map(formatLineError)).toEqual([
      'line 2: GTIN must be text (digits in quotes keep their leading zeros), got "4006381330145"',
      expect.stringMatching(/^line 3: /),
    ]);
  });

  it('refuses more lines than the limit instead of truncating', () => {
    const body = Array.from({ length: 12 }, (_, i) => `S${i},n,4006381330282`).join('\n');
    const t = parseCsv(`sku,name,gtin\n${body}`, CATALOG_COLUMNS, { ...CSV_LIMITS, maxRows: 10 });
    expect(t.rows).toHaveLength(10);
    expect(t.errors.map(formatLineError)).toEqual(['line 12: the file has more than 10 lines; split it']);
  });
});
