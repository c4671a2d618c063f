import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEan, eanDoubt, type Quad } from '../../src/scan/camera/ean-check.ts';
import type { Decoded, Decoder, Frame } from '../../src/scan/camera/types.ts';
import { PHOTO_TUNING } from '../../src/scan/camera/zxing-wasm-engine.ts';
import { frameSignature } from '../../src/scan/evidence.ts';
import { createNodeDecoder } from '../../src/scan/node/node-decoders.ts';
import { readPhoto } from '../../src/scan/photo.ts';
import { ScanPipeline, type PipelineScan } from '../../src/scan/pipeline.ts';
import { ALL_SYMBOLS, REFERENCE_YEAR, renderSymbol } from '../fixtures/barcode-corpus.ts';
import { ScriptedClock } from '../fixtures/clock.ts';
import { CONDITIONS, photographHard } from '../fixtures/barcode-photo.ts';
import { smudgeBar } from '../fixtures/barcode-smudge.ts';

const UPC_A = ALL_SYMBOLS.find((s) => s.name === 'upc-a')!;
const EAN_13 = ALL_SYMBOLS.find((s) => s.name === 'ean-13')!;
const RIGHT = '0036000291452';
const condition = (name: string) => CONDITIONS.find((c) => c.name === name)!;

/** The quad of the label's one EAN/UPC read by the camera engine in `frame`. */
async function quadOf(frame: Frame, formats: ('EAN13' | 'UPCA' | 'UPCE')[] = ['EAN13', 'UPCA']): Promise<{ quad: Quad; text: string }> {
  const zx = await import('zxing-wasm/reader');
  const [r] = await zx.readBarcodes(frame as ImageData, { formats, tryHarder: false, textMode: 'Plain' });
  if (!r) throw new Error('the engine read nothing');
  return { quad: r.position, text: r.text };
}

describe('EAN/UPC measured a second time (ean-check)', () => {
  let camera: Decoder;
  beforeAll(async () => {
    camera = await createNodeDecoder('zxing-wasm');
  });
  afterAll(() => camera.close());

  it('agrees with a clear label, says which other code the bars clearly carry, and never agrees off the symbol', async () => {
    const frame = photographHard(await renderSymbol(UPC_A), UPC_A, condition('perspective'), 5, 0);
    // The engine's own read (decoding once sets the wasm module up) and its place.
    expect((await camera.decode(frame)).map((d) => [d.text, d.doubt])).toEqual([[RIGHT, undefined]]);
    const { quad, text } = await quadOf(frame);
    expect(text).toBe(RIGHT);
    expect(checkEan(frame, quad, RIGHT)).toEqual({ kind: 'agree' });
    expect(checkEan(frame, quad, '4056066291452')).toEqual({ kind: 'other', text: RIGHT });
    // A UPC-A given as 12 digits is the same code.
    expect(checkEan(frame, quad, '036000291452')).toEqual({ kind: 'agree' });
    // UPC-E: its six digits and their parity give the UPC-A it stands for.
    const UPC_E = ALL_SYMBOLS.find((x) => x.name === 'upc-e')!;
    const small = photographHard(await renderSymbol(UPC_E), UPC_E, condition('printed-photo'), 5, 0);
    expect((await camera.decode(small)).map((d) => [d.format, d.text, d.doubt])).toEqual([['upc-e', '0042100005264', undefined]]);
    const e = await quadOf(small, ['UPCE']);
    expect(checkEan(small, e.quad, '0042100005264', true)).toEqual({ kind: 'agree' });
    expect(checkEan(small, e.quad, '0042100005257', true)).toEqual({ kind: 'other', text: '0042100005264' });
    // Measured nowhere near a symbol: never an agreement.
    expect(
      checkEan(frame, { topLeft: { x: 10, y: 10 }, topRight: { x: 900, y: 10 }, bottomRight: { x: 900, y: 20 }, bottomLeft: { x: 10, y: 20 } }, RIGHT).kind,
    ).toBe('unclear');
  });

  it('a UPC-A smudged across one bar is never taken for another valid EAN-13, by the camera or by a photo', async () => {
    const label = await renderSymbol(UPC_A);
    const clock = new ScriptedClock();
    const pipeline = new ScanPipeline({ clock, year: () => REFERENCE_YEAR });
    const photo = await createNodeDecoder('zxing-wasm', PHOTO_TUNING);
    let engineWrong = 0;
    const taken: PipelineScan[] = [];
    const refusals: string[] = [];
    // Bars 10 and 11 blurred into their neighbours: ZXing reads 4056066291452 (three digits each one module off, check digit holding).
    for (const [bar, cond] of [
      [10, 'clean'],
      [11, 'low-light'],
      [11, 'jpeg-blocks'],
    ] as const) {
      const smudged = smudgeBar(label, bar);
      const frames = [0, 1, 2].map((take) => photographHard(smudged, UPC_A, condition(cond), 100 + bar, take));
      pipeline.resetCamera();
      clock.advance(5000);
      for (const f of frames) {
        const found: Decoded[] = await camera.decode(f);
        for (const d of found) if (d.text !== RIGHT) engineWrong++;
        // Every read the engine could not have got right is in doubt.
        expect(found.filter((d) => d.text !== RIGHT && !d.doubt)).toEqual([]);
        clock.advance(33);
        taken.push(...pipeline.pushCameraFrame(found, 'zxing-wasm', frameSignature(f)));
      }
      // A photo is decoded four ways with the slower tuning: one case keeps the test quick.
      if (cond !== 'clean') continue;
      const p = await readPhoto(photo, frames[0]!, { referenceYear: REFERENCE_YEAR });
      expect(p.reads.filter((r) => r.decoded.text !== RIGHT)).toEqual([]);
      refusals.push(...p.refused.map((r) => r.message));
    }
    photo.close();
    // The hazard is real: the engine alone read the other code.
    expect(engineWrong).toBeGreaterThan(0);
    expect(taken.filter((s) => s.result.kind === 'product' && s.result.gtin !== `0${RIGHT}`)).toEqual([]);
    expect(refusals.every((m) => m.startsWith('refused to guess'))).toBe(true);
  });

  it('still reads clear EAN-13 and UPC-A labels under combined faults', async () => {
    let agreed = 0;
    let total = 0;
    for (const spec of [EAN_13, UPC_A]) {
      const label = await renderSymbol(spec);
      for (const cond of ['printed-photo', 'perspective', 'jpeg-blocks']) {
        for (const d of await camera.decode(photographHard(label, spec, condition(cond), 77, 0))) {
          if (d.format === 'code-128') continue;
          total++;
          if (!d.doubt) agreed++;
        }
      }
    }
    expect(total).toBeGreaterThanOrEqual(5);
    expect(agreed).toBe(total);
  });
});

describe('every engine measures its EAN/UPC reads again', () => {
  it('the TypeScript fallback confirms a clear label from the one row it reports; a read with no place is in doubt', async () => {
    const fallback = await createNodeDecoder('zxing-browser');
    const frame = photographHard(await renderSymbol(EAN_13), EAN_13, condition('printed-photo'), 4, 0);
    expect((await fallback.decode(frame)).map((d) => [d.text, d.doubt])).toEqual([['9506000134352', undefined]]);
    fallback.close();
    expect(eanDoubt(frame, 'ean-13', '9506000134352', undefined)).toEqual({ why: 'the engine did not say where the symbol is' });
    expect(eanDoubt(frame, 'code-128', 'T-0001', undefined)).toBeUndefined();
  });
});

describe('the pipeline with reads in doubt', () => {
  const at = { x: 600, y: 360, size: 600 };
  const doubted: Decoded = { format: 'ean-13', text: '4056066291452', symbologyIdentifier: ']E0', at, doubt: { why: 'a digit is unclear' } };
  const good: Decoded = { format: 'upc-a', text: RIGHT, symbologyIdentifier: ']E0', at };

  it('never confirms a read in doubt, asks once to rescan after three frames, and still takes a clear read of the place', () => {
    const clock = new ScriptedClock();
    const p = new ScanPipeline({ clock, year: () => 2026 });
    const out: PipelineScan[] = [];
    for (let f = 1; f <= 6; f++) {
      clock.advance(33);
      out.push(...p.pushCameraFrame([doubted], 'zxing-wasm', f));
    }
    expect(out.map((s) => s.result.problems[0]?.code)).toEqual(['conflicting_reads']);
    expect(out[0]?.result.problems[0]?.message).toMatch(/cannot read this label clearly/);
    const later: PipelineScan[] = [];
    for (let f = 7; f <= 8; f++) {
      clock.advance(33);
      later.push(...p.pushCameraFrame([good, doubted], 'zxing-wasm', f));
    }
    expect(later.map((s) => s.result.kind)).toEqual(['product']);
  });
});
