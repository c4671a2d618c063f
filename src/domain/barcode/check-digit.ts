/**
 * GS1 mod-10 check digits (GTIN-8/12/13/14, SSCC, GLN, GSIN) and UPC-E/UPC-A/EAN
 * normalisation to GTIN-14. Pure: strings in, data out.
 */

const DIGITS = /^\d+$/;

/** The GS1 check digit for `body` (all digits but the last), weights 3,1,3... from the right. */
export function gs1CheckDigit(body: string): number {
  if (!DIGITS.test(body)) throw new RangeError(`check digit body must be digits: ${JSON.stringify(body)}`);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `code` is all digits and its last digit is the GS1 check digit of the rest. */
export function hasValidCheckDigit(code: string): boolean {
  if (code.length < 2 || !DIGITS.test(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

/**
 * Expands a UPC-E code (6 data digits, or 7/8 digits with number system and check digit)
 * to its 12-digit UPC-A. Returns null for a shape that is not UPC-E.
 */
export function expandUpcE(upce: string): string | null {
  if (!DIGITS.test(upce)) return null;
  let ns = '0';
  let data: string;
  let check: string | undefined;
  if (upce.length === 6) data = upce;
  else if (upce.length === 7) [ns, data] = [upce[0] as string, upce.slice(1)];
  else if (upce.length === 8) [ns, data, check] = [upce[0] as string, upce.slice(1, 7), upce[7]];
  else return null;
  // Only number systems 0 and 1 exist in UPC-E.
  if (ns !== '0' && ns !== '1') return null;
  const [d1, d2, d3, d4, d5, d6] = data.split('') as [string, string, string, string, string, string];
  let body: string;
  switch (d6) {
    case '0':
    case '1':
    case '2':
      body = `${ns}${d1}${d2}${d6}0000${d3}${d4}${d5}`;
      break;
    case '3':
      body = `${ns}${d1}${d2}${d3}00000${d4}${d5}`;
      break;
    case '4':
      body = `${ns}${d1}${d2}${d3}${d4}00000${d5}`;
      break;
    default:
      body = `${ns}${d1}${d2}${d3}${d4}${d5}0000${d6}`;
  }
  const computed = String(gs1CheckDigit(body));
  if (check !== undefined && check !== computed) return null;
  return body + computed;
}

export type GtinCheck = { ok: true; gtin14: string } | { ok: false; code: 'bad_length' | 'bad_chars' | 'bad_check_digit'; message: string };

/**
 * Validates a GTIN-8/12/13/14 and pads it to GTIN-14 (the one form the catalog and
 * events use), so an EAN-13 and the same product's ITF-14 with indicator 0 match.
 */
export function normaliseGtin(code: string): GtinCheck {
  if (!DIGITS.test(code)) return { ok: false, code: 'bad_chars', message: `GTIN must be digits, got ${JSON.stringify(code)}` };
  if (![8, 12, 13, 14].includes(code.length)) {
    return { ok: false, code: 'bad_length', message: `GTIN must have 8, 12, 13 or 14 digits, got ${code.length}` };
  }
  if (!hasValidCheckDigit(code)) {
    const expected = gs1CheckDigit(code.slice(0, -1));
    return { ok: false, code: 'bad_check_digit', message: `GTIN ${code} has a wrong check digit (expected ${expected})` };
  }
  return { ok: true, gtin14: code.padStart(14, '0') };
}

/** Validates an 18-digit SSCC (serial shipping container code) check digit. */
export function isValidSscc(code: string): boolean {
  return code.length === 18 && hasValidCheckDigit(code);
}
