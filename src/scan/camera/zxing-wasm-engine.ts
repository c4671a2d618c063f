/**
 * ZXing-C++ compiled to WebAssembly. The .wasm file is never fetched from a CDN: the
 * browser worker passes the URL Vite emitted for it, Node passes its bytes.
 */
import type { ScanFormat } from '../../domain/barcode/parse-scan.ts';
import { DEFAULT_SYMBOLOGIES, type Symbology } from '../../domain/barcode/symbology.ts';
import type * as ZxingReader from 'zxing-wasm/reader';
import { evidenceKey, samePlace } from '../evidence.ts';
import { eanDoubt } from './ean-check.ts';
import { greyFrame, prepare, type Prep } from './prep.ts';
import { readMaxiCodes } from './maxicode.ts';
import { readPdf417s } from './pdf417.ts';
import { EAN_MODULES, addOnStrip, aimRect } from './second-pass.ts';
import type { Decoded, Decoder, Frame } from './types.ts';

export type WasmSource = { wasmUrl: string } | { wasmBinary: ArrayBuffer };

export type ZxingWasmTuning = {
  tryHarder?: boolean;
  tryRotate?: boolean;
  tryDownscale?: boolean;
  downscaleFactor?: number;
  downscaleThreshold?: number;
  minLineCount?: number;
  binarizer?: 'LocalAverage' | 'GlobalHistogram' | 'FixedThreshold';
  isPure?: boolean;
  /** Preparations taken in turn, one per frame (default: the frame as captured). */
  cycle?: readonly Prep[];
  /** Read the middle of each frame again for stacked DataBar (default: when it is enabled and `tryHarder` is off). */
  stackedPass?: boolean;
  /** The stacked pass reads every how many rows of the middle (default 2: a stacked row is at least 5 modules tall). */
  stackedRowStep?: number;
  /** Read Data Matrix and QR in the frame at half resolution, the linear codes at full (default: no). */
  matrixHalf?: boolean;
  /** Read PDF417 in a pass of its own, cutting out a symbol the engine found but could not read (default: when PDF417 is enabled). */
  pdf417Pass?: boolean;
};

/**
 * The DataBar kinds read again in the middle of the frame: the stacked ones, which ZXing-C++
 * pairs across rows only when trying harder, and their one-row siblings (one reader reads
 * them all, and a curved stacked symbol is sometimes reported as one of them).
 */
const STACKED: ReadonlySet<string> = new Set(['DataBarOmni', 'DataBarStk', 'DataBarStkOmni', 'DataBarLtd', 'DataBarExpStk']);

/** The matrix codes the camera reads at half resolution (see `matrixHalf`). */
const MATRIX: ReadonlySet<string> = new Set(['DataMatrix', 'QRCode']);

/** What the site asks the engine to read (its scanner settings). */
export type EngineConfig = { symbologies: readonly Symbology[]; code39Check: boolean };

export const DEFAULT_ENGINE_CONFIG: EngineConfig = { symbologies: DEFAULT_SYMBOLOGIES, code39Check: false };

/**
 * Live camera: every frame must finish within a frame budget; the next frame is another
 * try. Two agreeing scan lines per 1D symbol is the first piece of evidence (the pipeline
 * then wants frames that differ); a finer downscale keeps small codes readable. Frames are
 * decoded as captured: alternating sharpened frames was measured (bench corpus, blurred
 * conditions) to read fewer labels (11 vs 19 of 30) at about three times the CPU, and to
 * halve the chance of two consecutive frames agreeing.
 */
export const CAMERA_TUNING: ZxingWasmTuning = { tryHarder: false, tryRotate: true, minLineCount: 2, downscaleFactor: 2, matrixHalf: true };
/** A single photo (`npm run decode`): one chance, so spend the time. */
export const PHOTO_TUNING: ZxingWasmTuning = { tryHarder: true, tryRotate: true };

type ZxingFormat = NonNullable<ZxingReader.ReaderOptions['formats']>[number];

/** The engine's formats for each symbology a site may enable. */
const ZXING_FORMATS: Record<Symbology, readonly ZxingFormat[]> = {
  'ean-upc': ['EAN13', 'EAN8', 'UPCA', 'UPCE'],
  // Add-ons are an option of EAN/UPC reading (eanAddOnSymbol), not a format of their own.
  'ean-addon': [],
  'code-128': ['Code128'],
  itf: ['ITF'],
  'code-39': ['Code39'],
  'code-93': ['Code93'],
  codabar: ['Codabar'],
  databar: ['DataBarOmni', 'DataBarLtd'],
  'databar-expanded': ['DataBarExp'],
  // Read on the camera only by the stacked pass (ZXing-C++ pairs rows only when trying harder).
  'databar-stacked': ['DataBarStk', 'DataBarStkOmni', 'DataBarExpStk'],
  datamatrix: ['DataMatrix'],
  qr: ['QRCode'],
  pdf417: ['PDF417'],
  maxicode: ['MaxiCode'],
};

/** The engine's format list for a set of symbologies. */
export function zxingFormats(symbologies: readonly Symbology[]): ZxingFormat[] {
  return [...new Set(symbologies.flatMap((s) => ZXING_FORMATS[s]))];
}

/** Maps a ZXing-C++ result to the app's format; GS1 comes from the symbology identifier. */
export function formatFromZxingCpp(format: string, symbologyIdentifier: string, text: string): ScanFormat {
  switch (format) {
    case 'EAN13':
    case 'ISBN':
      return text.length >= 13 && text.startsWith('0') ? 'upc-a' : 'ean-13';
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
    case 'Code39':
    case 'Code39Std':
    case 'Code39Ext':
      return 'code-39';
    case 'Code93':
      return 'code-93';
    case 'Codabar':
      return 'codabar';
    case 'DataBar':
    case 'DataBarOmni':
    case 'DataBarStk':
    case 'DataBarStkOmni':
    case 'DataBarLtd':
    case 'DataBarExp':
    case 'DataBarExpStk':
      return 'gs1-databar';
    case 'DataMatrix':
      return symbologyIdentifier === ']d2' ? 'gs1-datamatrix' : 'datamatrix';
    case 'QRCode':
    case 'QRCodeModel2':
      return symbologyIdentifier === ']Q3' ? 'gs1-qr' : 'qr';
    case 'PDF417':
    case 'CompactPDF417':
    case 'MicroPDF417':
      return 'pdf417';
    case 'MaxiCode':
      return 'maxicode';
    default:
      return 'unknown';
  }
}

/**
 * ZXing marks a Code 39 whose last character happens to be a valid mod-43 check as `]A1`.
 * That is a guess, not the label's design: the site says whether its labels carry one, and
 * without it the last character is data like the others (`]A0`/`]A4`).
 */
export function code39Identifier(id: string, siteCheck: boolean): string {
  if (siteCheck) return id;
  if (id === ']A1') return ']A0';
  if (id === ']A5') return ']A4';
  return id;
}

type Pos = {
  topLeft: { x: number; y: number };
  topRight: { x: number; y: number };
  bottomLeft: { x: number; y: number };
  bottomRight: { x: number; y: number };
};

/** The centre and longest extent of a detected symbol. */
function placeOf(p: Pos): { x: number; y: number; size: number } {
  const pts = [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft];
  const xs = pts.map((q) => q.x);
  const ys = pts.map((q) => q.y);
  const x = (Math.min(...xs) + Math.max(...xs)) / 2;
  const y = (Math.min(...ys) + Math.max(...ys)) / 2;
  return { x, y, size: Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 8) };
}

export type ZxingReaderModule = typeof ZxingReader;

type ReadResult = Awaited<ReturnType<ZxingReaderModule['readBarcodes']>>[number];

/** A result read in a crop (`sx` by `sy` pixels a pixel of it), placed in the frame it was cut from. */
function placed(r: ReadResult, dx: number, dy: number, sx: number, sy: number): ReadResult {
  const p = r.position;
  const move = (q: { x: number; y: number }) => ({ x: q.x * sx + dx, y: q.y * sy + dy });
  return { ...r, position: { topLeft: move(p.topLeft), topRight: move(p.topRight), bottomRight: move(p.bottomRight), bottomLeft: move(p.bottomLeft) } };
}

/**
 * The product code read with its add-on from a straightened strip along it (the gap closed,
 * see `addOnStrip`), or undefined. The strip must read the very product code the frame did:
 * the add-on only ever extends a read, never replaces it.
 */
async function readAddOn(zx: ZxingReaderModule, frame: Frame, r: ReadResult, modules: number, options: ZxingReader.ReaderOptions): Promise<string | undefined> {
  const strip = addOnStrip(frame, r.position, modules);
  if (!strip) return undefined;
  for (const s of await zx.readBarcodes(strip as ImageData, options)) {
    const extra = s.text.length - r.text.length;
    if (s.isValid && s.symbologyIdentifier === ']E3' && s.format === r.format && s.text.startsWith(r.text) && (extra === 2 || extra === 5)) return s.text;
  }
  return undefined;
}

/**
 * Creates the decoder from an already imported library: the Web Worker imports it
 * statically, because a worker bundle cannot split code.
 */
export async function createZxingWasmDecoderFrom(
  zx: ZxingReaderModule,
  source: WasmSource,
  tuning: ZxingWasmTuning = CAMERA_TUNING,
  config: EngineConfig = DEFAULT_ENGINE_CONFIG,
): Promise<Decoder> {
  const overrides =
    'wasmUrl' in source
      ? { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? source.wasmUrl : prefix + path) }
      : { wasmBinary: source.wasmBinary };
  await zx.prepareZXingModule({ overrides, fireImmediately: true });
  const formats = zxingFormats(config.symbologies);
  const options: ZxingReader.ReaderOptions = {
    formats,
    textMode: 'Plain',
    tryHarder: tuning.tryHarder ?? true,
    tryRotate: tuning.tryRotate ?? true,
    tryDownscale: tuning.tryDownscale ?? true,
    ...(tuning.downscaleFactor ? { downscaleFactor: tuning.downscaleFactor } : {}),
    ...(tuning.downscaleThreshold ? { downscaleThreshold: tuning.downscaleThreshold } : {}),
    ...(tuning.binarizer ? { binarizer: tuning.binarizer } : {}),
    ...(tuning.minLineCount ? { minLineCount: tuning.minLineCount } : {}),
    ...(tuning.isPure ? { isPure: true } : {}),
    eanAddOnSymbol: config.symbologies.includes('ean-addon') ? 'Read' : 'Ignore',
    tryInvert: false,
    maxNumberOfSymbols: 4,
  };
  // The camera reads Data Matrix and QR in the half-resolution frame (and its own smaller
  // levels): the full-resolution level was a third of a frame's time and read no symbol in
  // the bench's corpus that the half did not. Linear codes need every pixel across their bars.
  const matrix = tuning.matrixHalf ? formats.filter((f) => MATRIX.has(f)) : [];
  // PDF417 has a pass of its own (see pdf417.ts).
  const pdfOwnPass = formats.includes('PDF417') && !tuning.isPure && tuning.pdf417Pass !== false;
  const linear = formats.filter((f) => !matrix.includes(f) && !(pdfOwnPass && f === 'PDF417'));
  const fullOptions: ZxingReader.ReaderOptions | undefined = linear.length > 0 ? { ...options, formats: linear } : undefined;
  const halfOptions: ZxingReader.ReaderOptions | undefined = matrix.length > 0 ? { ...options, formats: matrix } : undefined;
  const middleOptions: ZxingReader.ReaderOptions | undefined = halfOptions ? { ...halfOptions, tryDownscale: false } : undefined;
  // Second looks (see second-pass.ts), each only when its symbology is enabled.
  const addOnOptions: ZxingReader.ReaderOptions | undefined =
    config.symbologies.includes('ean-addon') && config.symbologies.includes('ean-upc')
      ? {
          ...options,
          formats: [...ZXING_FORMATS['ean-upc']],
          eanAddOnSymbol: 'Require',
          tryHarder: false,
          tryRotate: false,
          tryDownscale: false,
          maxNumberOfSymbols: 1,
        }
      : undefined;
  // Only when the site reads stacked DataBar: the one-row kinds alone are read well enough by the first pass.
  const stacked = config.symbologies.includes('databar-stacked') ? formats.filter((f) => STACKED.has(f)) : [];
  const stackedOptions: ZxingReader.ReaderOptions | undefined =
    tuning.stackedPass === false || tuning.tryHarder || stacked.length === 0
      ? undefined
      : { ...options, formats: stacked, tryHarder: true, tryRotate: false, tryDownscale: false };
  // MaxiCode: ZXing-C++ reads it only from an image of the symbol alone (see maxicode.ts).
  const maxiOptions: ZxingReader.ReaderOptions | undefined =
    formats.includes('MaxiCode') && !tuning.isPure
      ? {
          formats: ['MaxiCode'],
          textMode: 'Plain',
          isPure: true,
          binarizer: 'FixedThreshold',
          tryHarder: false,
          tryRotate: false,
          tryDownscale: false,
          tryInvert: false,
          maxNumberOfSymbols: 1,
        }
      : undefined;
  const readPure = async (image: Frame) => (await zx.readBarcodes(image as ImageData, maxiOptions)).find((r) => r.isValid);
  // PDF417: failed reads kept for their corners. Found in halving steps and not trying harder: steps of a third and
  // trying harder find fewer tilted symbols (measured).
  const pdfLocate: ZxingReader.ReaderOptions | undefined = pdfOwnPass
    ? { ...options, formats: ['PDF417'], tryHarder: false, tryDownscale: true, downscaleFactor: 2, returnErrors: true, maxNumberOfSymbols: 2 }
    : undefined;
  const pdfCutOptions: ZxingReader.ReaderOptions = {
    formats: ['PDF417'],
    textMode: 'Plain',
    binarizer: 'LocalAverage',
    tryHarder: true,
    tryRotate: false,
    tryDownscale: false,
    tryInvert: false,
    maxNumberOfSymbols: 1,
  };
  const cycle = tuning.cycle ?? ['plain'];
  let turn = 0;
  return {
    engine: 'zxing-wasm',
    async decode(frame: Frame): Promise<Decoded[]> {
      // Nothing enabled: nothing to look for (an empty list would mean every format to ZXing).
      if (formats.length === 0) return [];
      const prep = cycle[turn++ % cycle.length] ?? 'plain';
      const image = prepare(frame, prep);
      const k = frame.width / image.width;
      const grey = greyFrame(image);
      const results = fullOptions ? await zx.readBarcodes(grey.full, fullOptions) : [];
      if (halfOptions && middleOptions) {
        for (const r of await zx.readBarcodes(grey.half, halfOptions)) results.push(placed(r, 0, 0, 2, 2));
        // Small symbols where the user aims, at full resolution.
        if (!results.some((r) => r.isValid && MATRIX.has(r.format))) {
          const rect = aimRect(image);
          for (const r of await zx.readBarcodes(grey.crop(rect, 1), middleOptions)) results.push(placed(r, rect.x, rect.y, 1, 1));
        }
      }
      // Skipped when the first pass read a DataBar already: the user aims at one label at a time.
      if (stackedOptions && !results.some((r) => r.isValid && r.format.startsWith('DataBar'))) {
        const rect = aimRect(image);
        const step = tuning.stackedRowStep ?? 2;
        for (const r of await zx.readBarcodes(grey.crop(rect, step), stackedOptions)) results.push(placed(r, rect.x, rect.y, 1, step));
      }
      const decoded: Decoded[] = [];
      if (maxiOptions && !results.some((r) => r.isValid && r.format === 'MaxiCode')) {
        for (const { found, at } of await readMaxiCodes(image, readPure)) {
          // The symbol is about four bullseyes across.
          const size = Math.max(at.dx, at.dy) * 4 * k;
          decoded.push({ format: 'maxicode', text: found.text, symbologyIdentifier: found.symbologyIdentifier, at: { x: at.x * k, y: at.y * k, size } });
        }
      }
      if (pdfLocate) {
        const locate = () => zx.readBarcodes(grey.full, pdfLocate);
        const read = (cut: Frame) => zx.readBarcodes(cut as ImageData, pdfCutOptions);
        results.push(...(await readPdf417s(image, locate, read)));
      }
      for (const r of results) {
        if (!r.isValid) continue;
        const format = formatFromZxingCpp(r.format, r.symbologyIdentifier, r.text);
        let id = format === 'code-39' ? code39Identifier(r.symbologyIdentifier, config.code39Check) : r.symbologyIdentifier;
        // UPC-E is reported expanded; its own 8 digits are kept in `extra`.
        const at = placeOf(r.position);
        const doubt = eanDoubt(image, format, r.text, r.position);
        let text = r.text;
        if (addOnOptions && !doubt && id === ']E0' && format in EAN_MODULES) {
          const addOn = await readAddOn(zx, image, r, EAN_MODULES[format as keyof typeof EAN_MODULES], addOnOptions);
          if (addOn) {
            text = addOn;
            id = ']E3';
          }
        }
        decoded.push({
          format,
          text,
          ...(id ? { symbologyIdentifier: id } : {}),
          at: { x: at.x * k, y: at.y * k, size: at.size * k },
          ...(doubt ? { doubt } : {}),
        });
      }
      // One symbol found twice (a rotated or downscaled pass) is one symbol.
      return decoded.filter((d, i) => !decoded.slice(0, i).some((e) => evidenceKey(e) === evidenceKey(d) && samePlace(e, d)));
    },
    close() {
      // The wasm instance is shared per page/worker and freed with it.
    },
  };
}
