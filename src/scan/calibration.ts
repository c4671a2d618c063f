/**
 * Scanner calibration: the test sheet's codes, and what a wedge scan of each tells about
 * the scanner (suffix, prefix, symbology identifiers, keyboard layout, Caps Lock, the
 * group separator, the delay between characters), turned into suggested settings.
 */
import type { WedgeScan, WedgeSettings } from './wedge.ts';

export type TestCode = {
  id: string;
  title: string;
  /** bwip-js symbology and text (GS1 in bracketed form). */
  bcid: string;
  data: string;
  /** The content a correct scan delivers; GS1 separators as ASCII 29. */
  expected: string;
  linear: boolean;
};

/** The printable sheet: each code probes something different. */
export const TEST_SHEET: readonly TestCode[] = [
  { id: 'layout', title: 'Keyboard layout', bcid: 'code128', data: 'Az-Qy.Wm1/9', expected: 'Az-Qy.Wm1/9', linear: true },
  {
    id: 'gs1',
    title: 'GS1-128 with separator',
    bcid: 'gs1-128',
    data: '(01)09506000134352(10)CAL1(21)77',
    expected: '010950600013435210CAL1\u001d2177',
    linear: true,
  },
  { id: 'ean', title: 'EAN-13', bcid: 'ean13', data: '9506000134352', expected: '9506000134352', linear: true },
  {
    id: 'gs1dm',
    title: 'GS1 DataMatrix (2D imagers)',
    bcid: 'gs1datamatrix',
    data: '(01)09506000134352(17)261231(10)CAL2(21)88',
    expected: '010950600013435217261231' + '10CAL2\u001d2188',
    linear: false,
  },
];

/** Wedge settings while calibrating: slow and unusual scanners still count as scanners. */
export const CALIBRATION_WEDGE: WedgeSettings = { prefix: '', suffix: 'Enter', gsSubstitute: '', maxGapMs: 100, minLength: 3 };

export type Finding =
  | { code: 'ok'; message: string }
  | { code: 'symbology_ids'; message: string }
  | { code: 'gs1_unmarked'; message: string }
  | { code: 'suffix'; suffix: 'Enter' | 'Tab' | 'none'; message: string }
  | { code: 'prefix'; prefix: string; message: string }
  | { code: 'trailing'; extra: string; message: string }
  | { code: 'gs_missing'; message: string }
  | { code: 'gs_substitute'; substitute: string; message: string }
  | { code: 'caps_lock'; message: string }
  | { code: 'layout'; layout: 'qwertz' | 'azerty' | 'unknown'; swaps: [string, string][]; message: string }
  | { code: 'timing'; maxGapMs: number; meanGapMs: number; message: string }
  | { code: 'mismatch'; message: string };

const AZERTY_DIGITS: Record<string, string> = { '1': '&', '2': 'é', '3': '"', '4': "'", '5': '(', '6': '-', '7': 'è', '8': '_', '9': 'ç', '0': 'à' };

const show = (s: string) => JSON.stringify(s.split('\u001d').join('<GS>'));

/** Finds what the scanner sends in place of each GS, when the rest matches. */
function gsStandIn(expected: string, got: string): string | null {
  const parts = expected.split('\u001d');
  if (parts.length < 2) return null;
  const first = parts[0] as string;
  if (!got.startsWith(first)) return null;
  const nextStart = parts[1] as string;
  const at = got.indexOf(nextStart.slice(0, 2), first.length);
  if (at < first.length) return null;
  const stand = got.slice(first.length, at);
  return got === parts.join(stand) ? stand : null;
}

function layoutOf(expected: string, got: string): Finding | null {
  if (expected.length !== got.length) return null;
  const swaps = new Map<string, string>();
  for (let i = 0; i < expected.length; i++) if (expected[i] !== got[i]) swaps.set(expected[i] as string, got[i] as string);
  if (swaps.size === 0) return null;
  const pairs = [...swaps.entries()];
  if (
    pairs.every(([e, g]) => e !== g && e.toLowerCase() !== e && g === e.toLowerCase()) ||
    pairs.every(([e, g]) => (e.toUpperCase() === g || e.toLowerCase() === g) && e !== g)
  ) {
    return {
      code: 'caps_lock',
      message: 'upper and lower case are swapped: Caps Lock is on, or the scanner emulates keys with Shift; set the scanner to "case as encoded"',
    };
  }
  const qwertz = pairs.every(([e, g]) => ({ y: 'z', z: 'y', Y: 'Z', Z: 'Y' })[e as 'y'] === g || { '-': 'ß', '/': '-' }[e as '-'] === g);
  if (qwertz)
    return {
      code: 'layout',
      layout: 'qwertz',
      swaps: pairs,
      message: 'Y and Z are swapped: the device keyboard is German (QWERTZ) and the scanner types as US; match the scanner keyboard country to the device',
    };
  const azerty = pairs.every(
    ([e, g]) => ({ a: 'q', q: 'a', A: 'Q', Q: 'A', w: 'z', z: 'w', W: 'Z', Z: 'W', m: ',' })[e as 'a'] === g || AZERTY_DIGITS[e] === g,
  );
  if (azerty)
    return {
      code: 'layout',
      layout: 'azerty',
      swaps: pairs,
      message: 'A/Q, W/Z and the digits are swapped: the device keyboard is French (AZERTY) and the scanner types as US',
    };
  return {
    code: 'layout',
    layout: 'unknown',
    swaps: pairs,
    message: `characters arrive changed (${pairs.map(([e, g]) => `${e}→${g}`).join(', ')}): the scanner's keyboard country differs from the device's`,
  };
}

/** What one scan of a test code says about the scanner. */
export function analyseCalibrationScan(code: TestCode, scan: WedgeScan): Finding[] {
  const findings: Finding[] = [];
  let got = scan.raw;
  const aim = /^\][A-Za-z][0-9]/.exec(got);
  if (aim) {
    findings.push({ code: 'symbology_ids', message: `the scanner sends symbology identifiers (${aim[0]}): good, GS1 is recognised from them` });
    got = got.slice(3);
  } else if (code.expected.includes('\u001d') && !got.startsWith('\u001d')) {
    findings.push({
      code: 'gs1_unmarked',
      message:
        'GS1 symbols arrive without a symbology identifier or leading FNC1; clean GS1 text starting with (00), (01) or (02) will be read as GS1. Better: enable AIM code IDs on the scanner',
    });
  }
  if (got.startsWith('\u001d')) got = got.slice(1);
  findings.push(
    scan.ended === 'timeout'
      ? { code: 'suffix', suffix: 'none', message: 'no Enter or Tab after the data: scans end on silence (slower); program the scanner to send Enter' }
      : { code: 'suffix', suffix: scan.ended, message: `the scanner ends each scan with ${scan.ended}` },
  );
  const len = scan.raw.length;
  const meanGapMs = len > 1 ? scan.durationMs / (len - 1) : 0;
  findings.push({
    code: 'timing',
    maxGapMs: scan.maxGapMs,
    meanGapMs,
    message: `characters arrive ${meanGapMs.toFixed(1)} ms apart on average, ${scan.maxGapMs.toFixed(0)} ms at most`,
  });
  if (got === code.expected) {
    findings.push({ code: 'ok', message: `${code.title}: read exactly` });
    return findings;
  }
  const bare = code.expected.split('\u001d').join('');
  if (got.length > code.expected.length && got.endsWith(code.expected)) {
    const prefix = got.slice(0, got.length - code.expected.length);
    findings.push({ code: 'prefix', prefix, message: `the scanner sends ${show(prefix)} before the data` });
    got = got.slice(prefix.length);
  } else if (got.length > code.expected.length && got.startsWith(code.expected)) {
    const extra = got.slice(code.expected.length);
    findings.push({ code: 'trailing', extra, message: `the scanner sends ${show(extra)} after the data` });
    got = code.expected;
  }
  if (got === code.expected) return findings;
  if (code.expected.includes('\u001d')) {
    if (got === bare) {
      findings.push({
        code: 'gs_missing',
        message:
          'the group separator between GS1 fields is missing: lots and serials would run together; enable GS (FNC1) transmission or a substitute character',
      });
      return findings;
    }
    const stand = gsStandIn(code.expected, got);
    if (stand) {
      findings.push({ code: 'gs_substitute', substitute: stand, message: `the scanner types ${show(stand)} for the group separator; saved as its substitute` });
      return findings;
    }
  }
  const layout = layoutOf(code.expected, got);
  findings.push(layout ?? { code: 'mismatch', message: `expected ${show(code.expected)}, got ${show(got)}` });
  return findings;
}

/** Settings that fix what the findings show; what they cannot fix stays as it was. */
export function suggestWedgeSettings(current: WedgeSettings, findings: readonly Finding[]): WedgeSettings {
  const next = { ...current };
  let maxGap = 0;
  for (const f of findings) {
    if (f.code === 'suffix') next.suffix = f.suffix;
    if (f.code === 'prefix') next.prefix = f.prefix;
    if (f.code === 'gs_substitute') next.gsSubstitute = f.substitute;
    if (f.code === 'gs1_unmarked') next.gs1WithoutIdentifier = true;
    if (f.code === 'symbology_ids') next.gs1WithoutIdentifier = false;
    if (f.code === 'timing') maxGap = Math.max(maxGap, f.maxGapMs);
  }
  // Room above the slowest burst seen, but never so slow that fast typists count as scanners.
  if (maxGap > 0) next.maxGapMs = Math.min(200, Math.max(25, Math.ceil(maxGap * 1.5) + 5));
  return next;
}
