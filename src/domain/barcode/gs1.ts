/**
 * GS1 element strings in their three written forms: the raw string with FNC1 as ASCII 29
 * (GS1-128, GS1 DataMatrix, GS1 QR, DataBar), the bracketed human-readable form typed
 * by hand, and GS1 Digital Link URIs. Every value is checked (length, characters, check
 * digit, date); a problem is reported next to the elements that did parse.
 */
import { CSET82, aiDef, aiLengthFromPrefix, predefinedLength } from './ai.ts';
import { gs1CheckDigit, hasValidCheckDigit } from './check-digit.ts';

/** ASCII 29, the group separator that stands for FNC1 inside a GS1 element string. */
export const GS = '\u001d';

export type ScanProblemCode =
  | 'empty'
  | 'too_long'
  | 'control_chars'
  | 'bad_chars'
  | 'bad_length'
  | 'bad_check_digit'
  | 'bad_date'
  | 'unknown_ai'
  | 'duplicate_ai'
  | 'conflicting_ai'
  | 'missing_separator'
  | 'bad_digital_link'
  | 'bad_upc_e'
  | 'add_on_alone'
  | 'carrier_label'
  | 'symbology_disabled'
  | 'conflicting_reads'
  | 'unrecognised';

export type ScanProblem = { code: ScanProblemCode; message: string };

export type Gs1Element = {
  ai: string;
  value: string;
  /** False for an AI this app does not know: kept, reported, not interpreted. */
  known: boolean;
};

export type Gs1Parse = { elements: Gs1Element[]; problems: ScanProblem[] };

/** Days in a month of a year (month 1-12). */
function daysInMonth(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/**
 * The full year of a GS1 two-digit year. GS1 General Specifications 7.12: relative to the
 * current year, a difference of 51..99 means the previous century, -99..-50 the next one.
 */
export function gs1Year(yy: number, referenceYear: number): number {
  const century = Math.floor(referenceYear / 100) * 100;
  const diff = yy - (referenceYear % 100);
  if (diff >= 51) return century - 100 + yy;
  if (diff <= -50) return century + 100 + yy;
  return century + yy;
}

/**
 * Reads a GS1 date YYMMDD as an ISO date. Day 00 means the last day of the month.
 * Returns null for an impossible date.
 */
export function gs1Date(yymmdd: string, referenceYear: number): string | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const year = gs1Year(Number(yymmdd.slice(0, 2)), referenceYear);
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) return null;
  const last = daysInMonth(year, month);
  if (day === 0) day = last;
  if (day > last) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Checks one element's value against its AI's rules; returns the problems found. */
export function checkElement(ai: string, value: string, referenceYear: number): ScanProblem[] {
  const def = aiDef(ai);
  if (!def) return [{ code: 'unknown_ai', message: `AI (${ai}) is not one this app knows; its value ${JSON.stringify(value)} was kept but not used` }];
  const problems: ScanProblem[] = [];
  const name = `AI (${ai}) ${def.title}`;
  if (def.variable ? value.length < 1 || value.length > def.length : value.length !== def.length) {
    problems.push({
      code: 'bad_length',
      message: def.variable
        ? `${name} must have 1 to ${def.length} characters, got ${value.length}`
        : `${name} must have exactly ${def.length} digits, got ${value.length}`,
    });
    return problems;
  }
  if (def.charset === 'N' ? !/^\d+$/.test(value) : !CSET82.test(value)) {
    problems.push({ code: 'bad_chars', message: `${name} holds characters it may not: ${JSON.stringify(value)}` });
    return problems;
  }
  if (def.check === 'mod10' && !hasValidCheckDigit(value)) {
    problems.push({
      code: 'bad_check_digit',
      message: `${name} ${value} has a wrong check digit (expected ${gs1CheckDigit(value.slice(0, -1))})`,
    });
  }
  if (def.check === 'date' && gs1Date(value, referenceYear) === null) {
    problems.push({ code: 'bad_date', message: `${name} ${value} is not a valid YYMMDD date` });
  }
  return problems;
}

/** Checks a parsed element list: per-element rules, repeated AIs, and 01 with 02. */
function checkAll(elements: Gs1Element[], referenceYear: number): ScanProblem[] {
  const problems: ScanProblem[] = [];
  const seen = new Map<string, string>();
  for (const e of elements) {
    problems.push(...checkElement(e.ai, e.value, referenceYear));
    const before = seen.get(e.ai);
    if (before !== undefined) {
      problems.push({
        code: before === e.value ? 'duplicate_ai' : 'conflicting_ai',
        message: before === e.value ? `AI (${e.ai}) appears twice` : `AI (${e.ai}) appears twice with different values`,
      });
    }
    seen.set(e.ai, e.value);
  }
  if (seen.has('01') && seen.has('02')) {
    problems.push({ code: 'conflicting_ai', message: 'AI (01) and AI (02) may not appear together' });
  }
  return problems;
}

/**
 * Parses a raw GS1 element string (no symbology identifier, no leading FNC1) where FNC1
 * separators are ASCII 29. Unknown AIs are read by GS1's AI-length and predefined-length
 * tables so the elements after them survive.
 */
export function parseElementString(data: string, referenceYear: number): Gs1Parse {
  const elements: Gs1Element[] = [];
  const problems: ScanProblem[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] === GS) {
      i++;
      continue;
    }
    const aiLen = aiLengthFromPrefix(data.slice(i, i + 2));
    if (aiLen === undefined) {
      problems.push({
        code: 'unknown_ai',
        message: `no GS1 AI starts with ${JSON.stringify(data.slice(i, i + 2))}; the rest (${JSON.stringify(data.slice(i))}) was not read`,
      });
      break;
    }
    const ai = data.slice(i, i + aiLen);
    if (ai.length < aiLen || !/^\d+$/.test(ai)) {
      problems.push({ code: 'bad_length', message: `element string ends inside an AI: ${JSON.stringify(data.slice(i))}` });
      break;
    }
    const def = aiDef(ai);
    const predefined = predefinedLength(ai.slice(0, 2));
    const start = i + aiLen;
    let end: number;
    if (def && !def.variable) end = start + def.length;
    else if (!def && predefined !== undefined) end = i + predefined;
    else {
      const gs = data.indexOf(GS, start);
      end = gs === -1 ? data.length : gs;
    }
    if (end > data.length) {
      problems.push({ code: 'bad_length', message: `AI (${ai}) needs ${end - start} characters, only ${data.length - start} left` });
      end = data.length;
    }
    const value = data.slice(start, end);
    // A fixed-length value followed by another AI is fine; a variable one must end at GS or the end.
    if (def && def.variable && value.length > def.length) {
      problems.push({
        code: 'missing_separator',
        message: `AI (${ai}) ${def.title} is longer than ${def.length} characters: a group separator (FNC1) is probably missing`,
      });
    }
    elements.push({ ai, value, known: def !== undefined });
    i = end;
  }
  problems.unshift(...checkAll(elements, referenceYear));
  return { elements, problems };
}

/**
 * Parses the human-readable bracketed form `(01)09506000134352(10)ABC`. Brackets inside
 * a value cannot be told from the next AI, which is why this form is for typing only.
 */
export function parseBracketed(text: string, referenceYear: number): Gs1Parse {
  const elements: Gs1Element[] = [];
  const problems: ScanProblem[] = [];
  const re = /\((\d{2,4})\)([^(]*)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(text)) !== null) {
    elements.push({ ai: m[1] as string, value: (m[2] as string).trim(), known: aiDef(m[1] as string) !== undefined });
    pos = re.lastIndex;
  }
  if (pos !== text.length) {
    problems.push({ code: 'bad_chars', message: `cannot read the bracketed GS1 text from ${JSON.stringify(text.slice(pos))}` });
  }
  problems.unshift(...checkAll(elements, referenceYear));
  return { elements, problems };
}

/** Digital Link path keys: primary keys, then their key qualifiers, by AI or short name. */
const DL_PRIMARY = new Set(['00', '01', '253', '255', '401', '402', '414', '417', '8003', '8004', '8006', '8010', '8013', '8017', '8018']);
const DL_ALIASES: Record<string, string> = {
  gtin: '01',
  sscc: '00',
  gln: '414',
  lot: '10',
  ser: '21',
  cpv: '22',
  exp: '17',
  bbd: '15',
  glnprod: '417',
};

/** True when `text` looks like a URI that could be a GS1 Digital Link (https/http with a path). */
export function looksLikeDigitalLink(text: string): boolean {
  return /^https?:\/\/[^/\s]+\/.+/i.test(text);
}

/**
 * Parses a GS1 Digital Link URI: `https://id.example.com/01/09506000134352/10/ABC?17=241231`.
 * The path may start with any prefix; the primary key is the first recognised key segment.
 * Returns null when the URI holds no GS1 primary key (an ordinary web address).
 */
export function parseDigitalLink(uri: string, referenceYear: number): Gs1Parse | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const keyOf = (s: string) => DL_ALIASES[s.toLowerCase()] ?? s;
  const startAt = segments.findIndex((s) => DL_PRIMARY.has(keyOf(s)));
  if (startAt === -1) return null;
  const elements: Gs1Element[] = [];
  const problems: ScanProblem[] = [];
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      problems.push({ code: 'bad_digital_link', message: `cannot decode ${JSON.stringify(s)} in the Digital Link` });
      return s;
    }
  };
  const rest = segments.slice(startAt);
  if (rest.length % 2 !== 0) {
    problems.push({ code: 'bad_digital_link', message: `Digital Link path has a key without a value: ${JSON.stringify(rest.at(-1))}` });
  }
  for (let k = 0; k + 1 < rest.length; k += 2) {
    const ai = keyOf(rest[k] as string);
    if (!/^\d{2,4}$/.test(ai)) {
      problems.push({ code: 'bad_digital_link', message: `Digital Link path key ${JSON.stringify(rest[k])} is not an AI` });
      continue;
    }
    elements.push({ ai, value: decode(rest[k + 1] as string), known: aiDef(ai) !== undefined });
  }
  for (const [key, value] of url.searchParams) {
    const ai = keyOf(key);
    // Non-numeric query parameters are allowed by the standard and carry no GS1 data.
    if (!/^\d{2,4}$/.test(ai)) continue;
    elements.push({ ai, value, known: aiDef(ai) !== undefined });
  }
  problems.unshift(...checkAll(elements, referenceYear));
  return { elements, problems };
}

/** Writes elements in the bracketed human-readable form. */
export function toBracketed(elements: readonly Gs1Element[]): string {
  return elements.map((e) => `(${e.ai})${e.value}`).join('');
}

/**
 * Writes elements as a raw element string: predefined-length elements need no
 * separator, every other one but the last is followed by ASCII 29.
 */
export function toElementString(elements: readonly Gs1Element[]): string {
  let out = '';
  elements.forEach((e, idx) => {
    out += e.ai + e.value;
    const predefined = predefinedLength(e.ai.slice(0, 2)) !== undefined;
    if (!predefined && idx < elements.length - 1) out += GS;
  });
  return out;
}
