import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '../../../src/domain/protocol.ts';
import { lookupGtin } from '../../../src/domain/workflows/common.ts';

// Valid GS1 check digits throughout: the unit 4006381330077, a case of 6 listed in the master data
// with a GTIN of its own (not derived from the unit's), and the derived case 1 4006381 33007 x.
const BOTTLE: CatalogItem = { sku: 'SKU-B', gtin: '04006381330077', name: 'Bottle', unitsPerCase: 12, cases: [{ gtin: '04006381333931', units: 6 }] };
const MUG: CatalogItem = { sku: 'SKU-M', gtin: '04006381330282', name: 'Mug' };

describe('lookupGtin with the case GTINs of the master data', () => {
  const catalog = [BOTTLE, MUG];

  it('a listed case GTIN is the SKU and that case quantity, as GTIN-13 or GTIN-14', () => {
    expect(lookupGtin(catalog, '4006381333931')).toEqual({ sku: 'SKU-B', name: 'Bottle', units: 6, isCase: true });
    expect(lookupGtin(catalog, '04006381333931')).toEqual({ sku: 'SKU-B', name: 'Bottle', units: 6, isCase: true });
  });

  it('the unit GTIN stays one unit, and the derived case (indicator digit) keeps unitsPerCase', () => {
    expect(lookupGtin(catalog, '4006381330077')).toMatchObject({ sku: 'SKU-B', units: 1, isCase: false });
    expect(lookupGtin(catalog, '14006381330074')).toMatchObject({ sku: 'SKU-B', units: 12, isCase: true });
  });

  it('a unit GTIN of another SKU wins over a case listing the same digits, and a "case" of one unit is no case', () => {
    const clash: CatalogItem = {
      sku: 'SKU-X',
      gtin: '04006381330145',
      name: 'X',
      cases: [
        { gtin: '04006381330282', units: 10 },
        { gtin: '04006381330213', units: 1 },
      ],
    };
    const c = [MUG, clash];
    expect(lookupGtin(c, '4006381330282')).toMatchObject({ sku: 'SKU-M', units: 1 });
    expect(lookupGtin(c, '4006381330213')).toBeUndefined();
  });

  it('an unknown GTIN is unknown, and items without cases are looked up as before', () => {
    expect(lookupGtin(catalog, '4006381330350')).toBeUndefined();
    expect(lookupGtin([MUG], '4006381330282')).toMatchObject({ sku: 'SKU-M', units: 1, isCase: false });
  });
});
