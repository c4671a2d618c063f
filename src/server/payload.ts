/**
 * What the ledger keeps of what a device sent: a copy PostgreSQL can store (no NUL, no lone
 * surrogate, bounded depth and size) and a hash of the canonical envelope, so a resend of the
 * same seq and id with other content is noticed. Nothing here recurses deeper than a cap:
 * hostile input may nest as deep as the body parser allows.
 */
import { createHash } from 'node:crypto';
import { depthOf, sanitizeText } from '../domain/text.ts';

/** Deepest stored copy of refused input; deeper is replaced by a marker. */
export const MAX_STORED_DEPTH = 16;
/** Largest stored copy of a refused payload (characters of its JSON); larger keeps a preview. */
export const MAX_STORED_PAYLOAD_CHARS = 4096;
/** Longest stored rejection message or envelope text field. */
export const MAX_STORED_TEXT = 1000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sanitizes strings and keys; only called on values already known to nest at most MAX_STORED_DEPTH. */
function sanitize(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return sanitizeText(v);
  if (depth > MAX_STORED_DEPTH) return null;
  if (Array.isArray(v)) return v.map((x) => sanitize(x, depth + 1));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [sanitizeText(k), sanitize(x, depth + 1)]));
  return v;
}

/**
 * A copy of refused input the ledger can hold: sanitized, and replaced by
 * `{ truncated: true, reason, preview? }` when it nests too deep or is too large.
 */
export function storedCopy(value: unknown, maxChars = MAX_STORED_PAYLOAD_CHARS): unknown {
  if (value === undefined) return null;
  const depth = depthOf(value, MAX_STORED_DEPTH);
  if (depth > MAX_STORED_DEPTH) return { truncated: true, reason: `nested deeper than ${MAX_STORED_DEPTH} levels; not kept` };
  const clean = sanitize(value, 1);
  const text = JSON.stringify(clean) ?? 'null';
  if (text.length <= maxChars) return clean;
  return {
    truncated: true,
    reason: `${text.length} characters of JSON, more than ${maxChars}; the start is kept`,
    preview: sanitizeText(text.slice(0, maxChars)),
  };
}

/** Text for a ledger column: a string cut to `max` and sanitized, or `fallback`. */
export const storedText = (v: unknown, max: number, fallback: string): string => (typeof v === 'string' ? sanitizeText(v.slice(0, max)) : fallback);

type Item = { lit: string } | { value: unknown };

/** JSON with object keys sorted, built with an explicit stack (no recursion, any depth). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const stack: Item[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop() as Item;
    if ('lit' in item) {
      out.push(item.lit);
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      const parts: Item[] = [{ lit: '[' }];
      v.forEach((x, i) => parts.push(...(i > 0 ? [{ lit: ',' }] : []), { value: x }));
      parts.push({ lit: ']' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as Item);
    } else if (isObject(v)) {
      const parts: Item[] = [{ lit: '{' }];
      Object.keys(v)
        .filter((k) => v[k] !== undefined)
        .sort()
        .forEach((k, i) => parts.push({ lit: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` }, { value: v[k] }));
      parts.push({ lit: '}' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as Item);
    } else {
      out.push(JSON.stringify(v) ?? 'null');
    }
  }
  return out.join('');
}

/**
 * The hash of what an envelope says (type, version, time, actor, payload), not of how it is
 * numbered: a resend of the same seq and id must hash the same.
 */
export function envelopeHash(raw: Record<string, unknown>): string {
  const said = { type: raw.type, schemaVersion: raw.schemaVersion, occurredAt: raw.occurredAt, actor: raw.actor, payload: raw.payload };
  return createHash('sha256').update(canonicalJson(said)).digest('hex');
}
