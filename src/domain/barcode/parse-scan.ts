/* eslint-disable no-control-regex -- scanned text is searched for control characters on purpose. */
/**
 * One entry point from scanned or typed text to a trusted, typed scan: symbology
 * identifiers, GS1 element strings in every written form, retail codes with their check
 * digits, and the warehouse's own labels. Pure; what it cannot trust it reports.
 */
import { asGtin, asLocation, asTote, asUser } from '../brands.ts';
import type { Gtin, LocationId, ToteId, UserId } from '../ids.ts';
import { describeCarrierLabel, isIso15434, parseCarrierLabel, type CarrierLabel } from './carrier.ts';
import { expandUpcE, isValidSscc, normaliseGtin } from './check-digit.ts';
import { code39CheckChar } from './code39.ts';
import { displayText } from './display.ts';
import {
  GS,
  checkElement,
  gs1Date,
  looksLikeDigitalLink,
  parseBracketed,
  parseDigitalLink,
  parseElementString,
  type Gs1Element,
  type Gs1Parse,
  type ScanProblem,
} from './gs1.ts';
import { DEFAULT_LABELS, type CompiledLabels } from './labels.ts';
import { symbologyOfAim, type Symbology } from './symbology.ts';

export type ScanFormat =
  | 'ean-13'
  | 'ean-8'
  | 'upc-a'
  | 'upc-e'
  | 'itf-14'
  | 'itf'
  | 'code-128'
  | 'gs1-128'
  | 'code-39'
  | 'code-93'
  | 'codabar'
  | 'gs1-databar'
  | 'datamatrix'
  | 'gs1-datamatrix'
  | 'qr'
  | 'gs1-qr'
  | 'pdf417'
  | 'maxicode'
  | 'typed'
  | 'unknown';

/** The formats whose symbol marks its content as a GS1 element string. */
export const GS1_FORMATS: ReadonlySet<ScanFormat> = new Set(['gs1-128', 'gs1-databar', 'gs1-datamatrix', 'gs1-qr']);
/** One-dimensional formats: a camera read of these needs two identical decodes. */
export const LINEAR_FORMATS: ReadonlySet<ScanFormat> = new Set([
  'ean-13',
  'ean-8',
  'upc-a',
  'upc-e',
  'itf-14',
  'itf',
  'code-128',
  'gs1-128',
  'code-39',
  'code-93',
  'codabar',
  'gs1-databar',
]);

/** The symbology a decoder's format belongs to, for the site's enabled set. */
export const FORMAT_SYMBOLOGY: Record<ScanFormat, Symbology | undefined> = {
  'ean-13': 'ean-upc',
  'ean-8': 'ean-upc',
  'upc-a': 'ean-upc',
  'upc-e': 'ean-upc',
  'itf-14': 'itf',
  itf: 'itf',
  'code-128': 'code-128',
  'gs1-128': 'code-128',
  'code-39': 'code-39',
  'code-93': 'code-93',
  codabar: 'codabar',
  'gs1-databar': 'databar',
  datamatrix: 'datamatrix',
  'gs1-datamatrix': 'datamatrix',
  qr: 'qr',
  'gs1-qr': 'qr',
  pdf417: 'pdf417',
  maxicode: 'maxicode',
  typed: undefined,
  unknown: undefined,
};

export type ScanKind =
  | {
      kind: 'product';
      gtin: Gtin;
      lot?: string;
      /** AI 17 as an ISO date. */
      expiry?: string;
      /** AI 15 as an ISO date. */
      bestBefore?: string;
      /** AI 30 or 37: units in the scanned trade item or on the pallet. */
      count?: number;
      serial?: string;
      netWeightKg?: number;
      /** AI 392n/393n: the price to pay for this variable-measure item. */
      price?: number;
      /** ISO 4217 numeric currency of the price (AI 393n). */
      priceCurrency?: string;
      /** An EAN/UPC 2- or 5-digit add-on (issue number, price): part of this scan, never a second item. */
      addOn?: string;
    }
  | { kind: 'sscc'; sscc: string; gtin?: Gtin; count?: number; lot?: string; expiry?: string }
  | { kind: 'bin'; location: LocationId }
  | { kind: 'tote'; tote: ToteId }
  | { kind: 'badge'; user: UserId }
  | { kind: 'unknown' };

export type ScanResult = ScanKind & {
  format: ScanFormat;
  /** Exactly what arrived (after the configured GS substitute was turned into ASCII 29). */
  raw: string;
  /** The symbol's content without a symbology identifier; GS1 separators as ASCII 29. */
  text: string;
  /** Safe to show: no control characters or markup. */
  display: string;
  /** GS1 elements, when the content was GS1. */
  elements?: Gs1Element[];
  /** A carrier shipping label's content (PDF417, MaxiCode), when it was one. */
  shipment?: CarrierLabel;
  problems: ScanProblem[];
};

export type ParseOptions = {
  /** The format as the decoder saw it, when it came without a symbology identifier. */
  format?: ScanFormat;
  /** What the scanner types instead of ASCII 29 (e.g. `~` or `<GS>`). */
  gsSubstitute?: string;
  labels?: CompiledLabels;
  /** The current year, for GS1 two-digit years (the domain has no clock). Default 2000. */
  referenceYear?: number;
  /**
   * For scanners that mark GS1 symbols neither with a symbology identifier nor a leading
   * FNC1: text that starts with AI 00, 01 or 02 and parses as GS1 without any problem is
   * read as GS1. Off by default; calibration turns it on for such scanners.
   */
  gs1WithoutIdentifier?: boolean;
  /**
   * The site's accepted symbologies. A scan whose symbology identifier (or decoder format)
   * names another one is refused. Absent: every symbology is accepted.
   */
  enabled?: ReadonlySet<Symbology>;
  /** The site's Code 39 labels carry a mod-43 check character: verify it and strip it. */
  code39Check?: boolean;
};

/** Longer input is not a barcode (a DataMatrix tops out near 3,100 characters). */
export const MAX_SCAN_LENGTH = 4096;

/** AIM symbology identifiers (ISO/IEC 15424): `]` + code + modifier. */
const AIM: Record<string, ScanFormat> = {
  ']C0': 'code-128',
  ']C1': 'gs1-128',
  ']C2': 'code-128',
  ']C4': 'code-128',
  ']d1': 'datamatrix',
  ']d2': 'gs1-datamatrix',
  ']Q0': 'qr',
  ']Q1': 'qr',
  ']Q2': 'qr',
  ']Q3': 'gs1-qr',
  ']Q5': 'gs1-qr',
  ']e0': 'gs1-databar',
  ']E0': 'ean-13',
  ']E1': 'ean-13',
  ']E2': 'ean-13',
  ']E3': 'ean-13',
  ']E4': 'ean-8',
  ']I0': 'itf',
  ']I1': 'itf',
  ']I3': 'itf',
  ']A0': 'code-39',
  ']A1': 'code-39',
  ']A3': 'code-39',
  ']A4': 'code-39',
  ']A5': 'code-39',
  ']A7': 'code-39',
  ']G0': 'code-93',
  ']F0': 'codabar',
  ']F1': 'codabar',
  ']F2': 'codabar',
  ']F4': 'codabar',
  ']L0': 'pdf417',
  ']L1': 'pdf417',
  ']L2': 'pdf417',
  ']U0': 'maxicode',
  ']U1': 'maxicode',
  ']U2': 'maxicode',
  ']U3': 'maxicode',
};

const unknown = (base: Omit<ScanResult, 'kind'>, ...extra: ScanProblem[]): ScanResult => ({
  ...base,
  kind: 'unknown',
  problems: [...base.problems, ...extra],
});

/** Splits off a symbology identifier. */
function splitAim(text: string): { format?: ScanFormat; aim?: string; rest: string } {
  const id = text.slice(0, 3);
  const format = AIM[id];
  if (format) return { format, aim: id, rest: text.slice(3) };
  if (/^\][A-Za-z]\d/.test(text)) return { format: 'unknown', aim: id, rest: text.slice(3) };
  return { rest: text };
}

/** Whether the site accepts a scan of this symbology; DataBar's one identifier covers every kind. */
function accepted(enabled: ReadonlySet<Symbology>, symbology: Symbology): boolean {
  // An add-on travels with its product code: the code's symbology decides.
  if (symbology === 'ean-addon') return enabled.has('ean-upc');
  if (symbology === 'databar') return enabled.has('databar') || enabled.has('databar-expanded') || enabled.has('databar-stacked');
  return enabled.has(symbology);
}

/** Symbologies whose digits are a text, never a GTIN. */
const NOT_GTIN: ReadonlySet<ScanFormat> = new Set(['code-128', 'code-39', 'code-93', 'codabar', 'pdf417', 'maxicode']);

/**
 * Code 39's check character: `]A1`/`]A5` say the scanner verified it and sent it along;
 * `]A3`/`]A7` that it verified and stripped it. Otherwise the site's setting decides.
 * Full ASCII checks run over the encoded characters, so only the scanner can verify them.
 */
function code39Check(text: string, aim: string | undefined, siteCheck: boolean): { ok: true; text: string } | { ok: false; message: string } {
  if (aim === ']A3' || aim === ']A7') return { ok: true, text };
  const fullAscii = aim === ']A4' || aim === ']A5';
  if (aim === ']A5') return { ok: true, text: text.slice(0, -1) };
  if (aim !== ']A1' && !siteCheck) return { ok: true, text };
  if (fullAscii) return { ok: false, message: 'full ASCII Code 39 arrived without a verified check character' };
  const body = text.slice(0, -1);
  const expected = text.length >= 2 ? code39CheckChar(body) : null;
  if (expected === null || expected !== text.slice(-1)) {
    return { ok: false, message: `Code 39 ${displayText(text)} has a wrong or missing check character${expected ? ` (expected ${expected})` : ''}` };
  }
  return { ok: true, text: body };
}

/** Codabar start/stop characters (A-D, or T N * E): framing, never data. */
const CODABAR_FRAME = /^[A-DTN*E](.*)[A-DTN*E]$/i;

/** Turns parsed GS1 elements into what they identify: an SSCC or a product. */
function fromGs1(base: Omit<ScanResult, 'kind'>, parsed: Gs1Parse, referenceYear: number): ScanResult {
  const elements = parsed.elements;
  const withParse = { ...base, elements, problems: [...base.problems, ...parsed.problems] };
  const good = (ai: string): string | undefined => {
    const e = elements.find((x) => x.ai === ai);
    return e && checkElement(ai, e.value, referenceYear).length === 0 ? e.value : undefined;
  };
  const has = (ai: string) => elements.some((x) => x.ai === ai);
  const count = good('37') ?? good('30');
  const expiry = good('17');
  const lot = good('10');
  const extras = {
    ...(lot !== undefined ? { lot } : {}),
    ...(expiry !== undefined ? { expiry: gs1Date(expiry, referenceYear) as string } : {}),
    ...(count !== undefined ? { count: Number(count) } : {}),
  };
  if (has('00')) {
    const sscc = good('00');
    if (sscc === undefined) return unknown(withParse);
    const content = good('02') ?? good('01');
    return { ...withParse, kind: 'sscc', sscc, ...(content ? { gtin: asGtin(content) } : {}), ...extras };
  }
  if (has('01') || has('02')) {
    const gtin = good('01') ?? good('02');
    if (gtin === undefined || (has('01') && has('02'))) return unknown(withParse);
    const serial = good('21');
    const bestBefore = good('15');
    const weight = elements.find((e) => /^310\d$/.test(e.ai));
    const weightOk = weight && checkElement(weight.ai, weight.value, referenceYear).length === 0;
    const price = elements.find((e) => /^39[23]\d$/.test(e.ai) && checkElement(e.ai, e.value, referenceYear).length === 0);
    const priceDigits = price ? (price.ai[2] === '3' ? price.value.slice(3) : price.value) : '';
    return {
      ...withParse,
      kind: 'product',
      gtin: asGtin(gtin),
      ...extras,
      ...(serial !== undefined ? { serial } : {}),
      ...(bestBefore !== undefined ? { bestBefore: gs1Date(bestBefore, referenceYear) as string } : {}),
      ...(weight && weightOk ? { netWeightKg: Number(weight.value) / 10 ** Number(weight.ai[3]) } : {}),
      ...(price && priceDigits !== '' ? { price: Number(priceDigits) / 10 ** Number(price.ai[3]) } : {}),
      ...(price && price.ai[2] === '3' ? { priceCurrency: price.value.slice(0, 3) } : {}),
    };
  }
  return unknown(withParse, { code: 'unrecognised', message: 'GS1 data without a GTIN (01/02) or an SSCC (00)' });
}

/** A retail or ITF-14 code as a product, checked and padded to GTIN-14. */
function fromGtin(base: Omit<ScanResult, 'kind'>, digits: string): ScanResult {
  const check = normaliseGtin(digits);
  if (!check.ok) return unknown(base, { code: check.code, message: check.message });
  return { ...base, kind: 'product', gtin: asGtin(check.gtin14) };
}

/**
 * Parses scanned or typed text into a `ScanResult`. GS1 is read only where the symbol
 * says so (symbology identifier `]C1`/`]d2`/`]Q3`/`]e0`, a leading FNC1, the bracketed
 * form, a Digital Link URI, or a GS1 format from the decoder): a Code 128 reading
 * `10D9T` is a plain text, not a lot number.
 */
export function parseScan(raw: string, opts: ParseOptions = {}): ScanResult {
  const referenceYear = opts.referenceYear ?? 2000;
  const labels = opts.labels ?? DEFAULT_LABELS;
  let input = typeof raw === 'string' ? raw : '';
  if (opts.gsSubstitute) input = input.split(opts.gsSubstitute).join(GS);
  const base0 = { format: opts.format ?? 'unknown', raw: input, text: input, display: displayText(input), problems: [] as ScanProblem[] };
  if (input.length > MAX_SCAN_LENGTH) {
    return unknown(
      { ...base0, display: displayText(input.slice(0, 200)) },
      { code: 'too_long', message: `scan is ${input.length} characters; at most ${MAX_SCAN_LENGTH} are read` },
    );
  }
  // Scanners add CR/LF or spaces around the data; GS is data and is kept.
  const trimmed = input.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (trimmed.length === 0) return unknown(base0, { code: 'empty', message: 'scan is empty' });
  const aim = splitAim(trimmed);
  let format: ScanFormat = aim.format ?? opts.format ?? 'unknown';
  let text = aim.rest;
  // ]E0 covers both: an EAN-13 starting with 0 is a UPC-A.
  if (aim.aim === ']E0' && /^0\d{12}$/.test(text)) format = 'upc-a';
  const base = (f: ScanFormat, t: string): Omit<ScanResult, 'kind'> => ({ ...base0, format: f, text: t, display: displayText(t) });
  const symbology = aim.aim ? symbologyOfAim(aim.aim) : FORMAT_SYMBOLOGY[format];
  if (opts.enabled && symbology && !accepted(opts.enabled, symbology)) {
    return unknown(base(format, text), { code: 'symbology_disabled', message: `${format} codes are not accepted at this site (see Scanner set-up)` });
  }
  // An ISO/IEC 15434 envelope (carrier labels) is built of RS, GS and EOT; elsewhere only GS is data.
  const envelope = isIso15434(text);
  if ((envelope ? /[\u0000-\u0003\u0005-\u001c\u001f\u007f]/ : /[\u0000-\u001c\u001e\u001f\u007f]/).test(text)) {
    return unknown(base(format, text), { code: 'control_chars', message: 'scan holds control characters; check the scanner suffix and prefix settings' });
  }
  if (envelope) {
    const label = parseCarrierLabel(text);
    if (label) {
      const b = { ...base(format, text), shipment: label };
      if (label.gs1 !== undefined) return fromGs1(b, parseElementString(label.gs1, referenceYear), referenceYear);
      return unknown(b, { code: 'carrier_label', message: `a carrier shipping label (${describeCarrierLabel(label)}); it names no product, pallet or bin` });
    }
  }
  if (aim.aim === ']E1' || aim.aim === ']E2') {
    // Some scanners send the add-on as a message of its own: it is never an item by itself.
    return unknown(base(format, text), {
      code: 'add_on_alone',
      message: `an add-on (${displayText(text)}) arrived without its product code: scan the label again`,
    });
  }
  if (aim.aim === ']E3') {
    if (!/^(\d{15}|\d{18})$/.test(text))
      return unknown(base(format, text), {
        code: 'bad_length',
        message: `an EAN/UPC with add-on has 13 digits and a 2- or 5-digit add-on, got ${displayText(text)}`,
      });
    const main = text.slice(0, 13);
    const r = fromGtin(base(main.startsWith('0') ? 'upc-a' : 'ean-13', text), main);
    return r.kind === 'product' ? { ...r, addOn: text.slice(13) } : r;
  }
  if (format === 'code-39') {
    const checked = code39Check(text, aim.aim, opts.code39Check ?? false);
    if (!checked.ok) return unknown(base(format, text), { code: 'bad_check_digit', message: checked.message });
    text = checked.text;
  }
  if (format === 'codabar') text = CODABAR_FRAME.exec(text)?.[1] ?? text;
  const leadingFnc1 = text.startsWith(GS);
  if (leadingFnc1) {
    text = text.replace(/^\u001d+/, '');
    if (format === 'unknown') format = 'gs1-128';
    else if (format === 'code-128') format = 'gs1-128';
    else if (format === 'datamatrix') format = 'gs1-datamatrix';
    else if (format === 'qr') format = 'gs1-qr';
  }
  if (GS1_FORMATS.has(format)) return fromGs1(base(format, text), parseElementString(text, referenceYear), referenceYear);
  if (/^\(\d{2,4}\)/.test(text)) {
    return fromGs1(base(format === 'unknown' ? 'typed' : format, text), parseBracketed(text, referenceYear), referenceYear);
  }
  if (looksLikeDigitalLink(text)) {
    const dl = parseDigitalLink(text, referenceYear);
    if (dl) return fromGs1(base(format, text), dl, referenceYear);
    return unknown(base(format, text), { code: 'unrecognised', message: 'a web address, not a GS1 Digital Link' });
  }
  if (opts.gs1WithoutIdentifier && format === 'unknown' && /^0[012]\d{14}./.test(text)) {
    const guess = parseElementString(text, referenceYear);
    // Only a clean parse counts: anything doubtful stays plain text.
    if (guess.problems.length === 0) return fromGs1(base('unknown', text), guess, referenceYear);
  }
  if (/^\d+$/.test(text)) {
    // Decoders report UPC-E either as printed (6-8 digits) or already expanded (12-13).
    if (format === 'upc-e' && text.length <= 8) {
      const upca = expandUpcE(text);
      if (upca === null) return unknown(base(format, text), { code: 'bad_upc_e', message: `${text} is not a valid UPC-E code` });
      return fromGtin(base(format, text), upca);
    }
    if (text.length === 18 && (format === 'unknown' || format === 'code-128' || format === 'typed')) {
      if (isValidSscc(text)) return { ...base(format, text), kind: 'sscc', sscc: text };
      return unknown(base(format, text), { code: 'bad_check_digit', message: `SSCC ${text} has a wrong check digit` });
    }
    if (format === 'itf' && text.length === 14) format = 'itf-14';
    if ([8, 12, 13, 14].includes(text.length) && !NOT_GTIN.has(format)) return fromGtin(base(format, text), text);
  }
  const b = base(format, text);
  if (labels.bin.test(text)) return { ...b, kind: 'bin', location: asLocation(text) };
  if (labels.tote.test(text)) return { ...b, kind: 'tote', tote: asTote(text) };
  const badge = labels.badge.exec(text);
  if (badge) return { ...b, kind: 'badge', user: asUser(badge[1] ?? text) };
  return unknown(b, { code: 'unrecognised', message: `not a product, pallet, bin, tote or badge: ${displayText(text)}` });
}
