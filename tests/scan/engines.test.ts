import { describe, expect, it } from 'vitest';
import { chooseEngine, wasmUsable } from '../../src/scan/camera/choose-engine.ts';
import { fromNative, nativeFormats } from '../../src/scan/camera/native-engine.ts';
import { DEFAULT_SYMBOLOGIES } from '../../src/domain/barcode/symbology.ts';
import { code39Identifier, formatFromZxingCpp } from '../../src/scan/camera/zxing-wasm-engine.ts';
import { parseDecoded } from '../../src/scan/read-frame.ts';

describe('engine choice', () => {
  it('prefers native, then zxing-wasm, then the TypeScript port; a pinned engine only where it runs', () => {
    expect(chooseEngine({ nativeUsable: true, wasmUsable: true })).toBe('native');
    expect(chooseEngine({ nativeUsable: false, wasmUsable: true })).toBe('zxing-wasm');
    expect(chooseEngine({ nativeUsable: false, wasmUsable: false })).toBe('zxing-browser');
    expect(chooseEngine({ nativeUsable: true, wasmUsable: true }, 'zxing-wasm')).toBe('zxing-wasm');
    expect(chooseEngine({ nativeUsable: false, wasmUsable: true }, 'native')).toBe('zxing-wasm');
    expect(wasmUsable()).toBe(true);
  });
});

describe('engine results to app formats', () => {
  it('maps ZXing-C++ formats, telling GS1 from its symbology identifier', () => {
    expect(formatFromZxingCpp('Code128', ']C1', '0109506000134352')).toBe('gs1-128');
    expect(formatFromZxingCpp('Code128', ']C0', '10D9T')).toBe('code-128');
    expect(formatFromZxingCpp('DataMatrix', ']d2', '01')).toBe('gs1-datamatrix');
    expect(formatFromZxingCpp('QRCode', ']Q3', '01')).toBe('gs1-qr');
    expect(formatFromZxingCpp('EAN13', ']E0', '0036000291452')).toBe('upc-a');
    expect(formatFromZxingCpp('ITF', ']I1', '19506000134359')).toBe('itf-14');
    // Changed by issue 14: PDF417 and MaxiCode are read now (carrier labels).
    expect(formatFromZxingCpp('PDF417', ']L2', 'x')).toBe('pdf417');
    expect(formatFromZxingCpp('MaxiCode', ']U1', 'x')).toBe('maxicode');
    expect(formatFromZxingCpp('Code39Ext', ']A4', 'x')).toBe('code-39');
    expect(formatFromZxingCpp('Code93', ']G0', 'x')).toBe('code-93');
    expect(formatFromZxingCpp('Codabar', ']F0', 'x')).toBe('codabar');
    expect(formatFromZxingCpp('DataBarExpStk', ']e0', '01')).toBe('gs1-databar');
    expect(formatFromZxingCpp('Aztec', ']z0', 'x')).toBe('unknown');
  });

  it("takes ZXing's ]A1 for a check character only where the site says its Code 39 labels carry one", () => {
    expect(code39Identifier(']A1', false)).toBe(']A0');
    expect(code39Identifier(']A5', false)).toBe(']A4');
    expect(code39Identifier(']A1', true)).toBe(']A1');
    expect(code39Identifier(']A0', true)).toBe(']A0');
  });

  it("uses the browser's BarcodeDetector only where it reads every symbology the site enabled", () => {
    expect(nativeFormats(DEFAULT_SYMBOLOGIES)).toBeNull(); // no DataBar in BarcodeDetector
    expect(nativeFormats(['ean-upc', 'code-39', 'pdf417'])).toEqual(['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_39', 'pdf417']);
    expect(fromNative('code_39', 'A-01-07')).toEqual({ format: 'code-39', text: 'A-01-07' });
    expect(parseDecoded(fromNative('code_39', 'A-01-07'))).toMatchObject({ kind: 'bin' });
  });

  it('reads native BarcodeDetector values: GS1 by separators, plain text stays plain', () => {
    expect(fromNative('code_128', '\u001d0109506000134352\u001d10AB')).toEqual({
      format: 'gs1-128',
      text: '0109506000134352\u001d10AB',
      symbologyIdentifier: ']C1',
    });
    expect(fromNative('code_128', '10D9T')).toEqual({ format: 'code-128', text: '10D9T' });
    expect(fromNative('data_matrix', ']d20109506000134352')).toEqual({ format: 'gs1-datamatrix', text: '0109506000134352', symbologyIdentifier: ']d2' });
    expect(parseDecoded(fromNative('code_128', '10D9T')).kind).toBe('unknown');
    expect(parseDecoded(fromNative('ean_13', '9506000134352'), { referenceYear: 2026 })).toMatchObject({ kind: 'product', gtin: '09506000134352' });
  });
});
