import { describe, expect, it } from 'vitest';
import {
  formatLineError,
  readLocationsCsv,
  readReceiptsCsv,
  readSitesCsv,
  readUsersCsv,
  toCsv,
  receiptRows,
  RECEIPT_EXPORT_FIELDS,
} from '../../../src/domain/masterdata/index.ts';

const errors = (f: { errors: { line: number; message: string }[] }) => f.errors.map(formatLineError);

describe('sites and locations', () => {
  it('reads a bin map: kind defaults to bin, site to main, active to yes', () => {
    const f = readLocationsCsv('Bin Code;Type;Site;Active\nA-01-01;;;\nDOCK-2;dock;north;no\nQC-1;QC;;yes\n');
    expect(errors(f)).toEqual([]);
    expect(f.records.map((r) => r.record)).toEqual([
      { id: 'A-01-01', kind: 'bin', site: 'main', active: true },
      { id: 'DOCK-2', kind: 'dock', site: 'north', active: false },
      { id: 'QC-1', kind: 'qc', site: 'main', active: true },
    ]);
  });
  it.each([
    ['an unknown kind', 'X-1,shelf', 'line 2: kind must be one of bin, dock, qc, returns, got "shelf"'],
    ['a location id with markup', '<b>X</b>,bin', 'line 2: location "<b>X</b>" may hold only letters, digits and . _ : / - (and start with a letter or digit)'],
    ['an empty id', ',bin', 'line 2: location is empty'],
  ])('refuses %s', (_w, line, message) => {
    expect(errors(readLocationsCsv(`id,kind\n${line}\n`))).toEqual([message]);
  });
  it('refuses a location twice, also in another case', () => {
    expect(errors(readLocationsCsv('id\nA-1\na-1\n'))).toEqual(['line 3: location a-1 is already on line 2']);
  });
  it('reads sites', () => {
    const f = readSitesCsv('site,name\nnorth,North hall\n');
    expect(f.records[0]?.record).toEqual({ id: 'north', name: 'North hall', active: true });
    expect(errors(readSitesCsv('site,name\nnorth,\n'))).toEqual(['line 2: site name is empty']);
  });
});

describe('users', () => {
  it('reads roles as a list, a PIN, a badge (upper case), locked', () => {
    const f = readUsersCsv('id,name,roles,pin,badge,locked\npia,Pia,"picker|counter",1111,b-0001,no\nada,Ada,admin,,,yes\n');
    expect(errors(f)).toEqual([]);
    expect(f.records.map((r) => r.record)).toEqual([
      { id: 'pia', name: 'Pia', roles: ['counter', 'picker'], pin: '1111', badge: 'B-0001', locked: false },
      { id: 'ada', name: 'Ada', roles: ['admin'], pin: null, badge: null, locked: true },
    ]);
  });
  it.each([
    ['an unknown role', 'x,X,picker|root,1111', 'line 2: role "root" is not one of picker, receiver, returns, counter, supervisor, admin'],
    ['no role', 'x,X,,1111', 'line 2: roles is empty: give at least one of picker, receiver, returns, counter, supervisor, admin'],
    ['a PIN of letters', 'x,X,picker,abcd', 'line 2: PIN must be 4 to 8 digits'],
    ['a PIN too short', 'x,X,picker,123', 'line 2: PIN must be 4 to 8 digits'],
    ['a badge with spaces', 'x,X,picker,1234,a b c d', 'line 2: badge code must be 4 to 32 letters, digits or dashes, got "a b c d"'],
  ])('refuses %s', (_w, line, message) => {
    expect(errors(readUsersCsv(`id,name,roles,pin,badge\n${line}\n`))).toEqual([message]);
  });
  it('refuses one badge on two users', () => {
    const f = readUsersCsv('id,name,roles,badge\na,A,picker,B-1111\nb,B,picker,b-1111\n');
    expect(errors(f)).toEqual(['line 3: badge B-1111 (of b) is already on line 2']);
    expect(f.records.map((r) => r.record.id)).toEqual(['a']);
  });
});

describe('expected receipts (ASN)', () => {
  const head = 'receipt,supplier,dock,line,sku,gtin,qty,sscc';
  it('groups lines by receipt and gathers pallets', () => {
    const f = readReceiptsCsv(
      `${head}\nR-1,Northwind,DOCK-1,1,SKU-1004,4006381330282,24,034012345000000019\nR-1,Northwind,DOCK-1,2,SKU-1008,,10,034012345000000026\nR-2,Acme,DOCK-1,,,4006381330145,5,\n`,
    );
    expect(errors(f)).toEqual([]);
    expect(f.records.map((r) => r.record)).toEqual([
      {
        id: 'R-1',
        supplier: 'Northwind',
        dock: 'DOCK-1',
        ssccs: ['034012345000000019', '034012345000000026'],
        lines: [
          { lineId: '1', sku: 'SKU-1004', gtin: '04006381330282', expectedQty: 24 },
          { lineId: '2', sku: 'SKU-1008', expectedQty: 10 },
        ],
      },
      { id: 'R-2', supplier: 'Acme', dock: 'DOCK-1', ssccs: [], lines: [{ lineId: '1', gtin: '04006381330145', expectedQty: 5 }] },
    ]);
    const back = readReceiptsCsv(
      toCsv(
        RECEIPT_EXPORT_FIELDS,
        f.records.flatMap((r) => receiptRows(r.record)),
      ),
    );
    expect(back.records.map((r) => r.record)).toEqual(f.records.map((r) => r.record));
  });
  it('reports a bad line on its own file line and drops the whole receipt', () => {
    const f = readReceiptsCsv(
      `${head}\nR-1,N,DOCK-1,1,SKU-1,,24,\nR-1,N,DOCK-1,2,SKU-2,,0,\nR-1,Other,DOCK-1,3,SKU-3,,1,\nR-1,N,DOCK-1,4,SKU-4,,1,034012345000000018\nR-1,N,DOCK-1,1,SKU-5,,1,\nR-2,N,DOCK-1,1,,,3,\n`,
    );
    expect(errors(f)).toEqual([
      'line 3: expected quantity must be a whole number from 1 to 100000, got "0"',
      'line 4: receipt R-1 has supplier "N" and dock "DOCK-1" on line 2; this line says otherwise',
      'line 5: SSCC 034012345000000018 has a wrong check digit',
      'line 7: a line needs a SKU or a GTIN',
    ]);
    expect(f.records).toEqual([]);
  });
  it('refuses a line id twice in one receipt', () => {
    expect(errors(readReceiptsCsv(`${head}\nR-1,N,DOCK-1,1,SKU-1,,2,\nR-1,N,DOCK-1,1,SKU-2,,2,\n`))).toEqual(['line 2: receipt R-1 has line 1 twice']);
  });
});
