/**
 * The browser's own BarcodeDetector (Chromium on Android, Safari). Used only where it
 * supports every symbology the site enabled (it has no DataBar, MaxiCode or add-ons).
 */
import type { ScanFormat } from '../../domain/barcode/parse-scan.ts';
import { DEFAULT_SYMBOLOGIES, type Symbology } from '../../domain/barcode/symbology.ts';
import { eanDoubt } from './ean-check.ts';
import type { Decoded, Decoder, Frame } from './types.ts';

type NativeDetector = {
  detect(source: ImageBitmapSource): Promise<{ format: string; rawValue: string; cornerPoints?: readonly { x: number; y: number }[] }[]>;
};
type NativeDetectorClass = {
  new (opts: { formats: string[] }): NativeDetector;
  getSupportedFormats(): Promise<string[]>;
};

/** BarcodeDetector's formats for each symbology; an empty list: it cannot read that one. */
const NATIVE_OF: Record<Symbology, readonly string[]> = {
  'ean-upc': ['ean_13', 'ean_8', 'upc_a', 'upc_e'],
  'ean-addon': [],
  'code-128': ['code_128'],
  itf: ['itf'],
  'code-39': ['code_39'],
  'code-93': ['code_93'],
  codabar: ['codabar'],
  databar: [],
  'databar-expanded': [],
  'databar-stacked': [],
  datamatrix: ['data_matrix'],
  qr: ['qr_code'],
  pdf417: ['pdf417'],
  maxicode: [],
};

/** The detector formats for a site's symbologies, or null when one of them has none. */
export function nativeFormats(symbologies: readonly Symbology[]): string[] | null {
  if (symbologies.some((s) => NATIVE_OF[s].length === 0)) return null;
  return [...new Set(symbologies.flatMap((s) => NATIVE_OF[s]))];
}

function detectorClass(): NativeDetectorClass | undefined {
  return (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
}

/** True when this runtime has a BarcodeDetector with every format the site's symbologies need. */
export async function nativeDetectorUsable(symbologies: readonly Symbology[] = DEFAULT_SYMBOLOGIES): Promise<boolean> {
  const cls = detectorClass();
  const wanted = nativeFormats(symbologies);
  if (!cls || !wanted) return false;
  try {
    const supported = new Set(await cls.getSupportedFormats());
    return wanted.every((f) => supported.has(f));
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
    code_39: 'code-39',
    code_93: 'code-93',
    codabar: 'codabar',
    pdf417: 'pdf417',
    data_matrix: gs1 ? 'gs1-datamatrix' : 'datamatrix',
    qr_code: gs1 ? 'gs1-qr' : 'qr',
  };
  const f = map[format] ?? 'unknown';
  if (gs1 && !symbologyIdentifier) symbologyIdentifier = f === 'gs1-128' ? ']C1' : f === 'gs1-datamatrix' ? ']d2' : f === 'gs1-qr' ? ']Q3' : undefined;
  return symbologyIdentifier ? { format: f, text, symbologyIdentifier } : { format: f, text };
}

/** Creates the native decoder; throws when the runtime has none with the needed formats. */
export async function createNativeDecoder(symbologies: readonly Symbology[] = DEFAULT_SYMBOLOGIES): Promise<Decoder> {
  const cls = detectorClass();
  const formats = nativeFormats(symbologies);
  if (!cls || !formats || !(await nativeDetectorUsable(symbologies))) throw new Error('BarcodeDetector is missing or lacks the needed formats');
  const detector = new cls({ formats });
  return {
    engine: 'native',
    async decode(frame: Frame): Promise<Decoded[]> {
      const image = new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height);
      const found = await detector.detect(image);
      return found.map((b) => {
        const d = fromNative(b.format, b.rawValue);
        const [tl, tr, br, bl] = b.cornerPoints ?? [];
        const quad = tl && tr && br && bl ? { topLeft: tl, topRight: tr, bottomRight: br, bottomLeft: bl } : undefined;
        const doubt = eanDoubt(frame, d.format, d.text, quad);
        return doubt ? { ...d, doubt } : d;
      });
    },
    close() {
      // Nothing to free: the detector is garbage-collected.
    },
  };
}
