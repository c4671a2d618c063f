/**
 * What an HTTP answer of the API means for the device, decided in one place: success, a
 * passing fault worth retrying (with the API's Retry-After), a refused session, a reset
 * device, a seq conflict, a body too large, or a request the API will never take.
 * The API's JSON error body (`{ error, message }`) is read here and nowhere else.
 */
import type { HttpResponse } from '../sync/http.ts';

export type Failure =
  /** Network failure, timeout, 408, 429 or 5xx: the same request may succeed later. */
  | { kind: 'retry'; message: string; retryAfterMs?: number; status?: number; code?: string; aborted?: boolean }
  /** 401: the session is gone; sign in again. */
  | { kind: 'auth'; message: string; code?: string }
  /** 403 `device_reset`: a supervisor reset this handheld. */
  | { kind: 'reset'; message: string }
  /** 409: the API holds another event under `seq`. */
  | { kind: 'conflict'; message: string; seq: number }
  /** 413: send less at once. */
  | { kind: 'too_big'; message: string }
  /** Any other refusal (400, 403, 404...): sending the same again will not help. */
  | { kind: 'bad'; message: string; status: number; code?: string }
  /** A 2xx answer this build cannot read: an API of another protocol version, or a proxy's page. */
  | { kind: 'incompatible'; message: string };

/** The API's `{ error, message }` body of a refusal, as far as it is one. */
export function readApiError(text: string): { error?: string; message?: string; seq?: number } {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== 'object' || body === null) return {};
    const b = body as Record<string, unknown>;
    return {
      ...(typeof b.error === 'string' ? { error: b.error } : {}),
      ...(typeof b.message === 'string' ? { message: b.message } : {}),
      ...(Number.isInteger(b.seq) ? { seq: b.seq as number } : {}),
    };
  } catch {
    return {};
  }
}

/** Retry-After as seconds or an HTTP date, in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Classifies a non-2xx answer. */
export function failureOf(res: HttpResponse, now: number): Failure {
  const body = readApiError(res.text);
  const message = body.message ?? `the API answered ${res.status}`;
  if (res.status === 401) return { kind: 'auth', message, ...(body.error ? { code: body.error } : {}) };
  if (res.status === 403 && body.error === 'device_reset') return { kind: 'reset', message };
  if (res.status === 409) return { kind: 'conflict', seq: body.seq ?? 0, message };
  if (res.status === 413) return { kind: 'too_big', message };
  if (res.status === 429 || res.status >= 500 || res.status === 408) {
    const retryAfterMs = parseRetryAfter(res.header('retry-after'), now);
    return { kind: 'retry', message, status: res.status, ...(body.error ? { code: body.error } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { kind: 'bad', message, status: res.status, ...(body.error ? { code: body.error } : {}) };
}

/** A request that got no answer: aborted (by a timeout) or a network failure. */
export function networkFailure(err: unknown, aborted: boolean): Failure {
  return aborted
    ? { kind: 'retry', message: 'the request was aborted', aborted: true }
    : { kind: 'retry', message: `network error: ${err instanceof Error ? err.message : String(err)}` };
}
