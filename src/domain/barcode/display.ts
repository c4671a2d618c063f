/* eslint-disable no-control-regex -- scanned text is searched for control characters on purpose. */
/**
 * Barcode text is untrusted input: a label can carry control characters, bidi overrides
 * or markup. This makes a string safe and legible to show; it never changes what is parsed.
 */

const MAX_DISPLAY = 120;

/**
 * A printable version of scanned text: GS shown as `␝`, other control and bidi
 * characters removed, markup tags stripped, long text cut with an ellipsis.
 */
export function displayText(raw: string): string {
  const cleaned = raw
    .replace(/\u001d/g, '\u241d')
    .replace(/<[^>]*>/g, '')
    .replace(/[<>]/g, '')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
  return cleaned.length > MAX_DISPLAY ? `${cleaned.slice(0, MAX_DISPLAY - 1)}…` : cleaned;
}
