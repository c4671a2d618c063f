import { describe, expect, it } from 'vitest';
import { failureOf, networkFailure, readApiError } from '../../src/device/api/http-status.ts';
import type { HttpResponse } from '../../src/device/sync/http.ts';

const res = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  header: (n) => headers[n.toLowerCase()] ?? null,
  text: typeof body === 'string' ? body : JSON.stringify(body),
});
const now = Date.parse('2026-11-23T10:00:00Z');

describe('HTTP status classification', () => {
  it('reads the API error body once, and tolerates a body that is not one', () => {
    expect(readApiError('{"error":"x","message":"words","seq":4}')).toEqual({ error: 'x', message: 'words', seq: 4 });
    expect(readApiError('<html>bad gateway</html>')).toEqual({});
    expect(readApiError('[1]')).toEqual({});
    expect(readApiError('{"error":5,"message":null}')).toEqual({});
  });

  it('tells each failure apart', () => {
    expect(failureOf(res(401, { error: 'unauthorized', message: 'session expired' }), now)).toEqual({
      kind: 'auth',
      message: 'session expired',
      code: 'unauthorized',
    });
    expect(failureOf(res(403, { error: 'device_reset', message: 'reset' }), now)).toEqual({ kind: 'reset', message: 'reset' });
    expect(failureOf(res(403, { error: 'forbidden', message: 'no' }), now)).toEqual({ kind: 'bad', status: 403, code: 'forbidden', message: 'no' });
    expect(failureOf(res(409, { error: 'seq_conflict', message: 'm', seq: 7, ackedSeq: 6 }), now)).toEqual({ kind: 'conflict', seq: 7, message: 'm' });
    expect(failureOf(res(413, ''), now)).toMatchObject({ kind: 'too_big' });
    expect(failureOf(res(400, 'not json'), now)).toEqual({ kind: 'bad', status: 400, message: 'the API answered 400' });
    for (const status of [408, 429, 500, 502, 503, 504]) expect(failureOf(res(status, {}), now)).toMatchObject({ kind: 'retry', status });
  });

  it('honours Retry-After as seconds or a date', () => {
    expect(failureOf(res(429, { error: 'rate_limited', message: 'slow down' }, { 'retry-after': '30' }), now)).toEqual({
      kind: 'retry',
      status: 429,
      code: 'rate_limited',
      message: 'slow down',
      retryAfterMs: 30_000,
    });
    expect(failureOf(res(503, {}, { 'retry-after': 'Mon, 23 Nov 2026 10:00:05 GMT' }), now)).toMatchObject({ retryAfterMs: 5000 });
  });

  it('a request without an answer is a retry; an aborted one says so', () => {
    expect(networkFailure(new TypeError('fetch failed'), false)).toEqual({ kind: 'retry', message: 'network error: fetch failed' });
    expect(networkFailure(new Error('x'), true)).toMatchObject({ kind: 'retry', aborted: true });
  });
});
