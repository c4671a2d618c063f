/**
 * A frame's grey levels and their 2x2 means, in WebAssembly SIMD (`grey.wat`): in
 * JavaScript the grey levels alone were about a third of a camera frame's decode time
 * (6.5 ms a 1280x720 frame against 1.7 ms, copies included, measured on this project's
 * machine). Where the runtime has no WebAssembly SIMD, the same arithmetic runs in JavaScript.
 */

/**
 * `grey.wat` compiled (wabt; `tests/scan/grey-kernel.test.ts` compiles it again and checks
 * these bytes against it, so the two cannot drift apart).
 */
export const GREY_WASM_BASE64 =
  'AGFzbQEAAAABDgJgA39/fwBgBH9/f38AAwMCAAEFAwEAAQcYAwZtZW1vcnkCAARncmV5AAAEaGFsZgABCoIEAvkBAgF/AnsgACABQQJ0aiEDAkADQCAAIANPDQEgAP0ABAAhBCAE/Qz/AAAA/wAAAP8AAAD/AAAA/U79DDIBAAAyAQAAMgEAADIBAAD9tQEgBEEI/a0B/Qz/AAAA/wAAAP8AAAD/AAAA/U79DFkCAABZAgAAWQIAAFkCAAD9tQH9rgEgBEEQ/a0B/Qz/AAAA/wAAAP8AAAD/AAAA/U79DHUAAAB1AAAAdQAAAHUAAAD9tQH9DAACAAAAAgAAAAIAAAACAAD9rgH9rgFBCv2tASEFIAUgBf2GASEFIAIgBSAF/Wb9GwA2AgAgAEEQaiEAIAJBBGohAgwACwsLhAICB38BeyAAQQF2IQQgAUEBdiEFAkADQCAGIAVPDQEgAiAGQQF0IABsaiEIIAggAGohCSADIAYgBGxqIQpBACEHAkADQCAHQRBqIARBAXRLDQEgCCAHav0ABAD9fSAJIAdq/QAEAP19/Y4B/QwCAAIAAgACAAIAAgACAAIA/Y4BQQL9jQEhCyAKIAdBAXZqIAsgC/1m/R0ANwMAIAdBEGohBwwACwsCQANAIAcgBEEBdE8NASAKIAdBAXZqIAggB2otAAAgCCAHQQFqai0AAGogCSAHai0AACAJIAdBAWpqLQAAampBAmpBAnY6AAAgB0ECaiEHDAALCyAGQQFqIQYMAAsLCw==';

type Kernel = {
  memory: WebAssembly.Memory;
  grey: (src: number, n: number, dst: number) => void;
  half: (w: number, h: number, src: number, dst: number) => void;
};

let kernel: Kernel | null | undefined;

/** The compiled kernel, or null where this runtime cannot run it. */
function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    const bytes = Uint8Array.from(atob(GREY_WASM_BASE64), (c) => c.charCodeAt(0));
    if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) {
      // Under 1 KB: small enough to compile synchronously on any thread.
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
      kernel = { memory: exports.memory as WebAssembly.Memory, grey: exports.grey as Kernel['grey'], half: exports.half as Kernel['half'] };
    }
  } catch {
    kernel = null;
  }
  return kernel;
}

/** (306 R + 601 G + 117 B + 512) >> 10: the BT.601 weights ZXing's own conversion uses. */
function greyAt(rgba: Uint8ClampedArray, p: number): number {
  return (306 * (rgba[p] as number) + 601 * (rgba[p + 1] as number) + 117 * (rgba[p + 2] as number) + 512) >> 10;
}

/**
 * The grey levels of a `w` x `h` RGBA image written into `full` from `fullAt`, and their
 * 2x2 means ((a + b + c + d + 2) >> 2; an odd last column or row left out) into `half` from
 * `halfAt`. `simd: false` runs the JavaScript loops alone (the fallback, and the tests' reference).
 */
export function greyAndHalf(
  rgba: Uint8ClampedArray,
  w: number,
  h: number,
  full: Uint8Array,
  fullAt: number,
  half: Uint8Array,
  halfAt: number,
  simd = true,
): void {
  const n = w * h;
  const hw = w >> 1;
  const hh = h >> 1;
  const k = simd ? load() : null;
  if (k) {
    // rgba at 0, grey after it, the half after that.
    const g = n * 4;
    const hf = g + n;
    const pages = Math.ceil((hf + hw * hh) / 65536) - k.memory.buffer.byteLength / 65536;
    if (pages > 0) k.memory.grow(pages);
    const mem = new Uint8Array(k.memory.buffer);
    mem.set(rgba.subarray(0, n * 4), 0);
    const m = n & ~3;
    k.grey(0, m, g);
    for (let i = m; i < n; i++) mem[g + i] = greyAt(rgba, i * 4);
    k.half(w, h, g, hf);
    full.set(mem.subarray(g, g + n), fullAt);
    half.set(mem.subarray(hf, hf + hw * hh), halfAt);
    return;
  }
  for (let i = 0; i < n; i++) full[fullAt + i] = greyAt(rgba, i * 4);
  for (let y = 0; y < hh; y++) {
    let a = fullAt + 2 * y * w;
    let o = halfAt + y * hw;
    for (let x = 0; x < hw; x++, a += 2, o++)
      half[o] = ((full[a] as number) + (full[a + 1] as number) + (full[a + w] as number) + (full[a + w + 1] as number) + 2) >> 2;
  }
}
