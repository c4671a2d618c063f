/**
 * The symbologies a site may accept, as the scanner set-up page lists them. Each is
 * known by its AIM symbology identifier letter (ISO/IEC 15424), which the keyboard-wedge
 * path reads and the camera engines report, so one list governs both inputs.
 */

export type Symbology =
  | 'ean-upc'
  | 'ean-addon'
  | 'code-128'
  | 'itf'
  | 'code-39'
  | 'code-93'
  | 'codabar'
  | 'databar'
  | 'databar-expanded'
  | 'databar-stacked'
  | 'datamatrix'
  | 'qr'
  | 'pdf417'
  | 'maxicode';

export type SymbologyInfo = {
  id: Symbology;
  title: string;
  /** What it is found on, for the set-up page. */
  seenOn: string;
  /** One-dimensional: a camera read needs independent evidence (see the scan pipeline). */
  linear: boolean;
};

export const SYMBOLOGIES: readonly SymbologyInfo[] = [
  { id: 'ean-upc', title: 'EAN-13, EAN-8, UPC-A, UPC-E', seenOn: 'retail products', linear: true },
  { id: 'ean-addon', title: 'EAN/UPC 2- and 5-digit add-ons', seenOn: 'periodicals and books (kept with the product code)', linear: true },
  { id: 'code-128', title: 'Code 128 and GS1-128', seenOn: 'cartons, pallets (SSCC), totes', linear: true },
  { id: 'itf', title: 'ITF-14 and Interleaved 2 of 5', seenOn: 'outer cases', linear: true },
  { id: 'code-39', title: 'Code 39 (full ASCII)', seenOn: 'bin and automotive labels', linear: true },
  { id: 'code-93', title: 'Code 93', seenOn: 'some logistics and parts labels', linear: true },
  { id: 'codabar', title: 'Codabar', seenOn: 'libraries, blood banks, older courier labels', linear: true },
  { id: 'databar', title: 'GS1 DataBar (omnidirectional, limited)', seenOn: 'fresh food, small items', linear: true },
  { id: 'databar-expanded', title: 'GS1 DataBar Expanded', seenOn: 'fresh food with weight, price, expiry', linear: true },
  {
    id: 'databar-stacked',
    title: 'GS1 DataBar Stacked and Expanded Stacked',
    seenOn: 'small fresh food labels; the camera takes a second, slower look at the middle of every frame for them',
    linear: true,
  },
  { id: 'datamatrix', title: 'Data Matrix and GS1 DataMatrix', seenOn: 'healthcare, parts marking', linear: false },
  { id: 'qr', title: 'QR Code and GS1 QR / Digital Link', seenOn: 'new product packaging', linear: false },
  { id: 'pdf417', title: 'PDF417', seenOn: 'carrier shipping labels', linear: false },
  { id: 'maxicode', title: 'MaxiCode', seenOn: 'parcel labels (UPS)', linear: false },
];

/**
 * The common warehouse set, enabled until a site chooses otherwise: what goods, cases,
 * pallets and bins carry. Fewer symbologies decode faster and misread less, so the rest
 * (add-ons, Code 93, Codabar, stacked DataBar, PDF417, MaxiCode) is opt-in: stacked DataBar
 * costs the camera a second look at every frame (the frame budget is for the common set).
 */
export const DEFAULT_SYMBOLOGIES: readonly Symbology[] = ['ean-upc', 'code-128', 'itf', 'code-39', 'databar', 'databar-expanded', 'datamatrix', 'qr'];

const IDS = new Set<string>(SYMBOLOGIES.map((s) => s.id));

/** True for a known symbology id. */
export function isSymbology(x: unknown): x is Symbology {
  return typeof x === 'string' && IDS.has(x);
}

/**
 * The symbology an AIM identifier names (`]A0` -> code-39), or undefined when unknown.
 * `]E1`/`]E2` (an add-on alone) and `]E3` (with its product code) belong to add-ons.
 */
export function symbologyOfAim(aim: string): Symbology | undefined {
  const code = aim[1];
  const mod = aim[2];
  switch (code) {
    case 'A':
      return 'code-39';
    case 'C':
      return 'code-128';
    case 'E':
      return mod === '1' || mod === '2' || mod === '3' ? 'ean-addon' : 'ean-upc';
    case 'F':
      return 'codabar';
    case 'G':
      return 'code-93';
    case 'I':
      return 'itf';
    case 'L':
      return 'pdf417';
    case 'Q':
      return 'qr';
    case 'U':
      return 'maxicode';
    case 'X':
      return undefined;
    case 'd':
      return 'datamatrix';
    // DataBar reports `]e0` for every kind (one-row, stacked, expanded); the kinds are told apart by content only.
    case 'e':
      return 'databar';
    default:
      return undefined;
  }
}
