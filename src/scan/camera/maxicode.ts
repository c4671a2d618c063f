/**
 * MaxiCode in a camera frame. ZXing-C++ reads MaxiCode only from an image of the symbol
 * alone ("pure": the bounding box of its dark pixels is the symbol), so the symbol is found
 * here by its bullseye (three dark concentric rings), its extent is measured outward from
 * the bullseye to the quiet zone, and a straightened, contrast-normalised image of it
 * alone is handed to the engine, at a few candidate angles. Only run when the site enables
 * MaxiCode. The symbol's own Reed-Solomon error correction is the evidence, as for every
 * 2D code.
 */
import { greyAt } from './ean-check.ts';
import type { Frame } from './types.ts';

/** A bullseye: its centre, outer diameters across and down (px), and its dark and light levels. */
export type Bullseye = { x: number; y: number; dx: number; dy: number; dark: number; light: number };

/** Rows apart the search looks (a bullseye is tens of px across at any readable size). */
const ROW_STEP = 5;
/** Width of the blocks a row is thresholded by. */
const BLOCK = 64; // levelRow divides by shifting 6 bits

type Runs = { start: Int32Array; len: Int32Array; dark: Uint8Array; n: number };

function newRuns(size: number): Runs {
  return { start: new Int32Array(size), len: new Int32Array(size), dark: new Uint8Array(size), n: 0 };
}

/** Runs of dark and light along a line of grey levels, split at `threshold` (into `into`, reused row after row). */
function runsOf(line: Float32Array, threshold: number, into: Runs = newRuns(line.length)): Runs {
  const { start, len, dark } = into;
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const d = (line[i] as number) < threshold ? 1 : 0;
    if (n > 0 && dark[n - 1] === d) len[n - 1] = (len[n - 1] as number) + 1;
    else {
      start[n] = i;
      len[n] = 1;
      dark[n] = d;
      n++;
    }
  }
  into.n = n;
  return into;
}

/**
 * The index of the centre run when runs i-5..i+5 look like a bullseye seen through its
 * middle: dark, light, dark, light, dark, centre, dark, light, dark, light, dark, the ten
 * ring runs of about one width, the centre one to four of them, both halves alike.
 */
function bullseyeAt(len: Int32Array, dark: Uint8Array, i: number): boolean {
  if (dark[i] !== 0) return false;
  let sum = 0;
  for (let k = -5; k <= 5; k++) if (k !== 0) sum += len[i + k] as number;
  const unit = sum / 10;
  if (unit < 1.5) return false;
  for (let k = -5; k <= 5; k++) {
    if (k === 0) continue;
    const r = (len[i + k] as number) / unit;
    if (r < 0.45 || r > 2) return false;
  }
  const c = (len[i] as number) / unit;
  if (c < 0.7 || c > 4.5) return false;
  let left = 0;
  let right = 0;
  for (let k = 1; k <= 5; k++) {
    left += len[i - k] as number;
    right += len[i + k] as number;
  }
  return Math.abs(left - right) <= 0.3 * Math.max(left, right);
}

function lineThreshold(line: Float32Array, from: number, to: number): number {
  let lo = 255;
  let hi = 0;
  for (let i = Math.max(0, from); i < Math.min(line.length, to); i++) {
    lo = Math.min(lo, line[i] as number);
    hi = Math.max(hi, line[i] as number);
  }
  return (lo + hi) / 2;
}

/** The grey levels of a line from (x0, y0) in steps of (ux, uy), `n` samples. */
function sampleLine(frame: Frame, x0: number, y0: number, ux: number, uy: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = greyAt(frame, x0 + ux * i, y0 + uy * i);
  return out;
}

/** A line through the middle of the candidate, checked for the ring pattern; the centre run's middle and the outer diameter. */
function crossing(line: Float32Array, around: number, reach: number): { centre: number; diameter: number; dark: number; light: number } | undefined {
  const t = lineThreshold(line, around - reach, around + reach);
  const { start, len, dark, n } = runsOf(line, t);
  for (let i = 5; i < n - 5; i++) {
    const s = start[i] as number;
    const e = s + (len[i] as number);
    if (s > around + 2 || e < around - 2) continue;
    if (!bullseyeAt(len, dark, i)) return undefined;
    const first = start[i - 5] as number;
    const last = (start[i + 5] as number) + (len[i + 5] as number);
    let dk = 0;
    let lt = 0;
    let nd = 0;
    let nl = 0;
    for (let k = first; k < last; k++) {
      const v = line[k] as number;
      if (v < t) {
        dk += v;
        nd++;
      } else {
        lt += v;
        nl++;
      }
    }
    return { centre: (s + e) / 2, diameter: last - first, dark: dk / Math.max(1, nd), light: lt / Math.max(1, nl) };
  }
  return undefined;
}

/**
 * One row's grey levels less the threshold of their 64 px block (from it and its
 * neighbours: light changes across a frame), into `cut`. Kept apart and closure-free: it
 * is the search's hot loop.
 */
function levelRow(data: Uint8ClampedArray, y: number, width: number, row: Float32Array, cut: Float32Array, lo: Float32Array, hi: Float32Array): void {
  const blocks = lo.length;
  lo.fill(255);
  hi.fill(0);
  for (let x = 0, p = y * width * 4; x < width; x++, p += 4) {
    const v = ((data[p] as number) * 77 + (data[p + 1] as number) * 150 + (data[p + 2] as number) * 29) >> 8;
    row[x] = v;
    const b = x >> 6;
    if (v < (lo[b] as number)) lo[b] = v;
    if (v > (hi[b] as number)) hi[b] = v;
  }
  for (let b = 0; b < blocks; b++) {
    const l = Math.min(lo[b] as number, lo[b > 0 ? b - 1 : 0] as number, lo[b + 1 < blocks ? b + 1 : b] as number);
    const h = Math.max(hi[b] as number, hi[b > 0 ? b - 1 : 0] as number, hi[b + 1 < blocks ? b + 1 : b] as number);
    const t = (l + h) / 2;
    const end = Math.min(width, (b + 1) * BLOCK);
    for (let x = b * BLOCK; x < end; x++) cut[x] = (row[x] as number) - t;
  }
}

/** Smallest outer diameter searched for (px): smaller, a module is under two pixels and unreadable anyway. */
const MIN_DIAMETER = 36;
/** Grey levels between the rings and the paper between them, at the least (a dim, glared label keeps about 60). */
const MIN_CONTRAST = 40;

/**
 * Finds MaxiCode bullseyes (at most `max`): every fifth row is searched for the ring
 * pattern against a threshold per 64 px block, then the column through it must show the
 * pattern too.
 */
export function findBullseyes(frame: Frame, max = 2): Bullseye[] {
  const { data, width, height } = frame;
  const found: Bullseye[] = [];
  const row = new Float32Array(width);
  const cut = new Float32Array(width);
  const runs = newRuns(width);
  const blocks = Math.ceil(width / BLOCK);
  const lo = new Float32Array(blocks);
  const hi = new Float32Array(blocks);
  for (let y = 0; y < height && found.length < max; y += ROW_STEP) {
    levelRow(data, y, width, row, cut, lo, hi);
    const { start, len, dark, n } = runsOf(cut, 0, runs);
    for (let i = 5; i < n - 5 && found.length < max; i++) {
      const across = (start[i + 5] as number) + (len[i + 5] as number) - (start[i - 5] as number);
      if (across < MIN_DIAMETER || !bullseyeAt(len, dark, i)) continue;
      const cx = (start[i] as number) + (len[i] as number) / 2;
      if (found.some((f) => Math.hypot(f.x - cx, f.y - y) < f.dx)) continue;
      const y0 = Math.max(0, Math.round(y - across));
      const down = crossing(sampleLine(frame, cx, y0, 0, 1, Math.min(height - y0, Math.round(2 * across))), y - y0, across);
      if (!down || down.diameter < 0.5 * across || down.diameter > 2 * across) continue;
      const cy = y0 + down.centre;
      // Across again through the true centre, for its middle and width.
      const x0 = Math.max(0, Math.round(cx - across));
      const again = crossing(sampleLine(frame, x0, cy, 1, 0, Math.min(width - x0, Math.round(2 * across))), cx - x0, across);
      // Printed rings are black on white; board and wood grain make faint rings.
      if (!again || (again.light + down.light) / 2 - (again.dark + down.dark) / 2 < MIN_CONTRAST) continue;
      found.push({
        x: x0 + again.centre,
        y: cy,
        dx: again.diameter,
        dy: down.diameter,
        dark: (again.dark + down.dark) / 2,
        light: (again.light + down.light) / 2,
      });
    }
  }
  return found;
}

/**
 * Reads MaxiCode symbols in a frame: each bullseye found is cut out at each candidate angle
 * until the engine reads it. `read` is the engine's pure-image read (ZXing-C++ with
 * `isPure`); returns the texts read, each with its bullseye.
 */
export async function readMaxiCodes<T>(frame: Frame, read: (image: Frame) => Promise<T | undefined>): Promise<{ found: T; at: Bullseye }[]> {
  const out: { found: T; at: Bullseye }[] = [];
  for (const b of findBullseyes(frame)) {
    for (const angle of MAXICODE_ANGLES) {
      const image = maxiCodeImage(frame, b, angle);
      const found = image && (await read(image));
      if (found !== undefined) {
        out.push({ found, at: b });
        break;
      }
    }
  }
  return out;
}

/** Candidate angles (degrees) the straightened symbol is cut at: a hand-held label is seldom square to the camera. */
export const MAXICODE_ANGLES: readonly number[] = [0, -3, 3, -6, 6, -9, 9, -12, 12];

/**
 * The symbol around a bullseye, turned by `angleDeg`, cut out alone: its extent is walked
 * outward from the bullseye to the quiet zone, then it is
 * resampled at 5 px per bullseye ring width with black and white stretched from the
 * bullseye's own levels and white all round. Undefined when no edge is found.
 */
export function maxiCodeImage(frame: Frame, b: Bullseye, angleDeg: number): Frame | undefined {
  const a = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  // Bullseye axes: the ring width along each (11 runs, the centre counted twice).
  const ru = b.dx / 12;
  const rv = b.dy / 12;
  const threshold = (b.dark + b.light) / 2;
  const at = (u: number, v: number) => greyAt(frame, b.x + cos * u * ru - sin * v * rv, b.y + sin * u * ru + cos * v * rv);
  const isDark = (u: number, v: number) => at(u, v) < threshold;
  // Extents in ring widths: start at the bullseye, walk each side out to a ring width of paper (the quiet zone is one module).
  const ext = { left: 6, right: 6, top: 6, bottom: 6 };
  const limit = 40;
  for (let pass = 0; pass < 2; pass++) {
    for (const side of ['left', 'right', 'top', 'bottom'] as const) {
      const horizontal = side === 'left' || side === 'right';
      const sign = side === 'left' || side === 'top' ? -1 : 1;
      const [from, to] = horizontal ? [-ext.top, ext.bottom] : [-ext.left, ext.right];
      let last = 6;
      for (let r = 6; r < limit; r += 0.25) {
        let dark = false;
        for (let s = from; s <= to && !dark; s += 0.5) dark = horizontal ? isDark(sign * r, s) : isDark(s, sign * r);
        if (dark) last = r;
        else if (r - last >= 1.25 && r > 9) break;
      }
      if (last >= limit - 3) return undefined;
      ext[side] = last + 0.25;
    }
  }
  const scale = 5;
  const margin = 6;
  const w = Math.round((ext.left + ext.right) * scale) + 2 * margin;
  const h = Math.round((ext.top + ext.bottom) * scale) + 2 * margin;
  const data = new Uint8ClampedArray(w * h * 4).fill(255);
  const span = Math.max(1, b.light - b.dark);
  for (let y = margin; y < h - margin; y++) {
    const v = (y - margin) / scale - ext.top;
    for (let x = margin; x < w - margin; x++) {
      const u = (x - margin) / scale - ext.left;
      const g = ((at(u, v) - b.dark) / span) * 255;
      const p = (y * w + x) * 4;
      data[p] = g;
      data[p + 1] = g;
      data[p + 2] = g;
    }
  }
  return { data, width: w, height: h };
}
