/**
 * A single photo has no second frame, so its evidence comes from preparing it several
 * ways (plain, sharpened, strongly sharpened, halved) and decoding each: a 1D code is read
 * only when at least two preparations agree and none reads something else at its place;
 * a read its engine's second measurement did not confirm (`Decoded.doubt`) is no evidence.
 * Disagreement is a refusal, reported as such: a wrong code is worse than none.
 */
import type { ParseOptions } from '../domain/barcode/parse-scan.ts';
import { prepare, type Prep } from './camera/prep.ts';
import type { Decoded, Decoder, Frame } from './camera/types.ts';
import { evidenceKey, isLinear, samePlace } from './evidence.ts';
import { parseDecoded, type FrameRead } from './read-frame.ts';

export const PHOTO_PREPS: readonly Prep[] = ['plain', 'sharpen', 'sharpen-strong', 'halve'];

export type PhotoRefusal = { reason: 'conflict' | 'single_reading' | 'unconfirmed'; message: string; texts: string[] };

export type PhotoRead = { reads: FrameRead[]; refused: PhotoRefusal[]; ms: number };

type Seen = { d: Decoded; preps: Set<Prep> };

/** Decodes one photo every way and keeps only what the evidence supports. */
export async function readPhoto(
  decoder: Decoder,
  frame: Frame,
  opts: Omit<ParseOptions, 'format' | 'gsSubstitute'> = {},
  preps: readonly Prep[] = PHOTO_PREPS,
): Promise<PhotoRead> {
  const t0 = performance.now();
  const seen = new Map<string, Seen>();
  // Reads the engine's second measurement did not confirm: no evidence, but said when nothing else was read there.
  const doubted = new Map<string, Seen>();
  for (const prep of preps) {
    const image = prepare(frame, prep);
    const k = frame.width / image.width;
    for (const d of await decoder.decode(image)) {
      const placed = d.at ? { ...d, at: { x: d.at.x * k, y: d.at.y * k, size: d.at.size * k } } : d;
      const key = evidenceKey(placed);
      if (placed.doubt) {
        const s = doubted.get(key) ?? { d: placed, preps: new Set<Prep>() };
        s.preps.add(prep);
        doubted.set(key, s);
        continue;
      }
      const s = seen.get(key) ?? { d: placed, preps: new Set<Prep>() };
      // An add-on read by any preparation stays with the product code.
      if (placed.symbologyIdentifier === ']E3') s.d = placed;
      s.preps.add(prep);
      seen.set(key, s);
    }
  }
  const all = [...seen.values()];
  const refused: PhotoRefusal[] = [];
  const voided = new Set<Seen>();
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i] as Seen;
      const b = all[j] as Seen;
      if (!isLinear(a.d) || !isLinear(b.d) || !samePlace(a.d, b.d)) continue;
      voided.add(a).add(b);
      refused.push({
        reason: 'conflict',
        texts: [a.d.text, b.d.text],
        message: `refused to guess: one label read as ${a.d.text} (${[...a.preps].join(', ')}) and as ${b.d.text} (${[...b.preps].join(', ')})`,
      });
    }
  }
  for (const s of doubted.values()) {
    if (all.some((a) => samePlace(a.d, s.d))) continue;
    refused.push({
      reason: 'unconfirmed',
      texts: [s.d.text],
      message: `refused to guess: ${s.d.text} was read (${[...s.preps].join(', ')}) but measuring its bars again did not confirm it (${s.d.doubt?.why ?? ''}); take a sharper photo`,
    });
  }
  const reads: FrameRead[] = [];
  for (const s of all) {
    if (voided.has(s)) continue;
    if (isLinear(s.d) && s.preps.size < 2) {
      refused.push({
        reason: 'single_reading',
        texts: [s.d.text],
        message: `refused to guess: ${s.d.text} was read only one way (${[...s.preps].join(', ')}); take a sharper photo`,
      });
      continue;
    }
    reads.push({ decoded: s.d, parsed: parseDecoded(s.d, opts) });
  }
  return { reads, refused, ms: performance.now() - t0 };
}
