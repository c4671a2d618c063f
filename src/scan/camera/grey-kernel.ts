/**
 * A frame's grey levels, four pixels at a time in WebAssembly SIMD (`grey.wat`): in
 * JavaScript this loop was a third of a camera frame's decode time (about 6 ms a 1280x720
 * frame against 2 ms, copies included, measured on this project's machine). Where the
 * browser has no WebAssembly SIMD, the same arithmetic runs in JavaScript.
 */

/**
 * `grey.wat` compiled (wabt; `tests/scan/grey-kernel.test.ts` compiles it again and checks
 * these bytes against it, so the two cannot drift apart).
 */
export const GREY_WASM_BASE64 =
  'AGFzbQEAAAABBQFgAX8AAwIBAAUDAQABBxECBm1lbW9yeQIABGdyZXkAAAr9AQH6AQIDfwJ7IABBAnQhAiACIQMCQANAIAEgAk8NASAB/QAEACEEIAT9DP8AAAD/AAAA/wAAAP8AAAD9Tv0MMgEAADIBAAAyAQAAMgEAAP21ASAEQQj9rQH9DP8AAAD/AAAA/wAAAP8AAAD9Tv0MWQIAAFkCAABZAgAAWQIAAP21Af2uASAEQRD9rQH9DP8AAAD/AAAA/wAAAP8AAAD9Tv0MdQAAAHUAAAB1AAAAdQAAAP21Af0MAAIAAAACAAAAAgAAAAIAAP2uAf2uAUEK/a0BIQUgBSAF/YYBIQUgAyAFIAX9Zv0bADYCACABQRBqIQEgA0EEaiEDDAALCws=';

type Kernel = { memory: WebAssembly.Memory; grey: (n: number) => void };

let kernel: Kernel | null | undefined;

/** The compiled kernel, or null where this runtime cannot run it. */
function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    const bytes = Uint8Array.from(atob(GREY_WASM_BASE64), (c) => c.charCodeAt(0));
    if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) {
      // 299 bytes: small enough to compile synchronously on any thread.
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
      kernel = { memory: exports.memory as WebAssembly.Memory, grey: exports.grey as (n: number) => void };
    }
  } catch {
    kernel = null;
  }
  return kernel;
}

/**
 * Writes the grey levels of `n` RGBA pixels into `out` from `at`:
 * (306 R + 601 G + 117 B + 512) >> 10, the BT.601 weights ZXing's own conversion uses.
 * `simd: false` runs the JavaScript loop alone (the fallback, and the tests' reference).
 */
export function greyLevels(rgba: Uint8ClampedArray, out: Uint8Array, at: number, n: number, simd = true): void {
  const k = simd ? load() : null;
  let done = 0;
  if (k) {
    const m = n & ~3;
    const pages = Math.ceil((m * 5) / 65536) - k.memory.buffer.byteLength / 65536;
    if (pages > 0) k.memory.grow(pages);
    const mem = new Uint8Array(k.memory.buffer);
    mem.set(rgba.subarray(0, m * 4), 0);
    k.grey(m);
    out.set(mem.subarray(m * 4, m * 5), at);
    done = m;
  }
  for (let i = done, p = done * 4; i < n; i++, p += 4) {
    out[at + i] = (306 * (rgba[p] as number) + 601 * (rgba[p + 1] as number) + 117 * (rgba[p + 2] as number) + 512) >> 10;
  }
}
