/**
 * Field rules shared by every master-data table, for CSV cells (text) and JSON values alike:
 * each answers a typed value or one clear message naming the field and what was found.
 */
import { z } from 'zod';
import { normaliseGtin } from '../barcode/check-digit.ts';
import { textProblem } from '../text.ts';
import type { LineError } from './csv.ts';

/** What was found, short and quoted, for a message. */
export const shown = (v: unknown): string => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
};

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** A code (SKU, location, site, user, receipt): letters, digits and . _ : / -, at most 64. */
export const codeField = (what: string, fallback?: string) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx): string => {
      if (blank(v) && fallback !== undefined) return fallback;
      if (blank(v)) return (ctx.addIssue({ code: 'custom', message: `${what} is empty` }), z.NEVER);
      if (typeof v !== 'string') return (ctx.addIssue({ code: 'custom', message: `${what} must be text, got ${shown(v)}` }), z.NEVER);
      const s = v.trim();
      if (s.length > 64) return (ctx.addIssue({ code: 'custom', message: `${what} is longer than 64 characters` }), z.NEVER);
      if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/.test(s)) {
        return (
          ctx.addIssue({ code: 'custom', message: `${what} ${shown(s)} may hold only letters, digits and . _ : / - (and start with a letter or digit)` }),
          z.NEVER
        );
      }
      return s;
    });

/** Free text (a name): trimmed, non-empty, storable, at most `max` characters. Formulas are kept as text; exports neutralise them. */
export const textField = (what: string, max: number) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx): string => {
      if (blank(v)) return (ctx.addIssue({ code: 'custom', message: `${what} is empty` }), z.NEVER);
      if (typeof v !== 'string') return (ctx.addIssue({ code: 'custom', message: `${what} must be text, got ${shown(v)}` }), z.NEVER);
      const s = v.trim();
      if (s.length > max) return (ctx.addIssue({ code: 'custom', message: `${what} is longer than ${max} characters` }), z.NEVER);
      // Control characters are exactly what this rule looks for.
      // eslint-disable-next-line no-control-regex
      const problem = textProblem(s) ?? (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s) ? 'holds a control character' : undefined);
      if (problem) return (ctx.addIssue({ code: 'custom', message: `${what} ${problem}` }), z.NEVER);
      return s;
    });

const TRUE = new Set(['yes', 'y', 'true', '1', 'x', 'ja', 'oui', 'si', 'on']);
const FALSE = new Set(['no', 'n', 'false', '0', 'nein', 'non', 'off']);

/** yes/no (true/false, 1/0, x/blank...); blank is `fallback`. */
export const flagField = (what: string, fallback: boolean) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx): boolean => {
      if (blank(v)) return fallback;
      if (typeof v === 'boolean') return v;
      const s = typeof v === 'string' ? v.trim().toLowerCase() : undefined;
      if (s !== undefined && TRUE.has(s)) return true;
      if (s !== undefined && FALSE.has(s)) return false;
      return (ctx.addIssue({ code: 'custom', message: `${what} must be yes or no, got ${shown(v)}` }), z.NEVER);
    });

/** A whole number from `min` to `max`; blank is null unless `required`. */
export const wholeField = <R extends boolean>(what: string, min: number, max: number, required: R) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx): R extends true ? number : number | null => {
      type Out = R extends true ? number : number | null;
      if (blank(v)) {
        if (!required) return null as Out;
        return (ctx.addIssue({ code: 'custom', message: `${what} is empty` }), z.NEVER);
      }
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,12}\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        return (ctx.addIssue({ code: 'custom', message: `${what} must be a whole number from ${min} to ${max}, got ${shown(v)}` }), z.NEVER);
      }
      return n as Out;
    });

/** A GTIN-8/12/13/14 with a right check digit, answered as GTIN-14 (the catalog's one form). */
export const gtinField = (what = 'GTIN') =>
  z
    .unknown()
    .optional()
    .transform((v, ctx): string => {
      if (blank(v)) return (ctx.addIssue({ code: 'custom', message: `${what} is empty` }), z.NEVER);
      if (typeof v !== 'string')
        return (ctx.addIssue({ code: 'custom', message: `${what} must be text (digits in quotes keep their leading zeros), got ${shown(v)}` }), z.NEVER);
      const checked = normaliseGtin(v.trim());
      if (!checked.ok) return (ctx.addIssue({ code: 'custom', message: what === 'GTIN' ? checked.message : `${what}: ${checked.message}` }), z.NEVER);
      return checked.gtin14;
    });

/** One of `values` (any case); blank is `fallback`. */
export const choiceField = <const T extends string, F extends T | null>(what: string, values: readonly T[], fallback: F) =>
  z
    .unknown()
    .optional()
    .transform((v, ctx): T | F => {
      if (blank(v)) return fallback;
      const s = typeof v === 'string' ? v.trim().toLowerCase() : undefined;
      const hit = values.find((x) => x.toLowerCase() === s);
      if (hit) return hit;
      return (ctx.addIssue({ code: 'custom', message: `${what} must be one of ${values.join(', ')}, got ${shown(v)}` }), z.NEVER);
    });

/** Items checked one by one; a good item keeps its line, a bad one becomes its errors. */
export type Checked<R> = { records: { line: number; record: R }[]; errors: LineError[] };

/** Validates each `{ line, value }` with `schema`: the records that pass and one error per problem of those that do not. */
export function checkEach<S extends z.ZodType>(items: readonly { line: number; value: unknown }[], schema: S): Checked<z.output<S>> {
  const records: { line: number; record: z.output<S> }[] = [];
  const errors: LineError[] = [];
  for (const { line, value } of items) {
    const r = schema.safeParse(value);
    if (r.success) records.push({ line, record: r.data });
    else
      for (const issue of r.error.issues)
        errors.push({ line, ...(issue.path[0] !== undefined ? { column: String(issue.path[0]) } : {}), message: issue.message });
  }
  return { records, errors };
}

/** Reports every record whose `key` an earlier line already has, and keeps only the first. */
export function firstOfEach<R>(checked: Checked<R>, key: (r: R) => string, what: (r: R) => string): Checked<R> {
  const seen = new Map<string, number>();
  const records: Checked<R>['records'] = [];
  const errors = [...checked.errors];
  for (const item of checked.records) {
    const k = key(item.record);
    const first = seen.get(k);
    if (first !== undefined) errors.push({ line: item.line, message: `${what(item.record)} is already on line ${first}` });
    else {
      seen.set(k, item.line);
      records.push(item);
    }
  }
  return { records, errors: errors.sort((a, b) => a.line - b.line) };
}

/** Splits a list cell ("picker|counter", "a, b", "a b") into its parts. */
export const listCell = (s: string | undefined): string[] =>
  (s ?? '')
    .split(/[|,;/+\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
