import bwipjs from 'bwip-js/node';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLOGIES, SYMBOLOGIES } from '../../src/domain/barcode/symbology.ts';
import type { Decoder } from '../../src/scan/camera/types.ts';
import { PHOTO_TUNING } from '../../src/scan/camera/zxing-wasm-engine.ts';
import { createNodeDecoder } from '../../src/scan/node/node-decoders.ts';
import { readFrame, scanIdentity } from '../../src/scan/read-frame.ts';
import { MORE_SYMBOLS, REFERENCE_YEAR, VARIANTS, expectedIdentity, photograph, renderSymbol, type SymbolSpec } from '../fixtures/barcode-corpus.ts';

const ALL = SYMBOLOGIES.map((s) => s.id);
const clean = VARIANTS.find((v) => v.name === 'clean')!;
const Y = { referenceYear: REFERENCE_YEAR };

/** A clean camera frame of the label (carrier symbols framed as large as linear ones). */
async function frameOf(spec: SymbolSpec, seed = 3) {
  return photograph(await renderSymbol(spec), spec.linear || spec.symbology === 'pdf417' || spec.symbology === 'maxicode', clean, seed);
}

/** A Code 39 label rendered with or without its check character, photographed like the corpus. */
async function code39Frame(text: string, includecheck: boolean) {
  const png = PNG.sync.read(
    await bwipjs.toBuffer({ bcid: 'code39', text, scale: 1, paddingwidth: 10, paddingheight: 6, height: 12, includecheck, backgroundcolor: 'FFFFFF' }),
  );
  const data = new Uint8Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = png.data[i * 4] as number;
  return photograph({ data, width: png.width, height: png.height }, true, clean, 9);
}

describe('decoding every symbology a warehouse meets (zxing-wasm, camera tuning)', () => {
  let all: Decoder;
  let common: Decoder;
  let checked: Decoder;
  let photo: Decoder;
  beforeAll(async () => {
    photo = await createNodeDecoder('zxing-wasm', PHOTO_TUNING, { symbologies: ALL, code39Check: false });
    // One preparation per decode, so each call reads the plain frame.
    const tuning = { tryHarder: false, tryRotate: true, minLineCount: 2, downscaleFactor: 2 };
    all = await createNodeDecoder('zxing-wasm', tuning, { symbologies: ALL, code39Check: false });
    common = await createNodeDecoder('zxing-wasm', tuning, { symbologies: DEFAULT_SYMBOLOGIES, code39Check: false });
    checked = await createNodeDecoder('zxing-wasm', tuning, { symbologies: DEFAULT_SYMBOLOGIES, code39Check: true });
  });
  afterAll(() => {
    all.close();
    common.close();
    checked.close();
    photo.close();
  });

  // ZXing-C++ finds stacked DataBar only when it tries harder than a camera frame allows:
  // those are proven with the photo tuning (`npm run decode`).
  const harder = new Set(['databar-stacked', 'databar-expanded-stacked']);
  for (const spec of MORE_SYMBOLS.filter((s) => s.symbology !== 'maxicode' && s.name !== 'upc-a-addon2')) {
    it(`reads ${spec.name} ${harder.has(spec.name) ? 'in a photo' : 'in a camera frame'} to the meaning on the label`, async () => {
      const { reads } = await readFrame(harder.has(spec.name) ? photo : all, await frameOf(spec), Y);
      // Never a second item: one meaning per label (an add-on never comes apart from its code).
      expect(new Set(reads.map((r) => scanIdentity(r.parsed))), spec.name).toEqual(new Set([expectedIdentity(spec)]));
    });
  }

  it('MaxiCode: read from an image of the symbol alone, and in a photographed frame once cut out by its bullseye', async () => {
    const spec = MORE_SYMBOLS.find((s) => s.name === 'maxicode')!;
    const label = await renderSymbol(spec);
    const pure = await createNodeDecoder('zxing-wasm', { isPure: true, tryHarder: true }, { symbologies: ['maxicode'], code39Check: false });
    const rgba = new Uint8ClampedArray(label.width * label.height * 4);
    for (let i = 0; i < label.data.length; i++) rgba.fill(label.data[i] as number, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4);
    const { reads } = await readFrame(pure, { data: rgba, width: label.width, height: label.height }, Y);
    pure.close();
    expect(reads.map((r) => r.parsed)).toMatchObject([
      { format: 'maxicode', kind: 'unknown', shipment: { trackingNumber: '1Z12345675', carrier: 'UPSN', postalCode: '123450000', country: '840' } },
    ]);
    // In a photographed frame the camera path finds the bullseye and cuts the symbol out (maxicode.ts).
    expect((await readFrame(all, await frameOf(spec), Y)).reads.map((r) => r.parsed)).toMatchObject([
      { format: 'maxicode', kind: 'unknown', shipment: { trackingNumber: '1Z12345675', carrier: 'UPSN' } },
    ]);
  });

  it('UPC-A with a 2-digit add-on: one product, the add-on kept when read and never a second item', async () => {
    const spec = MORE_SYMBOLS.find((s) => s.name === 'upc-a-addon2')!;
    for (const decoder of [all, photo]) {
      const { reads } = await readFrame(decoder, await frameOf(spec), Y);
      expect(reads.map((r) => r.parsed)).toMatchObject([{ kind: 'product', gtin: '00036000291452' }]);
      expect([undefined, '12']).toContain(reads[0]?.parsed.kind === 'product' ? reads[0].parsed.addOn : 'none');
    }
  });

  it('DataBar Expanded: GTIN, net weight, price and expiry from the symbol', async () => {
    const spec = MORE_SYMBOLS.find((s) => s.name === 'databar-expanded')!;
    const { reads } = await readFrame(all, await frameOf(spec), Y);
    expect(reads[0]?.parsed).toMatchObject({
      format: 'gs1-databar',
      kind: 'product',
      gtin: '99506000134355',
      netWeightKg: 0.75,
      price: 12.99,
      expiry: '2026-12-31',
    });
  });

  it('PDF417 carrier label: tracking number, carrier and destination, never a product', async () => {
    const spec = MORE_SYMBOLS.find((s) => s.name === 'pdf417-carrier')!;
    const { reads } = await readFrame(all, await frameOf(spec), Y);
    expect(reads[0]?.parsed).toMatchObject({
      format: 'pdf417',
      kind: 'unknown',
      shipment: { envelope: '01', trackingNumber: '1Z4A86F70390123456', carrier: 'UPSN', postalCode: '100010000' },
    });
  });

  it('EAN-13 with a 5-digit add-on: one product with its add-on', async () => {
    const spec = MORE_SYMBOLS.find((s) => s.name === 'ean-13-addon5')!;
    const { reads } = await readFrame(all, await frameOf(spec), Y);
    expect(reads.map((r) => r.parsed)).toMatchObject([{ kind: 'product', gtin: '09781234567897', addOn: '12345' }]);
  });

  it('Code 39 with check character: verified and stripped where the site says its labels carry one', async () => {
    const withCheck = await code39Frame('A-12-03', true);
    const site = { ...Y, code39Check: true };
    expect((await readFrame(checked, withCheck, site)).reads.map((r) => r.parsed)).toMatchObject([{ kind: 'bin', location: 'A-12-03' }]);
    // Without the setting the check character is data: the label is not silently shortened.
    expect((await readFrame(common, withCheck, Y)).reads.map((r) => r.parsed)).toMatchObject([{ kind: 'unknown', text: 'A-12-032' }]);
    // A label without one, where the site expects it: refused, not read.
    const plain = await code39Frame('A-12-03', false);
    expect((await readFrame(checked, plain, site)).reads.map((r) => r.parsed)).toMatchObject([{ kind: 'unknown', problems: [{ code: 'bad_check_digit' }] }]);
    expect((await readFrame(common, plain, Y)).reads.map((r) => r.parsed)).toMatchObject([{ kind: 'bin', location: 'A-12-03' }]);
  });

  it('does not look for symbologies the site has not enabled', async () => {
    for (const name of ['code-93', 'codabar', 'pdf417-carrier', 'maxicode']) {
      const spec = MORE_SYMBOLS.find((s) => s.name === name)!;
      expect(await common.decode(await frameOf(spec)), name).toEqual([]);
    }
    // EAN add-ons off: the product code alone, still one item.
    const addon = MORE_SYMBOLS.find((s) => s.name === 'ean-13-addon5')!;
    expect((await readFrame(common, await frameOf(addon), Y)).reads.map((r) => r.parsed)).toMatchObject([{ kind: 'product', gtin: '09781234567897' }]);
  });
});
