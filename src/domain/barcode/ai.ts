/**
 * The GS1 Application Identifiers this app understands, and the GS1 rules for reading an
 * element string whose AIs it does not know (prefix length, predefined lengths).
 */

export type AiCheck = 'mod10' | 'date' | 'none';

export type AiDef = {
  ai: string;
  title: string;
  /** 'N' digits only; 'X' GS1 AI encodable character set 82. */
  charset: 'N' | 'X';
  /** Fixed length, or the maximum when `variable`. */
  length: number;
  variable: boolean;
  check: AiCheck;
  /** For measures such as 310n: the implied decimal places. */
  decimals?: number;
};

const fixed = (ai: string, title: string, length: number, check: AiCheck = 'none'): AiDef => ({
  ai,
  title,
  charset: 'N',
  length,
  variable: false,
  check,
});
const varN = (ai: string, title: string, max: number): AiDef => ({ ai, title, charset: 'N', length: max, variable: true, check: 'none' });
const varX = (ai: string, title: string, max: number): AiDef => ({ ai, title, charset: 'X', length: max, variable: true, check: 'none' });

const defs: AiDef[] = [
  fixed('00', 'SSCC', 18, 'mod10'),
  fixed('01', 'GTIN', 14, 'mod10'),
  fixed('02', 'CONTENT', 14, 'mod10'),
  varX('10', 'BATCH/LOT', 20),
  fixed('11', 'PROD DATE', 6, 'date'),
  fixed('12', 'DUE DATE', 6, 'date'),
  fixed('13', 'PACK DATE', 6, 'date'),
  fixed('15', 'BEST BEFORE', 6, 'date'),
  fixed('16', 'SELL BY', 6, 'date'),
  fixed('17', 'USE BY', 6, 'date'),
  fixed('20', 'VARIANT', 2),
  varX('21', 'SERIAL', 20),
  varX('22', 'CPV', 20),
  varX('240', 'ADDITIONAL ID', 30),
  varX('241', 'CUST. PART No.', 30),
  varX('250', 'SECONDARY SERIAL', 30),
  varX('251', 'REF. TO SOURCE', 30),
  varN('30', 'VAR. COUNT', 8),
  varN('37', 'COUNT', 8),
  varX('400', 'ORDER NUMBER', 30),
  varX('401', 'GINC', 30),
  fixed('402', 'GSIN', 17, 'mod10'),
  varX('403', 'ROUTE', 30),
  fixed('410', 'SHIP TO LOC', 13, 'mod10'),
  fixed('411', 'BILL TO', 13, 'mod10'),
  fixed('412', 'PURCHASE FROM', 13, 'mod10'),
  fixed('413', 'SHIP FOR LOC', 13, 'mod10'),
  fixed('414', 'LOC No.', 13, 'mod10'),
  fixed('415', 'PAY TO', 13, 'mod10'),
  varX('420', 'SHIP TO POST', 20),
  varX('90', 'INTERNAL', 30),
  ...['91', '92', '93', '94', '95', '96', '97', '98', '99'].map((ai) => varX(ai, 'INTERNAL', 90)),
];
for (let n = 0; n <= 5; n++) defs.push({ ...fixed(`310${n}`, 'NET WEIGHT (kg)', 6), decimals: n });
for (let n = 0; n <= 5; n++) defs.push({ ...fixed(`330${n}`, 'GROSS WEIGHT (kg)', 6), decimals: n });
// Variable-measure fresh food: price to pay, in the local currency (392n) or with an ISO 4217 code (393n).
for (let n = 0; n <= 9; n++) defs.push({ ...varN(`392${n}`, 'PRICE', 15), decimals: n });
for (let n = 0; n <= 9; n++) defs.push({ ...varN(`393${n}`, 'PRICE', 18), decimals: n });

const byAi = new Map(defs.map((d) => [d.ai, d]));

/** The definition of a known AI, or undefined. */
export function aiDef(ai: string): AiDef | undefined {
  return byAi.get(ai);
}

/**
 * The length of the AI that starts `data`, from GS1's table of AI lengths by their first
 * two digits (General Specifications, "AI prefix"). Undefined for a prefix GS1 never assigned.
 */
export function aiLengthFromPrefix(prefix: string): number | undefined {
  if (!/^\d\d$/.test(prefix)) return undefined;
  const p = Number(prefix);
  if (p <= 22 || p === 30 || p === 37 || p >= 90) return 2;
  if (p >= 23 && p <= 29) return 3;
  if ((p >= 31 && p <= 36) || p === 39) return 4;
  if (p >= 40 && p <= 42) return 3;
  if (p === 43) return 4;
  if (p === 70 || p === 72 || p === 80 || p === 81 || p === 82) return 4;
  if (p === 71) return 3;
  return undefined;
}

/**
 * Total length (AI + value) of element strings with a predefined length, keyed by the
 * AI's first two digits: these need no FNC1 after them, whatever AI it is.
 */
const PREDEFINED: Record<string, number> = {
  '00': 20,
  '01': 16,
  '02': 16,
  '03': 16,
  '04': 18,
  '11': 8,
  '12': 8,
  '13': 8,
  '14': 8,
  '15': 8,
  '16': 8,
  '17': 8,
  '18': 8,
  '19': 8,
  '20': 4,
  '31': 10,
  '32': 10,
  '33': 10,
  '34': 10,
  '35': 10,
  '36': 10,
  '41': 16,
};

/** The predefined total length of an element string starting with `prefix`, if any. */
export function predefinedLength(prefix: string): number | undefined {
  return PREDEFINED[prefix];
}

/** GS1 AI encodable character set 82 (the characters allowed in 'X' values). */
export const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;
