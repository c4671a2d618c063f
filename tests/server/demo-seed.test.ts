import { describe, expect, it } from 'vitest';
import { readCatalogCsv, readLocationsCsv, readReceiptsCsv, readUsersCsv } from '../../src/domain/masterdata/index.ts';
import { CATALOG, DEMO_USERS, LOCATIONS, RECEIPTS, demoFile } from '../../src/server/seed.ts';

/** The demo's CSV files are what the seed imports; the constants are what tests rely on: they must agree. */
describe('demo CSV files', () => {
  it('the catalog file is the CATALOG constant, every line valid', async () => {
    const f = readCatalogCsv(await demoFile('catalog.csv'));
    expect(f.errors).toEqual([]);
    expect(f.records.map(({ record: r }) => ({ sku: r.sku, gtin: r.gtin, name: r.name, ...(r.unitsPerCase ? { unitsPerCase: r.unitsPerCase } : {}) }))).toEqual(
      CATALOG,
    );
  });
  it('the bin map is the LOCATIONS constant, all at site main', async () => {
    const f = readLocationsCsv(await demoFile('locations.csv'));
    expect(f.errors).toEqual([]);
    expect(f.records.map(({ record: r }) => ({ id: r.id, kind: r.kind }))).toEqual(LOCATIONS);
    expect(f.records.every((r) => r.record.site === 'main' && r.record.active)).toBe(true);
  });
  it('the users file is DEMO_USERS with their PINs, an admin among them', async () => {
    const f = readUsersCsv(await demoFile('users.csv'));
    expect(f.errors).toEqual([]);
    expect(f.records.map(({ record: r }) => ({ id: r.id, name: r.name, pin: r.pin, roles: r.roles }))).toEqual(
      DEMO_USERS.map((u) => ({ ...u, roles: [...u.roles].sort() })),
    );
    expect(f.records.find((r) => r.record.id === 'admin')?.record.roles).toEqual(['admin']);
  });
  it('the ASN file is the RECEIPTS constant', async () => {
    const f = readReceiptsCsv(await demoFile('receipts.csv'));
    expect(f.errors).toEqual([]);
    expect(f.records.map((r) => r.record)).toEqual(
      RECEIPTS.map((r) => ({ id: r.id, supplier: r.supplier, dock: r.dock, ssccs: [...r.ssccs], lines: r.lines.map((l) => ({ ...l })) })),
    );
  });
});
