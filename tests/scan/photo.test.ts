import { describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../../src/domain/barcode/check-digit.ts';
import type { Decoded, Decoder, Frame } from '../../src/scan/camera/types.ts';
import { PHOTO_PREPS, readPhoto } from '../../src/scan/photo.ts';

const frame: Frame = { data: new Uint8ClampedArray(64 * 32 * 4).fill(200), width: 64, height: 32 };
const at = { x: 32, y: 16, size: 40 };
const upcA: Decoded = { format: 'upc-a', text: '0036000291452', symbologyIdentifier: ']E0', at };
// The class of misread seen on real photos: a UPC-A taken for another EAN-13 whose check digit holds.
const body = '403600029145';
const otherEan: Decoded = { format: 'ean-13', text: `${body}${gs1CheckDigit(body)}`, symbologyIdentifier: ']E0', at };

/** The engine as the photo sees it: one scripted answer per preparation, in PHOTO_PREPS order. */
function scripted(answers: Decoded[][]): Decoder {
  let call = 0;
  return {
    engine: 'zxing-wasm',
    decode: async () => answers[call++ % answers.length] ?? [],
    close: () => undefined,
  };
}

describe('a single photo: several preparations as evidence', () => {
  it('refuses to guess when preparations read one label as two valid codes', async () => {
    const r = await readPhoto(scripted([[upcA], [upcA], [otherEan], []]), frame, { referenceYear: 2026 });
    expect(r.reads).toEqual([]);
    expect(r.refused).toMatchObject([{ reason: 'conflict', texts: ['0036000291452', otherEan.text] }]);
    expect(r.refused[0]?.message).toMatch(/refused to guess/);
  });

  it('refuses a 1D code read only one way, and reads it when two ways agree', async () => {
    const once = await readPhoto(scripted([[], [], [upcA], []]), frame, { referenceYear: 2026 });
    expect(once.reads).toEqual([]);
    expect(once.refused).toMatchObject([{ reason: 'single_reading' }]);
    const twice = await readPhoto(scripted([[upcA], [], [upcA], []]), frame, { referenceYear: 2026 });
    expect(twice.refused).toEqual([]);
    expect(twice.reads.map((x) => x.parsed)).toMatchObject([{ kind: 'product', gtin: '00036000291452' }]);
  });

  it('takes no evidence from reads the engine could not confirm, and says so when nothing else was read there', async () => {
    const unsure: Decoded = { ...otherEan, doubt: { why: 'a digit is unclear' } };
    const alone = await readPhoto(scripted([[unsure], [unsure], [unsure], []]), frame, { referenceYear: 2026 });
    expect(alone.reads).toEqual([]);
    expect(alone.refused).toMatchObject([{ reason: 'unconfirmed', texts: [otherEan.text] }]);
    expect(alone.refused[0]?.message).toMatch(/refused to guess: .* did not confirm it \(a digit is unclear\)/);
    // Beside two confirmed readings of the right code, the doubtful one is simply not evidence.
    const beside = await readPhoto(scripted([[upcA, unsure], [upcA], [], []]), frame, { referenceYear: 2026 });
    expect(beside.refused).toEqual([]);
    expect(beside.reads.map((x) => x.decoded.text)).toEqual(['0036000291452']);
  });

  it('keeps two different codes at different places, and a 2D code on one reading', async () => {
    const elsewhere: Decoded = { ...otherEan, at: { x: 300, y: 16, size: 40 } };
    const dm: Decoded = { format: 'gs1-datamatrix', text: '0109506000134352', symbologyIdentifier: ']d2', at };
    const r = await readPhoto(scripted([[upcA, elsewhere], [upcA, elsewhere, dm], [], []]), frame, { referenceYear: 2026 });
    expect(r.refused).toEqual([]);
    expect(r.reads.map((x) => x.decoded.text).sort()).toEqual(['0036000291452', '0109506000134352', otherEan.text].sort());
  });

  it('tries every preparation, halving included, and maps positions back to the photo', async () => {
    const seen: number[] = [];
    const decoder: Decoder = {
      engine: 'zxing-wasm',
      decode: async (f) => {
        seen.push(f.width);
        // The halved image reports half the coordinates.
        return [{ ...upcA, at: f.width === 32 ? { x: 16, y: 8, size: 20 } : at }];
      },
      close: () => undefined,
    };
    const r = await readPhoto(decoder, frame, { referenceYear: 2026 });
    expect(seen).toEqual([64, 64, 64, 32]);
    expect(PHOTO_PREPS).toHaveLength(4);
    expect(r.reads).toHaveLength(1);
    expect(r.refused).toEqual([]);
  });
});
