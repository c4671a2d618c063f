/**
 * Image preparation before decoding. A 1D decoder thresholds each scan line, so a blurred
 * narrow space between two wide bars vanishes; an unsharp mask can restore it. A single
 * photo is decoded every way and the ways must agree (`photo.ts`); the live camera decodes
 * frames as captured, where the next frame is the better second chance.
 */
import type { Frame } from './types.ts';

/** The frame's grey levels (the decoders read luminance only). */
export function luminance(frame: Frame): Float32Array {
  const { data } = frame;
  const g = new Float32Array(frame.width * frame.height);
  for (let i = 0, p = 0; i < g.length; i++, p += 4) g[i] = ((data[p] as number) * 77 + (data[p + 1] as number) * 150 + (data[p + 2] as number) * 29) / 256;
  return g;
}

/** Grey levels back into an RGBA frame. */
export function toFrame(g: Float32Array, width: number, height: number): Frame {
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

/**
 * An unsharp mask: the frame plus `amount` times its difference from a box blur of
 * `radius`. Rows only, in memory order (running sums across and down), so it stays a
 * few milliseconds on a 1280x720 frame.
 */
export function sharpen(frame: Frame, radius: number, amount: number): Frame {
  const { width: w, height: h } = frame;
  const g = luminance(frame);
  const r = radius;
  const t = new Float32Array(g.length);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let sum = (g[o] as number) * (r + 1);
    for (let k = 1; k <= r; k++) sum += g[o + Math.min(w - 1, k)] as number;
    for (let x = 0; x < w; x++) {
      t[o + x] = sum;
      sum += (g[o + (x + r + 1 < w ? x + r + 1 : w - 1)] as number) - (g[o + (x - r >= 0 ? x - r : 0)] as number);
    }
  }
  const col = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    let sum = (t[x] as number) * (r + 1);
    for (let k = 1; k <= r; k++) sum += t[Math.min(h - 1, k) * w + x] as number;
    col[x] = sum;
  }
  const area = (2 * r + 1) * (2 * r + 1);
  const out = new Uint8ClampedArray(g.length * 4);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const below = (y + r + 1 < h ? y + r + 1 : h - 1) * w;
    const above = (y - r >= 0 ? y - r : 0) * w;
    for (let x = 0; x < w; x++) {
      const v = g[o + x] as number;
      const s = v + amount * (v - (col[x] as number) / area);
      const p = (o + x) * 4;
      out[p] = s;
      out[p + 1] = s;
      out[p + 2] = s;
      out[p + 3] = 255;
      col[x] = (col[x] as number) + (t[below + x] as number) - (t[above + x] as number);
    }
  }
  return { data: out, width: w, height: h };
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
