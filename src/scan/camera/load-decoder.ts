/**
 * The one door to the decoding libraries: each engine is a dynamic import, loaded when
 * the camera opens, so no barcode library is in the app's first download.
 */
import { chooseEngine, wasmUsable } from './choose-engine.ts';
import type { Decoder, EngineName } from './types.ts';
import type { EngineConfig } from './zxing-wasm-engine.ts';

/**
 * Loads the best engine this browser can run (or `preferred`), falling back on failure.
 * Only zxing-wasm reads every symbology a site may enable; the others read what they can.
 */
export async function loadBrowserDecoder(preferred: EngineName | undefined, config: EngineConfig): Promise<Decoder> {
  const { nativeDetectorUsable } = await import('./native-engine.ts');
  const abilities = { nativeUsable: await nativeDetectorUsable(config.symbologies), wasmUsable: wasmUsable() };
  const order: EngineName[] = [chooseEngine(abilities, preferred), 'zxing-wasm', 'zxing-browser'];
  let lastError: unknown;
  for (const engine of [...new Set(order)]) {
    if (engine === 'zxing-wasm' && !abilities.wasmUsable) continue;
    try {
      if (engine === 'native') return await (await import('./native-engine.ts')).createNativeDecoder(config.symbologies);
      if (engine === 'zxing-wasm') return await (await import('./worker-decoder.ts')).createWorkerDecoder(config);
      return await (await import('./zxing-browser-engine.ts')).createZxingBrowserDecoder();
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`no camera decoder could start: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
