/**
 * Image preparation before decoding. A 1D decoder thresholds each scan line, so a blurred
 * narrow space between two wide bars vanishes; an unsharp mask can restore it. A single
 * photo is decoded every way and the ways must agree (`photo.ts`); the live camera decodes
 * frames as captured, where the next frame is the better second chance.
 */
import { greyAndHalf } from './grey-kernel.ts';
import type { Frame } from './types.ts';

/** The frame's grey levels (the decoders read luminance only). */
export function luminance(frame: Frame): Float32Array {
  const { data } = frame;
  const g = new Float32Array(frame.width * frame.height);
  for (let i = 0, p = 0; i < g.length; i++, p += 4) g[i] = ((data[p] as number) * 77 + (data[p + 1] as number) * 150 + (data[p + 2] as number) * 29) / 256;
  return g;
}

/** A rectangle of a frame. */
export type Rect = { x: number; y: number; width: number; height: number };

/**
 * A frame's grey levels at full and half resolution, each a binary PGM file that ZXing
 * reads as it is (an RGBA frame it converts in JavaScript on every read). The grey levels
 * and their 2x2 means come from WebAssembly SIMD (`grey-kernel.ts`).
 */
export type GreyFrame = {
  readonly full: Uint8Array;
  readonly half: Uint8Array;
  /** A rectangle of the full frame, every `step`-th row of it, as a PGM file. */
  crop(r: Rect, step: number): Uint8Array;
};

function pgm(width: number, height: number): { file: Uint8Array; at: number } {
  const head = `P5\n${width} ${height}\n255\n`;
  const file = new Uint8Array(head.length + width * height);
  for (let i = 0; i < head.length; i++) file[i] = head.charCodeAt(i);
  return { file, at: head.length };
}

/** The grey levels of a frame (BT.601 weights, as ZXing's own conversion) and their 2x2 means. */
export function greyFrame(frame: Frame): GreyFrame {
  const { width: w, height: h } = frame;
  const full = pgm(w, h);
  const hw = w >> 1;
  const hh = h >> 1;
  const half = pgm(hw, hh);
  const g = full.file;
  const f0 = full.at;
  greyAndHalf(frame.data, w, h, g, f0, half.file, half.at);
  return {
    full: g,
    half: half.file,
    crop(r: Rect, step: number): Uint8Array {
      const rows = Math.ceil(r.height / step);
      const out = pgm(r.width, rows);
      for (let y = 0; y < rows; y++) {
        const from = f0 + (r.y + y * step) * w + r.x;
        out.file.set(g.subarray(from, from + r.width), out.at + y * r.width);
      }
      return out.file;
    },
  };
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
