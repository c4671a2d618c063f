/**
 * ZXing-C++ compiled to WebAssembly. The .wasm file is never fetched from a CDN: the
 * browser worker passes the URL Vite emitted for it, Node passes its bytes.
 */
import type { ScanFormat } from '../../domain/barcode/parse-scan.ts';
import type * as ZxingReader from 'zxing-wasm/reader';
import type { Decoded, Decoder, Frame } from './types.ts';

export type WasmSource = { wasmUrl: string } | { wasmBinary: ArrayBuffer };

export type ZxingWasmTuning = { tryHarder?: boolean; tryRotate?: boolean; tryDownscale?: boolean; downscaleFactor?: number; minLineCount?: number; binarizer?: 'LocalAverage' | 'GlobalHistogram' };

/**
 * Live camera: every frame must finish within a frame budget; the next frame is another
 * try. Chosen on the generated corpus (bench/scan.bench.ts): one agreeing scan line is
 * enough because the pipeline's two-decode rule already guards 1D reads, and a finer
 * downscale keeps small codes readable at about the same cost.
 */
export const CAMERA_TUNING: ZxingWasmTuning = { tryHarder: false, tryRotate: true, minLineCount: 1, downscaleFactor: 2 };
/** A single photo (`npm run decode`): one chance, so spend the time. */
export const PHOTO_TUNING: ZxingWasmTuning = { tryHarder: true, tryRotate: true };

/** Maps a ZXing-C++ result to the app's format; GS1 comes from the symbology identifier. */
export function formatFromZxingCpp(format: string, symbologyIdentifier: string, text: string): ScanFormat {
  switch (format) {
    case 'EAN13':
      return text.length === 13 && text.startsWith('0') ? 'upc-a' : 'ean-13';
    case 'EAN8':
      return 'ean-8';
    case 'UPCA':
      return 'upc-a';
    case 'UPCE':
      return 'upc-e';
    case 'ITF':
    case 'ITF14':
      return text.length === 14 ? 'itf-14' : 'itf';
    case 'Code128':
      return symbologyIdentifier === ']C1' ? 'gs1-128' : 'code-128';
    case 'DataMatrix':
      return symbologyIdentifier === ']d2' ? 'gs1-datamatrix' : 'datamatrix';
    case 'QRCode':
    case 'QRCodeModel2':
      return symbologyIdentifier === ']Q3' ? 'gs1-qr' : 'qr';
    default:
      return 'unknown';
  }
}

export type ZxingReaderModule = typeof ZxingReader;

/**
 * Creates the decoder from an already imported library: the Web Worker imports it
 * statically, because a worker bundle cannot split code.
 */
export async function createZxingWasmDecoderFrom(zx: ZxingReaderModule, source: WasmSource, tuning: ZxingWasmTuning = CAMERA_TUNING): Promise<Decoder> {
  const overrides =
    'wasmUrl' in source
      ? { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? source.wasmUrl : prefix + path) }
      : { wasmBinary: source.wasmBinary };
  await zx.prepareZXingModule({ overrides, fireImmediately: true });
  const options = {
    formats: ['EAN13', 'EAN8', 'UPCA', 'UPCE', 'Code128', 'ITF', 'DataMatrix', 'QRCode'] as const,
    textMode: 'Plain' as const,
    tryHarder: tuning.tryHarder ?? true,
    tryRotate: tuning.tryRotate ?? true,
    tryDownscale: tuning.tryDownscale ?? true,
    ...(tuning.downscaleFactor ? { downscaleFactor: tuning.downscaleFactor } : {}),
    ...(tuning.binarizer ? { binarizer: tuning.binarizer } : {}),
    ...(tuning.minLineCount ? { minLineCount: tuning.minLineCount } : {}),
    tryInvert: false,
    maxNumberOfSymbols: 4,
  };
  return {
    engine: 'zxing-wasm',
    async decode(frame: Frame): Promise<Decoded[]> {
      const results = await zx.readBarcodes(frame as ImageData, { ...options, formats: [...options.formats] });
      return results
        .filter((r) => r.isValid)
        .map((r) => ({
          format: formatFromZxingCpp(r.format, r.symbologyIdentifier, r.text),
          // UPC-E is reported expanded; its own 8 digits are kept in `extra`.
          text: r.text,
          symbologyIdentifier: r.symbologyIdentifier || undefined,
        }))
        .map((d) => (d.symbologyIdentifier === undefined ? { format: d.format, text: d.text } : d));
    },
    close() {
      // The wasm instance is shared per page/worker and freed with it.
    },
  };
}
