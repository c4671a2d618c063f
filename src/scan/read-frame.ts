/**
 * One frame through one engine into parsed scans: the path shared by the camera, the
 * `decode` command and the benchmark, so they cannot disagree.
 */
import { parseScan, type ParseOptions, type ScanResult } from '../domain/barcode/parse-scan.ts';
import { toScanText, type Decoded, type Decoder, type Frame } from './camera/types.ts';

export type FrameRead = { decoded: Decoded; parsed: ScanResult };

/** Parses one decoder result, passing the decoder's format as the hint. */
export function parseDecoded(d: Decoded, opts: Omit<ParseOptions, 'format' | 'gsSubstitute'> = {}): ScanResult {
  return parseScan(toScanText(d), { ...opts, format: d.format });
}

/** Decodes a frame and parses every symbol found; also returns the decode time. */
export async function readFrame(
  decoder: Decoder,
  frame: Frame,
  opts: Omit<ParseOptions, 'format' | 'gsSubstitute'> = {},
): Promise<{ reads: FrameRead[]; ms: number }> {
  const t0 = performance.now();
  const found = await decoder.decode(frame);
  const ms = performance.now() - t0;
  return { reads: found.map((decoded) => ({ decoded, parsed: parseDecoded(decoded, opts) })), ms };
}

/** A stable identity of what a scan means (GTIN and attributes, SSCC, label), for comparing reads. */
export function scanIdentity(r: ScanResult): string {
  switch (r.kind) {
    case 'product':
      return `product:${r.gtin}|${r.lot ?? ''}|${r.expiry ?? ''}|${r.serial ?? ''}|${r.count ?? ''}|${r.addOn ?? ''}|${r.netWeightKg ?? ''}|${r.price ?? ''}`;
    case 'sscc':
      return `sscc:${r.sscc}`;
    case 'bin':
      return `bin:${r.location}`;
    case 'tote':
      return `tote:${r.tote}`;
    case 'badge':
      return `badge:${r.user}`;
    case 'unknown':
      return `text:${r.text}`;
  }
}
