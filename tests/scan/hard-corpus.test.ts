import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decoder } from '../../src/scan/camera/types.ts';
import { frameSignature } from '../../src/scan/evidence.ts';
import { createNodeDecoder } from '../../src/scan/node/node-decoders.ts';
import { ScanPipeline } from '../../src/scan/pipeline.ts';
import { scanIdentity } from '../../src/scan/read-frame.ts';
import { ALL_SYMBOLS, REFERENCE_YEAR, renderSymbol } from '../fixtures/barcode-corpus.ts';
import { throughCamera } from '../fixtures/camera-pass.ts';
import { ScriptedClock } from '../fixtures/clock.ts';
import { CONDITIONS, TEXTURES, hardCorpus, photographHard, textureFrame } from '../fixtures/barcode-photo.ts';

// A CI-sized slice of the bench's harder corpus: the full one runs under `npm run bench -- scan`.
const symbols = ALL_SYMBOLS.filter((s) => ['ean-13', 'upc-a', 'code-39', 'datamatrix'].includes(s.name));
const conditions = CONDITIONS.filter((c) => ['printed-photo', 'perspective', 'second-code'].includes(c.name));

describe('the harder corpus through the camera path (zxing-wasm, common set, evidence rule)', () => {
  let decoder: Decoder;
  const clock = new ScriptedClock();
  const pipeline = new ScanPipeline({ clock, year: () => REFERENCE_YEAR });
  const through = (frames: { data: Uint8ClampedArray; width: number; height: number }[]) => {
    pipeline.resetCamera();
    return throughCamera(decoder, pipeline, clock, frames);
  };
  beforeAll(async () => {
    decoder = await createNodeDecoder('zxing-wasm');
  });
  afterAll(() => decoder.close());

  it('is deterministic, and two takes of one aim are different images', async () => {
    const spec = symbols[0]!;
    const label = await renderSymbol(spec);
    const a = photographHard(label, spec, conditions[0]!, 11, 0);
    expect(frameSignature(photographHard(label, spec, conditions[0]!, 11, 0))).toBe(frameSignature(a));
    expect(frameSignature(photographHard(label, spec, conditions[0]!, 11, 1))).not.toBe(frameSignature(a));
  });

  it('reads most labels photographed with several faults at once, and never a wrong code', async () => {
    let read = 0;
    let samples = 0;
    const wrong: string[] = [];
    for await (const s of hardCorpus({ symbols, conditions, takes: 3 })) {
      samples++;
      const taken = (await through(s.frames)).filter((e) => e.result.problems[0]?.code !== 'conflicting_reads');
      if (taken.some((e) => scanIdentity(e.result) === s.expected)) read++;
      for (const e of taken) {
        const id = scanIdentity(e.result);
        if (e.result.kind !== 'unknown' && id !== s.expected && id !== s.alsoRight) wrong.push(`${s.spec.name}/${s.condition.name}: ${id}`);
      }
    }
    expect(samples).toBe(12);
    expect(wrong).toEqual([]);
    expect(read).toBeGreaterThanOrEqual(9);
    // 36 frames made and decoded, with the stacked DataBar look on each: over a minute on a loaded 2-core machine.
  }, 180_000);

  it('takes nothing from frames without a barcode or with barcode-like texture', async () => {
    for (const kind of TEXTURES) {
      const scans = await through([0, 1, 2].map((take) => textureFrame(kind, 321, take)));
      expect(scans, kind).toEqual([]);
    }
  });
});
