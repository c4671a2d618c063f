/**
 * Second looks at a frame, each taken only when its symbology is enabled and, where it
 * can be, only on a cue from the first pass. ZXing-C++ at camera speed misses two things
 * it can read when shown them the right way:
 *
 * - an EAN/UPC add-on printed at the far end of the allowed gap (the GS1 gap is 7-12
 *   modules; the engine looks only about 10 modules past the product code): once the
 *   product code is read, a straightened strip along it is sampled with the gap closed to
 *   8 modules and read again, add-on required;
 * - stacked GS1 DataBar, which the engine pairs across rows only in its "try harder" mode:
 *   the centre of the frame, where the user aims, is read that way for the stacked kinds
 *   alone.
 *
 * Both reads go through the same evidence rule as any other (two scan lines in the
 * frame, then frames that differ in the pipeline).
 */
import type { Frame } from './types.ts';
import { greyAt, type Quad } from './ean-check.ts';
import { toFrame, type Rect } from './prep.ts';

/** Modules from the first bar to the last of each EAN/UPC layout. */
export const EAN_MODULES = { 'ean-13': 95, 'upc-a': 95, 'ean-8': 67, 'upc-e': 51 } as const;

/** Pixels per module in the straightened strip (enough for a blurred bar to keep its width). */
const PITCH = 3;
/** Modules sampled before the code and after it (gap of up to 12, add-on of up to 47, quiet zone). */
const BEFORE = 12;
const AFTER = 72;
/** The gap the strip is given: inside what ZXing accepts (over 6 for UPC, under 10.5). */
const GAP = 8;
/** Scan lines of the strip, spread across the middle of the bars. */
const LINES = 12;

/**
 * A straightened strip along an EAN/UPC the engine read at `quad` (`modules` long), from
 * before its first bar to well past its last, with the gap to what follows it closed to
 * 8 modules. Undefined when nothing dark follows within 14 modules (no add-on to read)
 * or the code is too small to measure.
 */
export function addOnStrip(frame: Frame, quad: Quad, modules: number): Frame | undefined {
  const left = { x: (quad.topLeft.x + quad.bottomLeft.x) / 2, y: (quad.topLeft.y + quad.bottomLeft.y) / 2 };
  const right = { x: (quad.topRight.x + quad.bottomRight.x) / 2, y: (quad.topRight.y + quad.bottomRight.y) / 2 };
  const across = Math.hypot(quad.bottomLeft.x - quad.topLeft.x, quad.bottomLeft.y - quad.topLeft.y);
  // A code read upside down has its add-on on the other side.
  return strip(frame, left, right, across, modules) ?? strip(frame, right, left, across, modules);
}

type Point = { x: number; y: number };

function strip(frame: Frame, a: Point, b: Point, across: number, modules: number): Frame | undefined {
  const { x: ax, y: ay } = a;
  const { x: bx, y: by } = b;
  const len = Math.hypot(bx - ax, by - ay);
  const m = len / modules;
  if (m < 1) return undefined;
  const ux = (bx - ax) / len;
  const uy = (by - ay) / len;
  // Scan lines parallel to the engine's, within three modules either side of its middle one.
  const spread = Math.min(3 * m, across / 2 + 2 * m);
  const cols = Math.round((BEFORE + modules + AFTER) * PITCH);
  const g = new Float32Array(cols * LINES);
  const profile = new Float32Array(cols);
  for (let r = 0; r < LINES; r++) {
    const o = ((r + 0.5) / LINES - 0.5) * 2 * spread;
    const ox = ax - uy * o;
    const oy = ay + ux * o;
    for (let c = 0; c < cols; c++) {
      const s = (c / PITCH - BEFORE) * m;
      const v = greyAt(frame, ox + ux * s, oy + uy * s);
      g[r * cols + c] = v;
      profile[c] = (profile[c] as number) + v / LINES;
    }
  }
  // Dark and light levels of the code itself, then the first dark run after it.
  const start = BEFORE * PITCH;
  const end = Math.round((BEFORE + modules) * PITCH);
  let lo = 255;
  let hi = 0;
  for (let c = start; c < end; c++) {
    lo = Math.min(lo, profile[c] as number);
    hi = Math.max(hi, profile[c] as number);
  }
  if (hi - lo < 20) return undefined;
  const threshold = (lo + hi) / 2;
  // Past the right guard's blur (2 modules), up to the widest gap GS1 allows and a little more.
  let addOn = -1;
  for (let c = end + 2 * PITCH; c < end + 14 * PITCH && c < cols; c++) {
    if ((profile[c] as number) < threshold) {
      addOn = c;
      break;
    }
  }
  if (addOn < 0) return undefined;
  const cut = Math.max(0, addOn - end - GAP * PITCH);
  if (cut === 0) return toFrame(g, cols, LINES);
  // Columns taken from the middle of the gap, where there is only paper.
  const from = end + Math.round((addOn - end - cut) / 2);
  const width = cols - cut;
  const out = new Float32Array(width * LINES);
  for (let r = 0; r < LINES; r++) {
    out.set(g.subarray(r * cols, r * cols + from), r * width);
    out.set(g.subarray(r * cols + from + cut, (r + 1) * cols), r * width + from);
  }
  return toFrame(out, width, LINES);
}

/** The middle of a frame where the user aims: half its width, two thirds of its height. */
export function aimRect(frame: Frame): Rect {
  const width = Math.min(frame.width, Math.max(64, Math.round(frame.width / 2)));
  const height = Math.min(frame.height, Math.max(64, Math.round((frame.height * 2) / 3)));
  return { x: (frame.width - width) >> 1, y: (frame.height - height) >> 1, width, height };
}
