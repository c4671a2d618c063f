import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYMBOLOGIES, SYMBOLOGIES, type Symbology } from '../../src/domain/barcode/symbology.ts';
import { findBullseyes, maxiCodeImage } from '../../src/scan/camera/maxicode.ts';
import { greyFrame } from '../../src/scan/camera/prep.ts';
import { addOnStrip } from '../../src/scan/camera/second-pass.ts';
import type { Decoder, Frame } from '../../src/scan/camera/types.ts';
import { CAMERA_TUNING, PHOTO_TUNING } from '../../src/scan/camera/zxing-wasm-engine.ts';
import { createNodeDecoder } from '../../src/scan/node/node-decoders.ts';
import { ScanPipeline } from '../../src/scan/pipeline.ts';
import { scanIdentity } from '../../src/scan/read-frame.ts';
import { ALL_SYMBOLS, REFERENCE_YEAR, expectedIdentity, photograph, renderSymbol } from '../fixtures/barcode-corpus.ts';
import { throughCamera } from '../fixtures/camera-pass.ts';
import { ScriptedClock } from '../fixtures/clock.ts';
import { CONDITIONS, TEXTURES, hardCorpus, textureFrame, type HardSample } from '../fixtures/barcode-photo.ts';

const ALL: Symbology[] = SYMBOLOGIES.map((s) => s.id);
const spec = (name: string) => ALL_SYMBOLS.find((s) => s.name === name)!;

/** The three frames of one label under one condition of the harder corpus. */
async function sample(name: string, condition: string): Promise<HardSample> {
  for await (const s of hardCorpus({ symbols: [spec(name)], conditions: CONDITIONS, takes: 3 })) if (s.condition.name === condition) return s;
  throw new Error(`no ${name}/${condition}`);
}

describe('second looks on the camera path (zxing-wasm, camera tuning)', () => {
  let all: Decoder;
  let common: Decoder;
  let noStacked: Decoder;
  let stacked: Decoder;
  const withStacked: Symbology[] = [...DEFAULT_SYMBOLOGIES, 'databar-stacked'];
  const clock = new ScriptedClock();
  const through = (decoder: Decoder, frames: readonly Frame[], enabled: readonly Symbology[]) =>
    throughCamera(decoder, new ScanPipeline({ clock, year: () => REFERENCE_YEAR, enabled: new Set(enabled) }), clock, frames);
  beforeAll(async () => {
    all = await createNodeDecoder('zxing-wasm', CAMERA_TUNING, { symbologies: ALL, code39Check: false });
    common = await createNodeDecoder('zxing-wasm', CAMERA_TUNING, { symbologies: DEFAULT_SYMBOLOGIES, code39Check: false });
    noStacked = await createNodeDecoder('zxing-wasm', { ...CAMERA_TUNING, stackedPass: false }, { symbologies: withStacked, code39Check: false });
    stacked = await createNodeDecoder('zxing-wasm', CAMERA_TUNING, { symbologies: withStacked, code39Check: false });
  });
  afterAll(() => {
    all.close();
    common.close();
    noStacked.close();
    stacked.close();
  });

  it('reads an add-on printed 12 modules after its UPC-A, and the camera takes the product with it', async () => {
    const s = await sample('upc-a-addon2', 'clean');
    for (const f of s.frames) expect((await all.decode(f)).map((d) => `${d.symbologyIdentifier}${d.text}`)).toEqual([']E3003600029145212']);
    const scans = await through(all, s.frames, ALL);
    expect(scans.map((e) => scanIdentity(e.result))).toEqual([s.expected]);
    expect(scans[0]?.result).toMatchObject({ kind: 'product', gtin: '00036000291452', addOn: '12' });
  });

  it('with add-ons off, the same label is the product alone: the second look costs nothing there', async () => {
    const s = await sample('upc-a-addon2', 'clean');
    expect((await common.decode(s.frames[0]!)).map((d) => `${d.symbologyIdentifier}${d.text}`)).toEqual([']E00036000291452']);
  });

  it('builds no add-on strip where nothing follows the code', async () => {
    const s = await sample('upc-a', 'clean');
    // The engine's place for the code, as it reported it (the wasm module is ready: the decoders loaded it).
    const { readBarcodes } = await import('zxing-wasm/reader');
    const [r] = await readBarcodes(s.frames[0] as ImageData, { formats: ['UPCA'], tryHarder: false });
    expect(addOnStrip(s.frames[0]!, r!.position, 95)).toBeUndefined();
    const withAddOn = await sample('upc-a-addon2', 'clean');
    const [a] = await readBarcodes(withAddOn.frames[0] as ImageData, { formats: ['UPCA'], tryHarder: false, eanAddOnSymbol: 'Ignore' });
    const strip = addOnStrip(withAddOn.frames[0]!, a!.position, 95);
    expect(strip?.height).toBe(12);
    // Closed to 8 modules at 3 px a module: the strip is shorter than the 12 + 95 + 72 modules sampled.
    expect(strip!.width).toBeLessThan((12 + 95 + 72) * 3);
  });

  it('reads stacked DataBar in the middle of the frame, through the evidence rule, when the site enables it', async () => {
    const s = await sample('databar-stacked', 'clean');
    expect(await noStacked.decode(s.frames[0]!)).toEqual([]);
    // Off in the common set: the frame budget is for that set, and this look costs time on every frame.
    expect(await common.decode(s.frames[0]!)).toEqual([]);
    for (const f of s.frames) expect((await stacked.decode(f)).map((d) => `${d.symbologyIdentifier}${d.text}`)).toEqual([']e00109506000134352']);
    const scans = await through(stacked, s.frames, withStacked);
    expect(scans.map((e) => scanIdentity(e.result))).toEqual([expectedIdentity(spec('databar-stacked'))]);
  });

  it('reads stacked DataBar Expanded (weight and expiry) from every other row of the middle, placed where it is in the frame', async () => {
    const s = await sample('databar-expanded-stacked', 'clean');
    // Rows were skipped in the crop: the place is scaled back to where a whole-frame read finds the symbol.
    const photo = await createNodeDecoder('zxing-wasm', PHOTO_TUNING, { symbologies: withStacked, code39Check: false });
    let read = 0;
    for (const f of s.frames) {
      const [d] = await stacked.decode(f);
      if (!d) continue;
      read++;
      expect(`${d.symbologyIdentifier}${d.text}`).toBe(']e00199506000134355310300123417261231' + '10AB1');
      const [whole] = await photo.decode(f);
      // Rows found differ between the two reads; a place left in crop rows would be off by about 95 px.
      expect(Math.abs(d.at!.y - whole!.at!.y)).toBeLessThan(whole!.at!.size / 4);
      expect(Math.abs(d.at!.x - whole!.at!.x)).toBeLessThan(8);
    }
    photo.close();
    expect(read).toBeGreaterThanOrEqual(2);
  });

  it('reads Data Matrix and QR at half resolution, placed where they are, and small ones where the user aims at full', async () => {
    const { readBarcodes } = await import('zxing-wasm/reader');
    const photo = await createNodeDecoder('zxing-wasm', PHOTO_TUNING, { symbologies: DEFAULT_SYMBOLOGIES, code39Check: false });
    for (const name of ['datamatrix', 'qr']) {
      const label = await renderSymbol(spec(name));
      const base = Math.min(320 / label.width, 320 / label.height);
      // Four pixels a module, outside the middle (jitter -300 moves it 450 px left and turns it upside down): the half-resolution pass reads it.
      const big = photograph(label, false, { name: 'big', scale: 4 / base, angle: 0, blur: 0, noise: 6, contrast: 1 }, 3, -300);
      const [d] = await common.decode(big);
      const [whole] = await photo.decode(big);
      expect(d?.text, name).toBe(whole?.text);
      expect(d!.at!.x).toBeLessThan(300);
      // Placed in full-frame pixels: a place left in half-resolution pixels would be off by about 100 px.
      expect(Math.abs(d!.at!.x - whole!.at!.x)).toBeLessThan(6);
      expect(Math.abs(d!.at!.y - whole!.at!.y)).toBeLessThan(6);
      // A pixel and a half a module in the middle: too small at half resolution, read in the middle at full.
      const [angle, seed] = name === 'qr' ? [0, 2] : [14, 2];
      const small = photograph(label, false, { name: 'small', scale: 1.5 / base, angle, blur: 0, noise: 6, contrast: 1 }, seed);
      const format = name === 'qr' ? 'QRCode' : 'DataMatrix';
      expect(
        (await readBarcodes(greyFrame(small).half, { formats: [format], tryHarder: false })).filter((r) => r.isValid),
        name,
      ).toEqual([]);
      expect((await common.decode(small)).map((x) => x.text)).toEqual([whole!.text]);
    }
    photo.close();
  });

  it('finds a MaxiCode bullseye, cuts the symbol out alone and reads it', async () => {
    const s = await sample('maxicode', 'defocus');
    const [b] = findBullseyes(s.frames[0]!);
    expect(b).toBeDefined();
    // The symbol is placed near the middle of the frame, about 640 px across.
    expect(Math.abs(b!.x - 640)).toBeLessThan(80);
    expect(Math.abs(b!.y - 360)).toBeLessThan(60);
    const image = maxiCodeImage(s.frames[0]!, b!, 0);
    expect(image).toBeDefined();
    const scans = await through(all, s.frames, ALL);
    expect(scans.map((e) => e.result)).toMatchObject([{ format: 'maxicode', shipment: { trackingNumber: '1Z12345675', carrier: 'UPSN' } }]);
    // Not enabled: no search, no read.
    expect(await common.decode(s.frames[0]!)).toEqual([]);
  });

  it('finds no bullseye and reads nothing in frames without a barcode or with barcode-like texture', async () => {
    for (const kind of TEXTURES) {
      const frames = [0, 1, 2].map((take) => textureFrame(kind, 4242, take));
      for (const f of frames) expect(findBullseyes(f), kind).toEqual([]);
      expect(await through(all, frames, ALL), kind).toEqual([]);
    }
  });
});
