/**
 * Free text and nesting rules shared by the device and the API. PostgreSQL `text` and `jsonb`
 * cannot hold a NUL or a lone UTF-16 surrogate, so such text is refused at the schema, where a
 * bad event becomes a rejection with a clear reason instead of a failed write.
 */
import { z } from './schema.ts';

const NUL = String.fromCharCode(0);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Most levels of nesting an event payload may have; the deepest real payload (a count's lines) has 3. */
export const MAX_PAYLOAD_DEPTH = 8;

/** True when `s` can be stored as PostgreSQL text: no NUL and no lone surrogate. */
export function isStorableText(s: string): boolean {
  return !s.includes(NUL) && !LONE_SURROGATE.test(s);
}

/** Why `s` cannot be stored, or undefined when it can. */
export function textProblem(s: string): string | undefined {
  if (s.includes(NUL)) return 'holds a NUL character';
  if (LONE_SURROGATE.test(s)) return 'holds a lone UTF-16 surrogate (broken Unicode)';
  return undefined;
}

/** Replaces what PostgreSQL cannot store by U+FFFD; used only for copies of refused input kept for people. */
export function sanitizeText(s: string): string {
  return s.replaceAll(NUL, '\ufffd').replace(LONE_SURROGATES, '\ufffd');
}

/** The shared refinement every free-text field of the wire carries. */
export function storableText(what: string) {
  return z.superRefine<string>((s, ctx) => {
    const problem = textProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: `${what} ${problem}`, input: s });
  });
}

/** A bounded free-text field: at most `max` characters, storable; trimmed and non-empty unless `opts.blank`. */
export function freeText(what: string, max: number, opts: { blank?: boolean; emptyMessage?: string } = {}): z.ZodMiniString<string> {
  const base = z.string({ error: `${what} must be text` });
  const shaped = opts.blank ? base : base.check(z.trim(), z.minLength(1, opts.emptyMessage ?? `${what} is empty`));
  return shaped.check(z.maxLength(max, `${what} is longer than ${max} characters`), storableText(what));
}

/**
 * How deep `value` nests (a scalar is 0, `{}` and `[]` are 1), counting no further than `cap`.
 * Iterative, so a hostile value nested a million deep costs no stack.
 */
export function depthOf(value: unknown, cap: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    const here = d + 1;
    if (here > deepest) deepest = here;
    if (deepest > cap) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, here]);
  }
  return deepest;
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** True for an ISO 8601 instant with a zone (`2026-11-23T09:00:00.000Z`, `...+01:00`) naming a real moment. */
export function isIsoInstant(s: string): boolean {
  const m = ISO_INSTANT.exec(s);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec] = m.map(Number) as number[];
  if (mo! < 1 || mo! > 12 || h! > 23 || mi! > 59 || sec! > 59) return false;
  // Day within its month (UTC arithmetic: no clock involved).
  const days = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  return d! >= 1 && d! <= days && !Number.isNaN(Date.parse(s));
}

/** The envelope's `occurredAt`: a real instant from the device clock. */
export const InstantSchema = z
  .string({ error: 'occurredAt must be text' })
  .check(
    z.maxLength(40, 'occurredAt is longer than 40 characters'),
    z.refine(isIsoInstant, 'occurredAt must be an ISO 8601 instant such as 2026-11-23T09:00:00.000Z'),
  );

/** A device clock may run this far ahead of the API's before its events are flagged. */
export const CLOCK_AHEAD_ALLOWANCE_MS = 5 * 60_000;
/**
 * How old an event may be when it arrives before it is flagged: a day of clock error plus a
 * week offline. Honest old events are never refused: ordering never depends on device time.
 */
export const CLOCK_BEHIND_ALLOWANCE_MS = (24 + 7 * 24) * 3_600_000;

/** `ahead` when an event claims to have happened after the API received it, `behind` when it is older than the offline allowance. */
export function clockSkew(occurredAt: string, receivedAt: Date): 'ahead' | 'behind' | undefined {
  const at = Date.parse(occurredAt);
  if (Number.isNaN(at)) return undefined;
  const lead = at - receivedAt.getTime();
  if (lead > CLOCK_AHEAD_ALLOWANCE_MS) return 'ahead';
  if (-lead > CLOCK_BEHIND_ALLOWANCE_MS) return 'behind';
  return undefined;
}

/**
 * True when JSON text nests deeper than `max` brackets. One pass over the characters with no
 * recursion and no parse, so an absurdly deep body is refused before anything walks it.
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}
