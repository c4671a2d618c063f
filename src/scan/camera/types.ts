/**
 * One interface for every camera decoding engine, so the engine is chosen by
 * measurement and the rest of the app never knows which one runs.
 */
import type { ScanFormat } from '../../domain/barcode/parse-scan.ts';

export type EngineName = 'native' | 'zxing-wasm' | 'zxing-browser';
export const ENGINE_NAMES: readonly EngineName[] = ['native', 'zxing-wasm', 'zxing-browser'];

/** An RGBA frame, the shape of the DOM's ImageData (duck-typed so Node can build one). */
export type Frame = { data: Uint8ClampedArray; width: number; height: number };

/** One symbol read from a frame. */
export type Decoded = {
  format: ScanFormat;
  /** The content without symbology identifier; GS1 separators as ASCII 29. */
  text: string;
  /** The AIM symbology identifier when the engine knows it (`]C1`, `]d2`...). */
  symbologyIdentifier?: string;
  /** Where the symbol lies in the frame (centre and longest side, px), when the engine says. */
  at?: { x: number; y: number; size: number };
  /**
   * The engine's second measurement of an EAN/UPC did not confirm this read: `why` says
   * what was unclear; `other` is the different valid code a line clearly read instead.
   * Such a read is no evidence, and `other` is a conflict.
   */
  doubt?: { why: string; other?: string };
};

export interface Decoder {
  readonly engine: EngineName;
  /** Reads the symbols in one frame; an empty list when there is none. */
  decode(frame: Frame): Promise<Decoded[]>;
  /** Frees the engine (worker, wasm instance). */
  close(): void;
}

/** The text the parser receives: identifier first, so GS1 is known from the symbol itself. */
export function toScanText(d: Decoded): string {
  return (d.symbologyIdentifier ?? '') + d.text;
}
