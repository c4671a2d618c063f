/**
 * The camera engines as Node can run them, for `npm run decode`, the corpus tests and
 * the benchmark: the same decoder code the browser uses, with the .wasm read from disk.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Decoder, EngineName } from '../camera/types.ts';
import { CAMERA_TUNING, DEFAULT_ENGINE_CONFIG, type EngineConfig, type ZxingWasmTuning } from '../camera/zxing-wasm-engine.ts';

/** The engines this Node runtime has (native BarcodeDetector exists only in browsers). */
export function nodeEngines(): EngineName[] {
  return 'BarcodeDetector' in globalThis ? ['native', 'zxing-wasm', 'zxing-browser'] : ['zxing-wasm', 'zxing-browser'];
}

/** Creates one engine's decoder in Node; zxing-wasm with the camera's tuning unless told otherwise. */
export async function createNodeDecoder(
  engine: EngineName,
  tuning: ZxingWasmTuning = CAMERA_TUNING,
  config: EngineConfig = DEFAULT_ENGINE_CONFIG,
): Promise<Decoder> {
  switch (engine) {
    case 'zxing-wasm': {
      const { createZxingWasmDecoderFrom } = await import('../camera/zxing-wasm-engine.ts');
      const path = fileURLToPath(import.meta.resolve('zxing-wasm/reader/zxing_reader.wasm'));
      const bytes = await readFile(path);
      const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return createZxingWasmDecoderFrom(await import('zxing-wasm/reader'), { wasmBinary }, tuning, config);
    }
    case 'zxing-browser': {
      const { createZxingBrowserDecoder } = await import('../camera/zxing-browser-engine.ts');
      return createZxingBrowserDecoder();
    }
    case 'native': {
      const { createNativeDecoder } = await import('../camera/native-engine.ts');
      return createNativeDecoder(config.symbologies);
    }
  }
}
