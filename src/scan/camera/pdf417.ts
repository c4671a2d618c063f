/**
 * PDF417 in a camera frame, in a pass of its own (only when the site enables PDF417). At
 * camera speed ZXing-C++ often finds a carrier label's PDF417 by its start and stop
 * patterns yet cannot read its codewords: tilted in perspective or printed in halftone, the
 * lines it samples cross codeword rows. Asked to (`returnErrors`), it reports such a failed
 * read with the symbol's corners; the symbol is cut out there, straightened (its corners
 * mapped to a rectangle, a quiet zone round it) and read again trying harder. That needs
 * its own look: returning errors from the first pass changes what it reads of other
 * formats (measured: one more EAN-13 read, a wrong one).
 *
 * Evidence: the symbol's Reed-Solomon error correction, but not all of it. ZXing decodes
 * up to 100 combinations of the codewords it found ambiguous, and a decode that used up
 * all its correction can land on another valid codeword sequence. That is the "garbage
 * bytes" an earlier attempt met reading crops trying harder: the label's first fields
 * right, the rest shifted text, and not a text-mode or character-set matter. Every such
 * wrong read measured (7, sharpened and rescaled crops of the harder corpus) had no
 * correction left; of some 560 right ones, 97% had half or more. So a read is taken only
 * with at least half its correction unused.
 */
import { greyAt, type Quad } from './ean-check.ts';
import type { Frame } from './types.ts';

/** The least share of a read's error correction left unused for it to count. */
export const MIN_UNUSED_CORRECTION = 0.5;

/** The share of error correction a read left unused (ZXing-C++ `extra.UEC`, 0 to 1); 0 when it does not say. */
export function unusedCorrection(extra: string): number {
  try {
    const uec: unknown = (JSON.parse(extra) as { UEC?: unknown }).UEC;
    return typeof uec === 'number' ? uec : 0;
  } catch {
    return 0;
  }
}

/** Quiet zone added round the cut-out, as a share of the symbol's width and of its height. */
const MARGIN_X = 0.05;
const MARGIN_Y = 0.1;
/** The cut-out is sampled a little finer than the frame (measured: 1 to 1.5 read alike). */
const SCALE = 1.25;
/** The widest cut-out (px): a symbol filling a photo is read at a scale ZXing handles anyway. */
const MAX_WIDTH = 2000;

/** A frame's corners reported for a symbol that make a plausible one: inside the frame, wide and tall enough, convex. */
export function plausibleQuad(q: Quad, width: number, height: number): boolean {
  const pts = [q.topLeft, q.topRight, q.bottomRight, q.bottomLeft];
  if (pts.some((p) => p.x < 0 || p.y < 0 || p.x > width || p.y > height)) return false;
  // Turning the same way at every corner, and the area of a symbol at least 40 by 10 px.
  let area = 0;
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const a = pts[i] as Quad['topLeft'];
    const b = pts[(i + 1) % 4] as Quad['topLeft'];
    const c = pts[(i + 2) % 4] as Quad['topLeft'];
    area += a.x * b.y - b.x * a.y;
    const turn = Math.sign((b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x));
    if (turn === 0 || (sign !== 0 && turn !== sign)) return false;
    sign = turn;
  }
  return Math.abs(area) / 2 >= 400 && Math.hypot(q.topRight.x - q.topLeft.x, q.topRight.y - q.topLeft.y) >= 40;
}

/**
 * The perspective map from the unit square to a quad (Heckbert's closed form), as its
 * coefficients: (u, v) in [0, 1]^2, (0, 0) at top left, goes to
 * ((a11 u + a21 v + a31) / w, (a12 u + a22 v + a32) / w) with w = a13 u + a23 v + 1.
 */
function squareToQuad(q: Quad): [a11: number, a21: number, a31: number, a12: number, a22: number, a32: number, a13: number, a23: number] {
  const { topLeft: p0, topRight: p1, bottomRight: p2, bottomLeft: p3 } = q;
  const dx3 = p0.x - p1.x + p2.x - p3.x;
  const dy3 = p0.y - p1.y + p2.y - p3.y;
  let a13 = 0;
  let a23 = 0;
  if (Math.abs(dx3) > 1e-9 || Math.abs(dy3) > 1e-9) {
    const dx1 = p1.x - p2.x;
    const dx2 = p3.x - p2.x;
    const dy1 = p1.y - p2.y;
    const dy2 = p3.y - p2.y;
    const den = dx1 * dy2 - dx2 * dy1;
    a13 = (dx3 * dy2 - dx2 * dy3) / den;
    a23 = (dx1 * dy3 - dx3 * dy1) / den;
  }
  const a11 = p1.x - p0.x + a13 * p1.x;
  const a21 = p3.x - p0.x + a23 * p3.x;
  const a12 = p1.y - p0.y + a13 * p1.y;
  const a22 = p3.y - p0.y + a23 * p3.y;
  return [a11, a21, p0.x, a12, a22, p0.y, a13, a23];
}

/**
 * The symbol whose corners the engine reported, straightened: sampled through the
 * perspective of its quad at a little over the frame's own scale, with a quiet zone round
 * it. Undefined when the corners do not make a plausible symbol.
 */
export function pdf417Cut(frame: Frame, q: Quad): Frame | undefined {
  if (!plausibleQuad(q, frame.width, frame.height)) return undefined;
  const across =
    (Math.hypot(q.topRight.x - q.topLeft.x, q.topRight.y - q.topLeft.y) + Math.hypot(q.bottomRight.x - q.bottomLeft.x, q.bottomRight.y - q.bottomLeft.y)) / 2;
  const down =
    (Math.hypot(q.bottomLeft.x - q.topLeft.x, q.bottomLeft.y - q.topLeft.y) + Math.hypot(q.bottomRight.x - q.topRight.x, q.bottomRight.y - q.topRight.y)) / 2;
  const scale = Math.min(SCALE, MAX_WIDTH / (across * (1 + 2 * MARGIN_X)));
  const w = Math.round(across * (1 + 2 * MARGIN_X) * scale);
  const h = Math.round(down * (1 + 2 * MARGIN_Y) * scale);
  if (w < 8 || h < 8) return undefined;
  const [a11, a21, a31, a12, a22, a32, a13, a23] = squareToQuad(q);
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const v = -MARGIN_Y + ((1 + 2 * MARGIN_Y) * (y + 0.5)) / h;
    for (let x = 0; x < w; x++) {
      const u = -MARGIN_X + ((1 + 2 * MARGIN_X) * (x + 0.5)) / w;
      const z = a13 * u + a23 * v + 1;
      const g = greyAt(frame, (a11 * u + a21 * v + a31) / z, (a12 * u + a22 * v + a32) / z);
      const i = (y * w + x) * 4;
      data[i] = g;
      data[i + 1] = g;
      data[i + 2] = g;
      data[i + 3] = 255;
    }
  }
  return { data, width: w, height: h };
}

/** What the engine reports of a read, as far as this pass needs it. */
type Read = { isValid: boolean; extra: string; position: Quad };

/**
 * Reads the PDF417 symbols in a frame. `locate` is the engine's PDF417 read of the frame
 * with failed reads kept (`returnErrors`): a read there is taken when it leaves enough
 * correction unused; otherwise the symbol is cut out at its corners (`pdf417Cut`) and
 * `read` is the engine's harder read of the cut-out. Returns each symbol read.
 */
export async function readPdf417s<T extends Read>(frame: Frame, locate: () => Promise<T[]>, read: (cut: Frame) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (const located of await locate()) {
    if (located.isValid && unusedCorrection(located.extra) >= MIN_UNUSED_CORRECTION) {
      out.push(located);
      continue;
    }
    const cut = pdf417Cut(frame, located.position);
    const found = cut && (await read(cut)).find((r) => r.isValid);
    // Placed where the symbol was found in the frame, not in the cut-out.
    if (found && unusedCorrection(found.extra) >= MIN_UNUSED_CORRECTION) out.push({ ...found, position: located.position });
  }
  return out;
}
