/**
 * Which engine reads the camera: the browser's own detector when it has every needed
 * format, else ZXing-C++ in WebAssembly, else the TypeScript port. A user may pin one.
 */
import type { EngineName } from './types.ts';

export type EngineAbilities = { nativeUsable: boolean; wasmUsable: boolean };

/** Picks the engine to use; `preferred` wins only where it can run. */
export function chooseEngine(abilities: EngineAbilities, preferred?: EngineName): EngineName {
  const can = (e: EngineName) => (e === 'native' ? abilities.nativeUsable : e === 'zxing-wasm' ? abilities.wasmUsable : true);
  if (preferred && can(preferred)) return preferred;
  if (abilities.nativeUsable) return 'native';
  if (abilities.wasmUsable) return 'zxing-wasm';
  return 'zxing-browser';
}

/** True when this runtime can compile WebAssembly (a CSP or an old browser may forbid it). */
export function wasmUsable(): boolean {
  try {
    if (typeof WebAssembly !== 'object') return false;
    // The smallest valid module: magic number and version.
    return new WebAssembly.Module(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00)) instanceof WebAssembly.Module;
  } catch {
    return false;
  }
}
