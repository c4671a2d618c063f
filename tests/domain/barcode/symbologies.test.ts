import { describe, expect, it } from 'vitest';
import { parseCarrierLabel } from '../../../src/domain/barcode/carrier.ts';
import { gs1CheckDigit } from '../../../src/domain/barcode/check-digit.ts';
import { code39CheckChar } from '../../../src/domain/barcode/code39.ts';
import { GS } from '../../../src/domain/barcode/gs1.ts';
import { parseScan } from '../../../src/domain/barcode/parse-scan.ts';
import { DEFAULT_SYMBOLOGIES, SYMBOLOGIES, symbologyOfAim } from '../../../src/domain/barcode/symbology.ts';

const Y = { referenceYear: 2026 };
const RS = '\u001e';
const EOT = '\u0004';
const codes = (r: { problems: { code: string }[] }) => r.problems.map((p) => p.code);
const UPS = `[)>${RS}01${GS}96100010000${GS}840${GS}001${GS}1Z4A86F70390123456${GS}UPSN${GS}4A86F7${GS}331${GS}${GS}1/1${GS}12.0${GS}Y${GS}${GS}NEW YORK${GS}NY${RS}${EOT}`;

describe('Code 39', () => {
  it('computes the mod-43 check character (ISO/IEC 16388 Annex A)', () => {
    // "CODE39": 12+24+13+14+3+9 = 75, 75 mod 43 = 32 -> W.
    expect(code39CheckChar('CODE39')).toBe('W');
    expect(code39CheckChar('A-12-03')).toBe('2');
    expect(code39CheckChar('a')).toBeNull();
  });

  it('reads a bin label without check character as the bin', () => {
    expect(parseScan(']A0A-01-07', Y)).toMatchObject({ format: 'code-39', kind: 'bin', location: 'A-01-07' });
  });

  it('verifies and strips a transmitted check character (]A1), and refuses a wrong one', () => {
    expect(parseScan(']A1A-12-032', Y)).toMatchObject({ kind: 'bin', location: 'A-12-03', text: 'A-12-03' });
    const bad = parseScan(']A1A-12-039', Y);
    expect(bad.kind).toBe('unknown');
    expect(codes(bad)).toEqual(['bad_check_digit']);
    expect(bad.problems[0]?.message).toMatch(/expected 2/);
    // ]A3: the scanner verified it and stripped it already.
    expect(parseScan(']A3A-12-03', Y)).toMatchObject({ kind: 'bin', location: 'A-12-03' });
  });

  it('with the site setting, every Code 39 must carry a valid check character', () => {
    const site = { ...Y, code39Check: true };
    expect(parseScan(']A0A-12-032', site)).toMatchObject({ kind: 'bin', location: 'A-12-03' });
    expect(parseScan(']A0A-12-03', site)).toMatchObject({ kind: 'unknown', problems: [{ code: 'bad_check_digit' }] });
    expect(parseScan('A-12-032', { ...site, format: 'code-39' })).toMatchObject({ kind: 'bin', location: 'A-12-03' });
    // Without the setting the last character is data: never silently dropped.
    expect(parseScan(']A0A-12-032', Y)).toMatchObject({ kind: 'unknown', text: 'A-12-032' });
  });

  it('keeps full ASCII text as read and never takes Code 39 digits for a GTIN', () => {
    expect(parseScan(']A4Bin a/7', Y)).toMatchObject({ format: 'code-39', kind: 'unknown', text: 'Bin a/7', problems: [{ code: 'unrecognised' }] });
    expect(parseScan(']A09506000134352', Y).kind).toBe('unknown');
  });
});

describe('Code 93 and Codabar', () => {
  it('reads Code 93 (]G0) as text, digits never a GTIN', () => {
    expect(parseScan(']G0PART-93X', Y)).toMatchObject({ format: 'code-93', kind: 'unknown', text: 'PART-93X' });
    expect(parseScan(']G09506000134352', Y).kind).toBe('unknown');
    expect(parseScan(']G0A-02-03', Y)).toMatchObject({ kind: 'bin', location: 'A-02-03' });
  });

  it('strips Codabar start/stop characters (]F0), which are framing, not data', () => {
    expect(parseScan(']F0A40156B', Y)).toMatchObject({ format: 'codabar', text: '40156' });
    expect(parseScan(']F040156', Y)).toMatchObject({ format: 'codabar', text: '40156' });
    expect(parseScan('A12345678B', { ...Y, format: 'codabar' })).toMatchObject({ text: '12345678', kind: 'unknown' });
  });
});

describe('GS1 DataBar element strings', () => {
  it('reads omnidirectional, stacked and limited DataBar (]e0) as a GTIN', () => {
    expect(parseScan(']e00109506000134352', Y)).toMatchObject({ format: 'gs1-databar', kind: 'product', gtin: '09506000134352', problems: [] });
    expect(parseScan(']e00101234567890128', Y)).toMatchObject({ kind: 'product', gtin: '01234567890128' });
    expect(parseScan(']e00109506000134353', Y)).toMatchObject({ kind: 'unknown', problems: [{ code: 'bad_check_digit' }] });
  });

  it('reads DataBar Expanded fresh food: GTIN, net weight (310x), price (392x) and expiry (17)', () => {
    const r = parseScan(`]e00199506000134355310300075039221299${GS}17261231`, Y);
    expect(r).toMatchObject({ kind: 'product', gtin: '99506000134355', netWeightKg: 0.75, price: 12.99, expiry: '2026-12-31', problems: [] });
    expect(r.elements?.map((e) => e.ai)).toEqual(['01', '3103', '3922', '17']);
  });

  it('reads a price with its ISO currency (393x) and refuses an impossible expiry', () => {
    expect(parseScan(`]e0019950600013435539329781299${GS}17261231`, Y)).toMatchObject({ price: 12.99, priceCurrency: '978', expiry: '2026-12-31' });
    const bad = parseScan(`]e00199506000134355310300075017261332`, Y);
    expect(bad).toMatchObject({ kind: 'product', netWeightKg: 0.75 });
    expect(bad).not.toHaveProperty('expiry');
    expect(codes(bad)).toContain('bad_date');
  });

  it('keeps the lot of DataBar Expanded Stacked after the fixed-length elements', () => {
    expect(parseScan(']e00199506000134355310300123417261231' + '10AB1', Y)).toMatchObject({ netWeightKg: 1.234, expiry: '2026-12-31', lot: 'AB1' });
  });
});

describe('carrier labels (PDF417, MaxiCode)', () => {
  it('reads a UPS-style transport message (format 01) into tracking, carrier and destination', () => {
    expect(parseCarrierLabel(UPS)).toMatchObject({
      envelope: '01',
      postalCode: '100010000',
      country: '840',
      serviceClass: '001',
      trackingNumber: '1Z4A86F70390123456',
      carrier: 'UPSN',
      packageOf: '1/1',
      weight: '12.0',
      city: 'NEW YORK',
      state: 'NY',
    });
    expect(parseCarrierLabel('1Z4A86F70390123456')).toBeNull();
  });

  it('PDF417 carrier label: a shipment, named as such, never a product, with RS and EOT allowed only there', () => {
    const r = parseScan(`]L2${UPS}`, Y);
    expect(r).toMatchObject({ format: 'pdf417', kind: 'unknown', shipment: { trackingNumber: '1Z4A86F70390123456' }, problems: [{ code: 'carrier_label' }] });
    expect(r.problems[0]?.message).toMatch(/tracking 1Z4A86F70390123456 \(UPSN\), to 100010000 840/);
    expect(parseScan(`]C0AB${RS}CD`, Y)).toMatchObject({ kind: 'unknown', problems: [{ code: 'control_chars' }] });
  });

  it('MaxiCode (]U1) carries the same message; a GS1 envelope (05) with an SSCC is the pallet', () => {
    expect(parseScan(`]U1${UPS}`, Y)).toMatchObject({ format: 'maxicode', shipment: { carrier: 'UPSN' } });
    const pallet = parseScan(`]L2[)>${RS}05${GS}00106141412345678908${RS}${EOT}`, Y);
    expect(pallet).toMatchObject({ kind: 'sscc', sscc: '106141412345678908', shipment: { envelope: '05' } });
    const plate = parseScan(`]L0[)>${RS}06${GS}1JUN123456789${GS}2L10001${RS}${EOT}`, Y);
    expect(plate).toMatchObject({ kind: 'unknown', shipment: { licensePlate: 'UN123456789', postalCode: '10001' } });
  });
});

describe('EAN/UPC add-ons', () => {
  it('keeps a 5- or 2-digit add-on with its product code (]E3)', () => {
    expect(parseScan(']E3978123456789712345', Y)).toMatchObject({ format: 'ean-13', kind: 'product', gtin: '09781234567897', addOn: '12345' });
    expect(parseScan(']E3003600029145212', Y)).toMatchObject({ format: 'upc-a', kind: 'product', gtin: '00036000291452', addOn: '12' });
  });

  it('never takes an add-on sent alone for an item, nor a bad product code for one', () => {
    expect(parseScan(']E212345', Y)).toMatchObject({ kind: 'unknown', problems: [{ code: 'add_on_alone' }] });
    expect(parseScan(']E112', Y)).toMatchObject({ kind: 'unknown', problems: [{ code: 'add_on_alone' }] });
    const body = '978123456789';
    const wrong = `${body}${(gs1CheckDigit(body) + 1) % 10}`;
    expect(parseScan(`]E3${wrong}12345`, Y)).toMatchObject({ kind: 'unknown', problems: [{ code: 'bad_check_digit' }] });
    expect(parseScan(']E397812345678971234', Y)).toMatchObject({ kind: 'unknown', problems: [{ code: 'bad_length' }] });
  });
});

describe("the site's symbologies", () => {
  it('names a symbology for every AIM identifier the parser reads', () => {
    expect([']A0', ']G0', ']F0', ']e0', ']L2', ']U1', ']E3', ']E0', ']C1', ']d2', ']Q3', ']I1'].map(symbologyOfAim)).toEqual([
      'code-39',
      'code-93',
      'codabar',
      'databar',
      'pdf417',
      'maxicode',
      'ean-addon',
      'ean-upc',
      'code-128',
      'datamatrix',
      'qr',
      'itf',
    ]);
    expect(DEFAULT_SYMBOLOGIES.every((d) => SYMBOLOGIES.some((s) => s.id === d))).toBe(true);
  });

  it('refuses a symbology the site did not enable and accepts the rest', () => {
    const enabled = new Set(DEFAULT_SYMBOLOGIES);
    expect(parseScan(']G0PART-93X', { ...Y, enabled })).toMatchObject({ kind: 'unknown', problems: [{ code: 'symbology_disabled' }] });
    expect(parseScan(`]L2${UPS}`, { ...Y, enabled }).problems[0]?.code).toBe('symbology_disabled');
    expect(parseScan(']A0A-01-07', { ...Y, enabled })).toMatchObject({ kind: 'bin' });
    // An add-on rides on EAN/UPC, and DataBar's one identifier serves both DataBar settings.
    expect(parseScan(']E3978123456789712345', { ...Y, enabled })).toMatchObject({ kind: 'product', addOn: '12345' });
    expect(parseScan(']e00109506000134352', { ...Y, enabled: new Set(['databar-expanded'] as const) }).kind).toBe('product');
    expect(parseScan(']e00109506000134352', { ...Y, enabled: new Set(['databar-stacked'] as const) }).kind).toBe('product');
    expect(parseScan(']e00109506000134352', { ...Y, enabled: new Set(['ean-upc'] as const) }).problems[0]?.code).toBe('symbology_disabled');
    expect(parseScan('PART', { ...Y, enabled, format: 'codabar' }).problems[0]?.code).toBe('symbology_disabled');
  });
});
