/**
 * What counts as independent evidence for a camera read. A 1D decode can be wrong with a
 * valid check digit (a blurred bar read as its neighbour), so one decode never reaches a
 * workflow: it needs agreement from frames that differ, and any disagreement about the
 * same place in the picture means nothing is read at all.
 */
import { FORMAT_SYMBOLOGY, LINEAR_FORMATS } from '../domain/barcode/parse-scan.ts';
import type { Decoded, Frame } from './camera/types.ts';

/** A cheap fingerprint of a frame (a 40x24 grid of grey levels): equal for a repeated image. */
export function frameSignature(frame: Frame): number {
  const { data, width, height } = frame;
  let h = 0x811c9dc5;
  for (let gy = 0; gy < 24; gy++) {
    const y = Math.floor(((gy + 0.5) * height) / 24);
    for (let gx = 0; gx < 40; gx++) {
      const x = Math.floor(((gx + 0.5) * width) / 40);
      const i = (y * width + x) * 4;
      h = Math.imul(h ^ ((data[i] as number) * 3 + (data[i + 1] as number) * 5 + (data[i + 2] as number)), 0x01000193);
    }
  }
  return h >>> 0;
}

/** True when the symbol is one-dimensional: one decode of it is never evidence enough. */
export function isLinear(d: Decoded): boolean {
  return LINEAR_FORMATS.has(d.format);
}

/**
 * What two reads must agree on: the symbology family and, for EAN/UPC, the product code
 * without its add-on (an add-on read or missed is the same label, not another one).
 */
export function evidenceKey(d: Decoded): string {
  const family = FORMAT_SYMBOLOGY[d.format] ?? d.format;
  const text = family === 'ean-upc' && d.symbologyIdentifier === ']E3' ? d.text.slice(0, 13) : d.text;
  return `${family}\u0000${text}`;
}

/** The family two reads must share to be about the same kind of label. */
export function familyOf(d: Decoded): string {
  return FORMAT_SYMBOLOGY[d.format] ?? d.format;
}

/**
 * True when two reads could be of the same printed symbol: same family and overlapping
 * places. A read without a place (an engine that does not say) could be anywhere.
 */
export function samePlace(a: Decoded, b: Decoded): boolean {
  if (familyOf(a) !== familyOf(b)) return false;
  if (!a.at || !b.at) return true;
  const reach = Math.max(a.at.size, b.at.size) / 2;
  return Math.hypot(a.at.x - b.at.x, a.at.y - b.at.y) <= reach;
}

/**
 * Splits one frame's 1D reads into those that stand, those in conflict and those in doubt:
 * two different contents read at the same place (two scan lines or binarizers disagreeing)
 * void both; a read the engine's second measurement did not confirm (`Decoded.doubt`) is
 * no evidence at all. An EAN/UPC read without its add-on is dropped where the same code was
 * read with it.
 */
export function settleFrame(decoded: readonly Decoded[]): { reads: Decoded[]; conflicts: Decoded[][]; doubtful: Decoded[] } {
  const doubtful = decoded.filter((d) => d.doubt);
  const sound = decoded.filter((d) => !d.doubt);
  const withAddOn = new Set(sound.filter((d) => d.symbologyIdentifier === ']E3').map(evidenceKey));
  const reads = sound.filter((d) => d.symbologyIdentifier === ']E3' || !withAddOn.has(evidenceKey(d)));
  const conflicted = new Set<Decoded>();
  const conflicts: Decoded[][] = [];
  for (let i = 0; i < reads.length; i++) {
    for (let j = i + 1; j < reads.length; j++) {
      const a = reads[i] as Decoded;
      const b = reads[j] as Decoded;
      if (!isLinear(a) || !isLinear(b) || evidenceKey(a) === evidenceKey(b) || !samePlace(a, b)) continue;
      conflicted.add(a).add(b);
      conflicts.push([a, b]);
    }
  }
  return { reads: reads.filter((d) => !conflicted.has(d)), conflicts, doubtful };
}
