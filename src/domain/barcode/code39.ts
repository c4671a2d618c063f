/**
 * Code 39's optional mod-43 check character (ISO/IEC 16388 Annex A): the sum of the
 * characters' values modulo 43, written as the character of that value.
 */

const CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%';

/** The check character for `body`, or null when `body` holds a character Code 39 cannot encode. */
export function code39CheckChar(body: string): string | null {
  let sum = 0;
  for (const ch of body) {
    const v = CHARS.indexOf(ch);
    if (v === -1) return null;
    sum += v;
  }
  return CHARS[sum % 43] as string;
}
