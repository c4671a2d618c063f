/**
 * Image preparation before decoding. A 1D decoder thresholds each scan line, so a blurred
 * narrow space between two wide bars vanishes; an unsharp mask restores it. The camera
 * alternates plain and sharpened frames (two differently prepared images of one label are
 * also independent evidence), and a single photo is tried every way.
 */
import type { Frame } from './types.ts';

/** Box blur of one line of `n` values read with `stride`, radius `r`, from `src` into `dst` (running sums). */
function blurLine(src: Float32Array, dst: Float32Array, start: number, n: number, stride: number, r: number): void {
  const w = 2 * r + 1;
  let sum = 0;
  for (let k = -r; k <= r; k++) sum += src[start + Math.min(n - 1, Math.max(0, k)) * stride] as number;
  for (let i = 0; i < n; i++) {
    dst[start + i * stride] = sum / w;
    const add = Math.min(n - 1, i + r + 1);
    const drop = Math.max(0, i - r);
    sum += (src[start + add * stride] as number) - (src[start + drop * stride] as number);
  }
}

/** The frame's grey levels (the decoders read luminance only). */
export function luminance(frame: Frame): Float32Array {
  const { data } = frame;
  const g = new Float32Array(frame.width * frame.height);
  for (let i = 0, p = 0; i < g.length; i++, p += 4) g[i] = ((data[p] as number) * 77 + (data[p + 1] as number) * 150 + (data[p + 2] as number) * 29) / 256;
  return g;
}

function toFrame(g: Float32Array, width: number, height: number): Frame {
  const out = new Uint8ClampedArray(g.length * 4);
  for (let i = 0, p = 0; i < g.length; i++, p += 4) {
    const v = g[i] as number;
    out[p] = v;
    out[p + 1] = v;
    out[p + 2] = v;
    out[p + 3] = 255;
  }
  return { data: out, width, height };
}

/** An unsharp mask: the frame plus `amount` times its difference from a box blur of `radius`. */
export function sharpen(frame: Frame, radius: number, amount: number): Frame {
  const { width: w, height: h } = frame;
  const g = luminance(frame);
  const b = new Float32Array(g.length);
  const t = new Float32Array(g.length);
  for (let y = 0; y < h; y++) blurLine(g, t, y * w, w, 1, radius);
  for (let x = 0; x < w; x++) blurLine(t, b, x, h, w, radius);
  for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) + amount * ((g[i] as number) - (b[i] as number));
  return toFrame(g, w, h);
}

/** Halves the frame (2x2 means): a blur twice as narrow in pixels, a code half as wide. */
export function halve(frame: Frame): Frame {
  const w = frame.width >> 1;
  const h = frame.height >> 1;
  const g = luminance(frame);
  const o = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 2 * y * frame.width + 2 * x;
      o[y * w + x] = ((g[i] as number) + (g[i + 1] as number) + (g[i + frame.width] as number) + (g[i + frame.width + 1] as number)) / 4;
    }
  }
  return toFrame(o, w, h);
}

/** One way of preparing a frame; `plain` is the frame as captured. */
export type Prep = 'plain' | 'sharpen' | 'sharpen-strong' | 'halve';

/** Prepares a frame the given way. */
export function prepare(frame: Frame, prep: Prep): Frame {
  switch (prep) {
    case 'plain':
      return frame;
    case 'sharpen':
      return sharpen(frame, 3, 1.5);
    case 'sharpen-strong':
      return sharpen(frame, 6, 3);
    case 'halve':
      return halve(frame);
  }
}
