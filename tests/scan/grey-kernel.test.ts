import { readFile } from 'node:fs/promises';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { GREY_WASM_BASE64, greyAndHalf } from '../../src/scan/camera/grey-kernel.ts';
import { greyFrame, luminance } from '../../src/scan/camera/prep.ts';
import { seeded } from '../fixtures/random.ts';

describe('grey levels in WebAssembly SIMD', () => {
  it('the committed bytes are grey.wat compiled', async () => {
    const wabt = await wabtInit();
    const wat = await readFile(new URL('../../src/scan/camera/grey.wat', import.meta.url), 'utf8');
    const { buffer } = wabt.parseWat('grey.wat', wat, { simd: true }).toBinary({});
    expect(Buffer.from(buffer).toString('base64')).toBe(GREY_WASM_BASE64);
  });

  it('gives the very grey levels and 2x2 means of the JavaScript loops, for any size (odd sides, tails under 4 and 16)', () => {
    expect(WebAssembly.validate(Uint8Array.from(atob(GREY_WASM_BASE64), (c) => c.charCodeAt(0)))).toBe(true);
    const rand = seeded(7);
    for (const [w, h] of [
      [1, 1],
      [3, 1],
      [2, 2],
      [5, 3],
      [17, 3],
      [33, 9],
      [1283, 7],
      [1280, 720],
    ] as const) {
      const n = w * h;
      const rgba = new Uint8ClampedArray(n * 4);
      for (let i = 0; i < rgba.length; i++) rgba[i] = rand() * 256;
      // Extremes: white, black, pure red.
      rgba.set([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255].slice(0, Math.min(12, n * 4)));
      const halfLength = (w >> 1) * (h >> 1);
      const [simdFull, jsFull] = [new Uint8Array(n + 5), new Uint8Array(n + 5)];
      const [simdHalf, jsHalf] = [new Uint8Array(halfLength + 3), new Uint8Array(halfLength + 3)];
      greyAndHalf(rgba, w, h, simdFull, 5, simdHalf, 3);
      greyAndHalf(rgba, w, h, jsFull, 5, jsHalf, 3, false);
      expect(Buffer.from(simdFull).equals(Buffer.from(jsFull)), `${w}x${h}`).toBe(true);
      expect(Buffer.from(simdHalf).equals(Buffer.from(jsHalf)), `half ${w}x${h}`).toBe(true);
      if (n >= 3) expect([...simdFull.subarray(5, 8)]).toEqual([255, 0, 76]);
    }
  });

  it('a frame as PGM: header, then grey levels within a level of the float conversion; the half its 2x2 means', () => {
    const rand = seeded(11);
    const w = 33;
    const h = 9;
    const data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < data.length; i++) data[i] = rand() * 256;
    const g = greyFrame({ data, width: w, height: h });
    const head = `P5\n${w} ${h}\n255\n`;
    expect(new TextDecoder().decode(g.full.subarray(0, head.length))).toBe(head);
    const grey = g.full.subarray(head.length);
    const ref = luminance({ data, width: w, height: h });
    for (let i = 0; i < w * h; i++) expect(Math.abs((grey[i] as number) - (ref[i] as number))).toBeLessThanOrEqual(1);
    const halfHead = `P5\n16 4\n255\n`;
    expect(new TextDecoder().decode(g.half.subarray(0, halfHead.length))).toBe(halfHead);
    const at = (x: number, y: number) => grey[y * w + x] as number;
    expect(g.half[halfHead.length + 16 + 3]).toBe((at(6, 2) + at(7, 2) + at(6, 3) + at(7, 3) + 2) >> 2);
  });
});
