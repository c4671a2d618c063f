/**
 * A second reading of an EAN/UPC symbol, independent of the engine's: the bars are
 * measured again along several lines across the place the engine reported, and every
 * digit must match its pattern clearly better than any other digit's. A blur or smudge
 * across one bar leaves a width halfway between two patterns; ZXing then picks one, and
 * three such picks can make another valid EAN-13 (a UPC-A read as `4056066291452`). Here
 * such a digit is "unclear", so the read is not evidence; a line that clearly reads a
 * different valid code is a conflict.
 */
import type { ScanFormat } from '../../domain/barcode/parse-scan.ts';
import type { Decoded, Frame } from './types.ts';

/** The symbol's place as the engine reports it: the first and last scan line that read it. */
export type Quad = {
  topLeft: { x: number; y: number };
  topRight: { x: number; y: number };
  bottomRight: { x: number; y: number };
  bottomLeft: { x: number; y: number };
};

export type EanVerdict = { kind: 'agree' } | { kind: 'unclear'; why: string } | { kind: 'other'; text: string };

// Element widths (modules) of the L code, space first; G is L reversed, R is L starting with a bar.
const L = ['3211', '2221', '2122', '1411', '1132', '1231', '1114', '1312', '1213', '3112'].map((s) => [...s].map(Number));
const G = L.map((p) => [...p].reverse());
/** Parity of the six left digits of an EAN-13 for each first digit (true: G). */
const PARITY = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLL', 'LGLGLG', 'LGLGGL', 'LGGLGL'].map((s) => [...s].map((c) => c === 'G'));

/** How much better the right digit's pattern must fit than the next best (sum of module errors). */
const MARGIN = 0.6;
const LINES = 7;

function checkDigitOk(digits: readonly number[]): boolean {
  let sum = 0;
  const n = digits.length;
  for (let i = 0; i < n - 1; i++) sum += (digits[i] as number) * ((n - 1 - i) % 2 === 1 ? 3 : 1);
  return (10 - (sum % 10)) % 10 === digits[n - 1];
}

/** The frame's grey level at a sub-pixel point (bilinear; clamped at the border). */
export function greyAt(frame: Frame, x: number, y: number): number {
  const { data, width, height } = frame;
  const x0 = Math.max(0, Math.min(width - 2, Math.floor(x)));
  const y0 = Math.max(0, Math.min(height - 2, Math.floor(y)));
  const fx = Math.max(0, Math.min(1, x - x0));
  const fy = Math.max(0, Math.min(1, y - y0));
  const i = (y0 * width + x0) * 4;
  const j = i + width * 4;
  return (lum(data, i) * (1 - fx) + lum(data, i + 4) * fx) * (1 - fy) + (lum(data, j) * (1 - fx) + lum(data, j + 4) * fx) * fy;
}

// Hot paths create no closures: under tsx every function created is also named at run time, which costs more than the work.
function lum(data: Uint8ClampedArray, k: number): number {
  return ((data[k] as number) * 77 + (data[k + 1] as number) * 150 + (data[k + 2] as number) * 29) / 256;
}

/** The minimum (or the maximum) of `v` within `window` either side of each index, in one pass (a monotonic queue). */
function slidingExtreme(v: Float32Array, window: number, max: boolean): Float32Array {
  const n = v.length;
  const out = new Float32Array(n);
  const q = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    for (; next <= Math.min(n - 1, i + window); next++) {
      while (tail > head && (max ? (v[q[tail - 1] as number] as number) < (v[next] as number) : (v[q[tail - 1] as number] as number) > (v[next] as number)))
        tail--;
      q[tail++] = next;
    }
    while ((q[head] as number) < i - window) head++;
    out[i] = v[q[head] as number] as number;
  }
  return out;
}

/** Edges (sub-sample positions, alternating) of a grey profile under a local mid-level threshold; the first edge is light to dark. */
function edges(profile: Float32Array, window: number): number[] | undefined {
  const n = profile.length;
  const lo = slidingExtreme(profile, window, false);
  const hi = slidingExtreme(profile, window, true);
  const t = new Float32Array(n);
  let contrast = 0;
  for (let i = 0; i < n; i++) {
    t[i] = ((lo[i] as number) + (hi[i] as number)) / 2;
    contrast = Math.max(contrast, (hi[i] as number) - (lo[i] as number));
  }
  if (contrast < 24) return undefined;
  const out: number[] = [];
  let dark = false;
  for (let i = 1; i < n; i++) {
    const a = (profile[i - 1] as number) - (t[i - 1] as number);
    const b = (profile[i] as number) - (t[i] as number);
    const nowDark = b < 0;
    if (nowDark !== dark && (out.length > 0 || nowDark)) {
      out.push(i - 1 + a / (a - b || 1));
      dark = nowDark;
    }
  }
  return out;
}

/** The digit patterns for one position: candidates and their digits. */
function fit(widths: readonly number[], candidates: readonly (readonly number[])[]): { best: number; bestD: number; secondD: number } {
  const sum = widths.reduce((a, b) => a + b, 0);
  let best = -1;
  let bestD = Infinity;
  let secondD = Infinity;
  for (let i = 0; i < candidates.length; i++) {
    const p = candidates[i] as readonly number[];
    let d = 0;
    for (let k = 0; k < 4; k++) d += Math.abs(((widths[k] as number) * 7) / sum - (p[k] as number));
    if (d < bestD) {
      secondD = bestD;
      bestD = d;
      best = i;
    } else if (d < secondD) secondD = d;
  }
  return { best, bestD, secondD };
}

type LineRead = { digits: number[]; clear: boolean };

/** Reads the digits from the element widths of a whole symbol (bar first); undefined when the layout does not fit. */
/** EAN-13/UPC-A (13), EAN-8 (8) or UPC-E (`e`, its text the 13-digit expansion). */
type Layout = 8 | 13 | 'e';

/** UPC-E parity of the six digits for number system 0, by check digit (true: G); number system 1 is its complement. */
const UPCE_PARITY = ['GGGLLL', 'GGLGLL', 'GGLLGL', 'GGLLLG', 'GLGGLL', 'GLLGGL', 'GLLLGG', 'GLGLGL', 'GLGLLG', 'GLLGLG'].map((s) =>
  [...s].map((c) => c === 'G'),
);

/** The UPC-A a UPC-E stands for, as 13 digits (leading 0). */
function expandUpcE(ns: number, d: readonly number[], check: number): number[] {
  const [d1, d2, d3, d4, d5, d6] = d as [number, number, number, number, number, number];
  const body =
    d6 <= 2
      ? [d1, d2, d6, 0, 0, 0, 0, d3, d4, d5]
      : d6 === 3
        ? [d1, d2, d3, 0, 0, 0, 0, 0, d4, d5]
        : d6 === 4
          ? [d1, d2, d3, d4, 0, 0, 0, 0, 0, d5]
          : [d1, d2, d3, d4, d5, 0, 0, 0, 0, d6];
  return [0, ns, ...body, check];
}

/** Reads a UPC-E's six digits from its 33 element widths (bar first). */
function readUpcE(w: readonly number[]): LineRead | undefined {
  const moduleAt = (i: number) => (w[i]! + w[i + 1]! + w[i + 2]! + w[i + 3]!) / 7;
  const guardOk = (from: number, count: number, module: number) => w.slice(from, from + count).every((g) => g > module * 0.4 && g < module * 1.9);
  if (!guardOk(0, 3, moduleAt(3)) || !guardOk(27, 6, moduleAt(23))) return undefined;
  const digits: number[] = [];
  const parity: boolean[] = [];
  let clear = true;
  for (let i = 0; i < 6; i++) {
    const f = fit(w.slice(3 + 4 * i, 7 + 4 * i), [...L, ...G]);
    if (f.secondD - f.bestD < MARGIN) clear = false;
    digits.push(f.best % 10);
    parity.push(f.best >= 10);
  }
  for (const ns of [0, 1]) {
    const check = UPCE_PARITY.findIndex((p) => p.every((g, i) => (ns === 0 ? g : !g) === parity[i]));
    if (check < 0) continue;
    const all = expandUpcE(ns, digits, check);
    return { digits: all, clear: clear && checkDigitOk(all) };
  }
  return undefined;
}

function readElements(w: readonly number[], length: 8 | 13): LineRead | undefined {
  const half = length === 13 ? 6 : 4;
  // Guards against the module of the digits beside them: perspective changes the module along the line.
  const moduleAt = (i: number) => (w[i]! + w[i + 1]! + w[i + 2]! + w[i + 3]!) / 7;
  const mid = 3 + 4 * half;
  const right = mid + 5;
  const guardOk = (from: number, count: number, module: number) => w.slice(from, from + count).every((g) => g > module * 0.4 && g < module * 1.9);
  if (!guardOk(0, 3, moduleAt(3)) || !guardOk(mid, 5, (moduleAt(mid - 4) + moduleAt(right)) / 2) || !guardOk(w.length - 3, 3, moduleAt(w.length - 7)))
    return undefined;
  const digits: number[] = [];
  let clear = true;
  const parity: boolean[] = [];
  for (let i = 0; i < half; i++) {
    const f = fit(w.slice(3 + 4 * i, 7 + 4 * i), length === 13 ? [...L, ...G] : L);
    if (f.secondD - f.bestD < MARGIN) clear = false;
    digits.push(f.best % 10);
    parity.push(f.best >= 10);
  }
  for (let i = 0; i < half; i++) {
    const f = fit(w.slice(right + 4 * i, right + 4 + 4 * i), L);
    if (f.secondD - f.bestD < MARGIN) clear = false;
    digits.push(f.best);
  }
  if (length === 13) {
    const first = PARITY.findIndex((p) => p.every((g, i) => g === parity[i]));
    if (first < 0) return undefined;
    digits.unshift(first);
  }
  return checkDigitOk(digits) ? { digits, clear } : { digits, clear: false };
}

const NO_LAYOUT = 'no line across the symbol could be measured';

/** An unsharp mask along a profile (box blur of `radius` samples). */
function sharpenProfile(v: Float32Array, radius: number): Float32Array {
  const n = v.length;
  const out = new Float32Array(n);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += v[Math.min(n - 1, Math.max(0, k))] as number;
  for (let i = 0; i < n; i++) {
    out[i] = (v[i] as number) * 2 - sum / (2 * radius + 1);
    sum += (v[Math.min(n - 1, i + radius + 1)] as number) - (v[Math.max(0, i - radius)] as number);
  }
  return out;
}

/** Reads one profile (6 modules of quiet zone first; `m` samples per module) either way round. */
function readLine(profile: Float32Array, m: number, want: string, length: Layout): EanVerdict {
  const elements = length === 13 ? 59 : length === 8 ? 43 : 33;
  const count = profile.length;
  const e = edges(profile, Math.ceil(3.5 * m));
  if (!e) return { kind: 'unclear', why: NO_LAYOUT };
  let why = NO_LAYOUT;
  // Element widths from the first dark edge near the symbol's start (either end for a reversed read).
  for (const reversed of [false, true]) {
    const es = reversed ? e.map((x) => count - 1 - x).reverse() : e;
    // Mirrored, an odd list starts with a dark-to-light edge: skip it.
    const from = reversed && es.length % 2 === 1 ? 1 : 0;
    const startAt = 6 * m;
    let k = -1;
    for (let i = from; i < es.length; i += 2)
      if (Math.abs((es[i] as number) - startAt) < 3 * m && (k < 0 || Math.abs((es[i] as number) - startAt) < Math.abs((es[k] as number) - startAt))) k = i;
    if (k < 0 || k + elements >= es.length) continue;
    const w: number[] = [];
    for (let i = 0; i < elements; i++) w.push((es[k + i + 1] as number) - (es[k + i] as number));
    const read = length === 'e' ? readUpcE(w) : readElements(w, length);
    if (!read) continue;
    const got = read.digits.join('');
    if (got === want && read.clear) return { kind: 'agree' };
    if (got !== want && read.clear) return { kind: 'other', text: got };
    why = 'a digit is unclear (bars measured halfway between two patterns)';
  }
  return { kind: 'unclear', why };
}

/**
 * Measures an EAN-13/UPC-A (13 digits, UPC-A with its leading 0), EAN-8 or UPC-E (`upcE`, the text its 13-digit expansion) again along
 * lines across `quad`: `agree` when a line reads `text` with every digit clear, `other`
 * when a line clearly reads another valid code, `unclear` otherwise.
 */
export function checkEan(frame: Frame, quad: Quad, text: string, upcE = false): EanVerdict {
  const length: Layout = upcE ? 'e' : text.length === 8 ? 8 : 13;
  const digits = length === 8 ? 8 : 13;
  const want = (text.length === 12 ? `0${text}` : text).slice(0, digits);
  if (!/^\d+$/.test(want) || want.length !== digits) return { kind: 'unclear', why: 'not an EAN/UPC text' };
  const modules = length === 13 ? 95 : length === 8 ? 67 : 51;
  let why = NO_LAYOUT;
  const flat = Math.hypot(quad.bottomLeft.x - quad.topLeft.x, quad.bottomLeft.y - quad.topLeft.y) < 2;
  for (let n = 0; n < LINES; n++) {
    const t = (n + 0.5) / LINES;
    let ax = quad.topLeft.x + (quad.bottomLeft.x - quad.topLeft.x) * t;
    let ay = quad.topLeft.y + (quad.bottomLeft.y - quad.topLeft.y) * t;
    let bx = quad.topRight.x + (quad.bottomRight.x - quad.topRight.x) * t;
    let by = quad.topRight.y + (quad.bottomRight.y - quad.topRight.y) * t;
    if (flat) {
      // One row reported: lines 3 px apart across it, on either side.
      const l = Math.hypot(bx - ax, by - ay) || 1;
      const o = (n - (LINES - 1) / 2) * 3;
      ax -= ((by - ay) / l) * o;
      bx -= ((by - ay) / l) * o;
      ay += ((bx - ax) / l) * o;
      by += ((bx - ax) / l) * o;
    }
    const len = Math.hypot(bx - ax, by - ay);
    if (len < modules) return { kind: 'unclear', why: 'too small to measure' };
    const m = len / modules;
    // Half a module per sample, from 6 modules before the symbol to 6 after.
    const step = Math.min(1, m / 2);
    const count = Math.floor((len + 12 * m) / step);
    const profile = new Float32Array(count);
    const ux = (bx - ax) / len;
    const uy = (by - ay) / len;
    for (let i = 0; i < count; i++) {
      const s = i * step - 6 * m;
      const x = ax + ux * s;
      const y = ay + uy * s;
      // Three points across the line: sensor noise averages out, the bars do not.
      profile[i] = (greyAt(frame, x - uy * 1.5, y + ux * 1.5) + greyAt(frame, x, y) + greyAt(frame, x + uy * 1.5, y - ux * 1.5)) / 3;
    }
    // As sampled, then sharpened (a narrow space lost in defocus comes back): either must read clearly.
    for (const p of [profile, sharpenProfile(profile, Math.max(1, Math.round(m / step)))]) {
      const v = readLine(p, m / step, want, length);
      if (v.kind !== 'unclear') return v;
      if (v.why !== NO_LAYOUT) why = v.why;
    }
  }
  return { kind: 'unclear', why };
}

/** The formats measured a second time. */
const EAN_CHECKED: ReadonlySet<ScanFormat> = new Set<ScanFormat>(['ean-13', 'upc-a', 'ean-8', 'upc-e']);

/** What an engine attaches to a read of `format` at `quad`: nothing when confirmed or not an EAN/UPC, else the doubt. */
export function eanDoubt(frame: Frame, format: ScanFormat, text: string, quad: Quad | undefined): Decoded['doubt'] {
  if (!EAN_CHECKED.has(format)) return undefined;
  if (!quad) return { why: 'the engine did not say where the symbol is' };
  const v = checkEan(frame, quad, text, format === 'upc-e');
  if (v.kind === 'agree') return undefined;
  return v.kind === 'other' ? { why: `the bars also read as ${v.text}`, other: v.text } : { why: v.why };
}
