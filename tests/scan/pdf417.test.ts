import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdf417Cut, plausibleQuad, readPdf417s, unusedCorrection } from '../../src/scan/camera/pdf417.ts';
import type { Quad } from '../../src/scan/camera/ean-check.ts';
import type { Decoder, Frame } from '../../src/scan/camera/types.ts';
import { CAMERA_TUNING } from '../../src/scan/camera/zxing-wasm-engine.ts';
import { createNodeDecoder } from '../../src/scan/node/node-decoders.ts';
import { ScanPipeline } from '../../src/scan/pipeline.ts';
import { scanIdentity } from '../../src/scan/read-frame.ts';
import { ALL_SYMBOLS, REFERENCE_YEAR } from '../fixtures/barcode-corpus.ts';
import { throughCamera } from '../fixtures/camera-pass.ts';
import { ScriptedClock } from '../fixtures/clock.ts';
import { CONDITIONS, TEXTURES, hardCorpus, textureFrame, type HardSample } from '../fixtures/barcode-photo.ts';

const spec = ALL_SYMBOLS.find((s) => s.name === 'pdf417-carrier')!;
/** The label's content exactly: the Macro 06 envelope with its RS/GS/EOT separators (no garbage). */
const text = spec.canonical.slice(3);

async function sample(condition: string): Promise<HardSample> {
  for await (const s of hardCorpus({ symbols: [spec], conditions: CONDITIONS, takes: 3 })) if (s.condition.name === condition) return s;
  throw new Error(`no pdf417/${condition}`);
}

describe('PDF417 on the camera path: its own pass, cut out where the engine found it', () => {
  let withPass: Decoder;
  let firstPassOnly: Decoder;
  const clock = new ScriptedClock();
  const through = (decoder: Decoder, frames: readonly Frame[]) =>
    throughCamera(decoder, new ScanPipeline({ clock, year: () => REFERENCE_YEAR, enabled: new Set(['pdf417']) }), clock, frames);
  beforeAll(async () => {
    withPass = await createNodeDecoder('zxing-wasm', CAMERA_TUNING, { symbologies: ['pdf417'], code39Check: false });
    firstPassOnly = await createNodeDecoder('zxing-wasm', { ...CAMERA_TUNING, pdf417Pass: false }, { symbologies: ['pdf417'], code39Check: false });
  });
  afterAll(() => {
    withPass.close();
    firstPassOnly.close();
  });

  for (const condition of ['perspective', 'printed-photo']) {
    it(`reads a carrier label photographed under "${condition}" that the first pass cannot, to the exact text`, async () => {
      const s = await sample(condition);
      expect(await through(firstPassOnly, s.frames)).toEqual([]);
      for (const f of s.frames) expect((await withPass.decode(f)).map((d) => `${d.symbologyIdentifier}${d.text}`)).toEqual([`]L2${text}`]);
      const scans = await through(withPass, s.frames);
      expect(scans.map((e) => scanIdentity(e.result))).toEqual([s.expected]);
      expect(scans[0]?.result).toMatchObject({ kind: 'unknown', shipment: { trackingNumber: '1Z4A86F70390123456', carrier: 'UPSN' } });
    }, 60_000);
  }

  it('reads nothing in frames without a barcode or with barcode-like texture', async () => {
    for (const kind of TEXTURES) {
      for (let n = 0; n < 4; n++) {
        for (let take = 0; take < 3; take++) expect(await withPass.decode(textureFrame(kind, 7000 + n * 13, take)), kind).toEqual([]);
      }
    }
  }, 60_000);
});

describe('PDF417 evidence: a read that used up its error correction is no read', () => {
  const quad: Quad = { topLeft: { x: 100, y: 100 }, topRight: { x: 500, y: 110 }, bottomRight: { x: 495, y: 220 }, bottomLeft: { x: 98, y: 210 } };
  const frame: Frame = { data: new Uint8ClampedArray(640 * 360 * 4).fill(200), width: 640, height: 360 };
  const result = (valid: boolean, uec: number) => ({ isValid: valid, extra: JSON.stringify({ UEC: uec, ECLevel: '16%' }), position: quad, text: 'x' });

  it('reads the share of correction left unused from the engine, and none when it does not say', () => {
    expect(unusedCorrection('{"UEC":0.75,"ECLevel":"16%"}')).toBe(0.75);
    expect(unusedCorrection('')).toBe(0);
    expect(unusedCorrection('{"ECLevel":"16%"}')).toBe(0);
  });

  it('takes a located read with correction to spare, and cuts out the symbol otherwise', async () => {
    const cuts: Frame[] = [];
    const spare = await readPdf417s(
      frame,
      async () => [result(true, 0.8)],
      async () => [],
    );
    expect(spare.map((r) => r.extra)).toEqual([result(true, 0.8).extra]);
    const cutOut = await readPdf417s(
      frame,
      async () => [result(false, 0)],
      async (cut) => {
        cuts.push(cut);
        return [result(true, 1)];
      },
    );
    expect(cutOut).toHaveLength(1);
    // Straightened with a quiet zone: a little wider and taller than the symbol's 400 x 110 px.
    expect(cuts[0]!.width).toBeGreaterThan(400);
    expect(cuts[0]!.height).toBeGreaterThan(110);
  });

  it('refuses reads, located or cut out, that left no correction unused (where miscorrections live)', async () => {
    expect(
      await readPdf417s(
        frame,
        async () => [result(true, 0)],
        async () => [result(true, 0.25)],
      ),
    ).toEqual([]);
    expect(
      await readPdf417s(
        frame,
        async () => [result(false, 0)],
        async () => [result(true, 0)],
      ),
    ).toEqual([]);
  });

  it('cuts out only corners that make a symbol inside the frame', () => {
    expect(plausibleQuad(quad, 640, 360)).toBe(true);
    // As the engine reports a half-found symbol: corners at 0,0.
    expect(plausibleQuad({ ...quad, bottomRight: { x: 0, y: 0 } }, 640, 360)).toBe(false);
    expect(plausibleQuad({ ...quad, topRight: { x: 700, y: 110 } }, 640, 360)).toBe(false);
    expect(pdf417Cut(frame, { ...quad, bottomLeft: quad.topLeft })).toBeUndefined();
  });
});
