/**
 * The browser's own BarcodeDetector (Chromium on Android, Safari). Used only where it
 * supports every format the floor needs.
 */
import type { ScanFormat } from '../../domain/barcode/parse-scan.ts';
import type { Decoded, Decoder, Frame } from './types.ts';

type NativeDetector = { detect(source: ImageBitmapSource): Promise<{ format: string; rawValue: string }[]> };
type NativeDetectorClass = {
  new (opts: { formats: string[] }): NativeDetector;
  getSupportedFormats(): Promise<string[]>;
};

export const NATIVE_FORMATS = ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128', 'itf', 'data_matrix', 'qr_code'];

function detectorClass(): NativeDetectorClass | undefined {
  return (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
}

/** True when this runtime has a BarcodeDetector with all the formats the floor needs. */
export async function nativeDetectorUsable(): Promise<boolean> {
  const cls = detectorClass();
  if (!cls) return false;
  try {
    const supported = new Set(await cls.getSupportedFormats());
    return NATIVE_FORMATS.every((f) => supported.has(f));
  } catch {
    return false;
  }
}

/**
 * Maps a native result. BarcodeDetector gives no symbology identifier; a GS1 symbol is
 * recognised by the ASCII 29 separators or the `]C1`-style prefix some platforms keep.
 */
export function fromNative(format: string, rawValue: string): Decoded {
  let text = rawValue;
  let symbologyIdentifier: string | undefined;
  const aim = /^\][CdeQ][0-9]/.test(text) ? text.slice(0, 3) : undefined;
  if (aim) {
    text = text.slice(3);
    symbologyIdentifier = aim;
  }
  if (text.startsWith('\u001d')) text = text.slice(1);
  const gs1 = symbologyIdentifier === ']C1' || symbologyIdentifier === ']d2' || symbologyIdentifier === ']Q3' || (!aim && rawValue.startsWith('\u001d'));
  const map: Record<string, ScanFormat> = {
    ean_13: text.startsWith('0') ? 'upc-a' : 'ean-13',
    ean_8: 'ean-8',
    upc_a: 'upc-a',
    upc_e: 'upc-e',
    itf: text.length === 14 ? 'itf-14' : 'itf',
    code_128: gs1 ? 'gs1-128' : 'code-128',
    data_matrix: gs1 ? 'gs1-datamatrix' : 'datamatrix',
    qr_code: gs1 ? 'gs1-qr' : 'qr',
  };
  const f = map[format] ?? 'unknown';
  if (gs1 && !symbologyIdentifier) symbologyIdentifier = f === 'gs1-128' ? ']C1' : f === 'gs1-datamatrix' ? ']d2' : f === 'gs1-qr' ? ']Q3' : undefined;
  return symbologyIdentifier ? { format: f, text, symbologyIdentifier } : { format: f, text };
}

/** Creates the native decoder; throws when the runtime has none with the needed formats. */
export async function createNativeDecoder(): Promise<Decoder> {
  const cls = detectorClass();
  if (!cls || !(await nativeDetectorUsable())) throw new Error('BarcodeDetector is missing or lacks the needed formats');
  const detector = new cls({ formats: NATIVE_FORMATS });
  return {
    engine: 'native',
    async decode(frame: Frame): Promise<Decoded[]> {
      const image = new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height);
      const found = await detector.detect(image);
      return found.map((b) => fromNative(b.format, b.rawValue));
    },
    close() {
      // Nothing to free: the detector is garbage-collected.
    },
  };
}
