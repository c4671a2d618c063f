/**
 * The TypeScript port of ZXing (the core of `@zxing/browser`), for browsers where
 * WebAssembly cannot load. It reads fewer symbols (no UPC-E, weaker on damage), so it
 * is the fallback, never the default.
 */
import type { ScanFormat } from '../../domain/barcode/parse-scan.ts';
import { eanDoubt, type Quad } from './ean-check.ts';
import type { Decoded, Decoder, Frame } from './types.ts';

import type * as ZxingNs from '@zxing/library';

type ZxingLib = typeof ZxingNs;

/** Loads the library; under Node it resolves to CommonJS, whose exports sit on `default`. */
async function loadLib(): Promise<ZxingLib> {
  const mod = await import('@zxing/library');
  return ('MultiFormatReader' in mod ? mod : (mod as unknown as { default: ZxingLib }).default) as ZxingLib;
}

/** Creates the fallback decoder. Each reader is called directly: MultiFormatReader logs every miss. */
/**
 * The port's points for an EAN/UPC are the middles of its start and end guards on the row
 * that read it: the symbol's ends are 1.5 modules further out (93 modules between them).
 */
function browserQuad(pts: readonly { x: number; y: number }[]): Quad | undefined {
  const a = pts[0];
  const b = pts[pts.length - 1];
  if (!a || !b || pts.length < 2) return undefined;
  const k = 1.5 / 92;
  const dx = (b.x - a.x) * k;
  const dy = (b.y - a.y) * k;
  const left = { x: a.x - dx, y: a.y - dy };
  const right = { x: b.x + dx, y: b.y + dy };
  return { topLeft: left, topRight: right, bottomRight: right, bottomLeft: left };
}

export async function createZxingBrowserDecoder(): Promise<Decoder> {
  const Z = await loadLib();
  const hints = new Map<ZxingNs.DecodeHintType, unknown>([
    [Z.DecodeHintType.TRY_HARDER, true],
    // Without it FNC1 is dropped and a GS1-128 lot runs into the next field.
    [Z.DecodeHintType.ASSUME_GS1, true],
    [
      Z.DecodeHintType.POSSIBLE_FORMATS,
      [Z.BarcodeFormat.EAN_13, Z.BarcodeFormat.EAN_8, Z.BarcodeFormat.UPC_A, Z.BarcodeFormat.UPC_E, Z.BarcodeFormat.CODE_128, Z.BarcodeFormat.ITF],
    ],
  ]);
  const readers: { reader: ZxingNs.Reader; linear: boolean }[] = [
    { reader: new Z.MultiFormatOneDReader(hints), linear: true },
    { reader: new Z.DataMatrixReader(), linear: false },
    { reader: new Z.QRCodeReader(), linear: false },
  ];
  const toFormat = (f: number, text: string): ScanFormat => {
    switch (f) {
      case Z.BarcodeFormat.EAN_13:
        return text.startsWith('0') ? 'upc-a' : 'ean-13';
      case Z.BarcodeFormat.EAN_8:
        return 'ean-8';
      case Z.BarcodeFormat.UPC_A:
        return 'upc-a';
      case Z.BarcodeFormat.UPC_E:
        return 'upc-e';
      case Z.BarcodeFormat.ITF:
        return text.length === 14 ? 'itf-14' : 'itf';
      case Z.BarcodeFormat.CODE_128:
        return 'code-128';
      case Z.BarcodeFormat.DATA_MATRIX:
        return 'datamatrix';
      case Z.BarcodeFormat.QR_CODE:
        return 'qr';
      default:
        return 'unknown';
    }
  };
  return {
    engine: 'zxing-browser',
    async decode(frame: Frame): Promise<Decoded[]> {
      const lum = new Uint8ClampedArray(frame.width * frame.height);
      const d = frame.data;
      for (let i = 0, p = 0; i < lum.length; i++, p += 4) lum[i] = ((d[p] as number) * 77 + (d[p + 1] as number) * 150 + (d[p + 2] as number) * 29) >> 8;
      const bitmap = new Z.BinaryBitmap(new Z.HybridBinarizer(new Z.RGBLuminanceSource(lum, frame.width, frame.height)));
      for (const { reader } of readers) {
        try {
          const r = reader.decode(bitmap, hints);
          let text = r.getText();
          let symbologyIdentifier: string | undefined;
          let format = toFormat(r.getBarcodeFormat(), text);
          if (text.startsWith(']C1')) {
            text = text.slice(3);
            symbologyIdentifier = ']C1';
            format = 'gs1-128';
          } else if (text.startsWith('\u001d') && (format === 'datamatrix' || format === 'qr')) {
            // The port marks a GS1 DataMatrix/QR by a leading FNC1 (as GS).
            text = text.slice(1);
            symbologyIdentifier = format === 'datamatrix' ? ']d2' : ']Q3';
            format = format === 'datamatrix' ? 'gs1-datamatrix' : 'gs1-qr';
          }
          const doubt = eanDoubt(frame, format, text, browserQuad(r.getResultPoints().map((p) => ({ x: p.getX(), y: p.getY() }))));
          return [{ format, text, ...(symbologyIdentifier ? { symbologyIdentifier } : {}), ...(doubt ? { doubt } : {}) }];
        } catch {
          // Not found by this reader: try the next one.
        } finally {
          reader.reset();
        }
      }
      return [];
    },
    close() {
      for (const { reader } of readers) reader.reset();
    },
  };
}
