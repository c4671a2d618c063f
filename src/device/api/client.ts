/**
 * The device's one way to the API: every call of the sync engine, the session and the screens
 * goes through an `ApiClient`, and every answer is parsed with its schema from the wire
 * contract (src/domain/protocol.ts). An answer this build cannot read is an `incompatible`
 * failure with what was wrong, never a cast.
 */
import type { DeviceId } from '../../domain/ids.ts';
import {
  OfflineGrantResponseSchema,
  OfflineSettingSchema,
  RevokeGrantsResponseSchema,
  type OfflineGrantResponse,
  type OfflineSetting,
  type RevokeGrantsResponse,
} from '../../domain/shift/protocol.ts';
import {
  API_PREFIX,
  ChallengeResponseSchema,
  ConflictsAnswerSchema,
  CountTasksAnswerSchema,
  DevicesAnswerSchema,
  DiscrepanciesAnswerSchema,
  LedgerAnswerSchema,
  PullResponseSchema,
  PushResponseSchema,
  ReturnsAnswerSchema,
  SessionsAnswerSchema,
  SignInResponseSchema,
  StockAnswerSchema,
  StreamTicketSchema,
  type ChallengeResponse,
  type ConflictsAnswer,
  type CountTasksAnswer,
  type DevicesAnswer,
  type DiscrepanciesAnswer,
  type LedgerAnswer,
  type PullResponse,
  type PushResponse,
  type ReturnsAnswer,
  type SessionsAnswer,
  type SignInRequest,
  type SignInResponse,
  type StockAnswer,
  type StreamTicket,
} from '../../domain/protocol.ts';
import { describeIssues } from '../../domain/events.ts';
import type { z } from '../../domain/schema.ts';
import type { HttpClient, HttpRequest } from '../sync/http.ts';
import { failureOf, networkFailure, type Failure } from './http-status.ts';

export type { Failure } from './http-status.ts';

/** An answer of the API: its parsed value, or why there is none. */
export type Answer<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** An event as it goes on the wire (the envelope of protocol v1/v2). */
export type WireEvent = {
  id: string;
  deviceId: string;
  seq: number;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  actor: string;
  session?: string;
  payload: unknown;
};

export type CallOptions = { signal?: AbortSignal };
export type LedgerQuery = { deviceId?: string; sku?: string; location?: string; after?: number; limit?: number };

export interface ApiClient {
  signIn(request: SignInRequest, opts?: CallOptions): Promise<Answer<SignInResponse>>;
  /** A one-time challenge for `deviceId`'s next sign-in, to sign with the device's key. */
  signInChallenge(deviceId: string, opts?: CallOptions): Promise<Answer<ChallengeResponse>>;
  /** Ends the session of `token` (sign-out). */
  signOut(token: string, opts?: CallOptions): Promise<Answer<null>>;
  /** After an online sign-in: this user's grant to sign in offline on this device (src/device/offline-signin.ts). */
  offlineGrant(token: string, opts?: CallOptions): Promise<Answer<OfflineGrantResponse>>;
  /** A supervisor's offline sign-in setting: read, set (0 turns it off), and revoking a user's grants. */
  offlineSetting(token: string, opts?: CallOptions): Promise<Answer<OfflineSetting>>;
  setOfflineSetting(token: string, setting: OfflineSetting, opts?: CallOptions): Promise<Answer<OfflineSetting>>;
  revokeOfflineGrants(token: string, userId: string, opts?: CallOptions): Promise<Answer<RevokeGrantsResponse>>;
  /** Sends events (already serialised with `encodeEvents`, so a backlog's next batch can be prepared ahead). */
  push(token: string, deviceId: DeviceId, body: EncodedBatch, opts?: CallOptions): Promise<Answer<PushResponse>>;
  /** The work cache's pull: `cursor` of the last answer; `catalogSince`, the catalog cursor whose changes alone are wanted. */
  work(token: string, deviceId: DeviceId, since: { cursor?: string; catalogSince?: number }, opts?: CallOptions): Promise<Answer<PullResponse>>;
  ledger(token: string, query: LedgerQuery, opts?: CallOptions): Promise<Answer<LedgerAnswer>>;
  streamTicket(token: string, opts?: CallOptions): Promise<Answer<StreamTicket>>;
  stock(token: string, query?: { sku?: string; location?: string }, opts?: CallOptions): Promise<Answer<StockAnswer>>;
  devices(token: string, opts?: CallOptions): Promise<Answer<DevicesAnswer>>;
  sessions(token: string, opts?: CallOptions): Promise<Answer<SessionsAnswer>>;
  countTasks(token: string, opts?: CallOptions): Promise<Answer<CountTasksAnswer>>;
  returns(token: string, opts?: CallOptions & { open?: boolean }): Promise<Answer<ReturnsAnswer>>;
  conflicts(token: string, opts?: CallOptions): Promise<Answer<ConflictsAnswer>>;
  discrepancies(token: string, opts?: CallOptions): Promise<Answer<DiscrepanciesAnswer>>;
}

/** A push body, serialised once: its events' seqs and the JSON text. */
export type EncodedBatch = { seqs: readonly number[]; events: readonly WireEvent[]; json: string };

/** Serialises a batch of events for `push`. */
export function encodeEvents(events: readonly WireEvent[]): EncodedBatch {
  return { seqs: events.map((e) => e.seq), events, json: JSON.stringify({ events }) };
}

/** Thrown by `expectOk` when an answer is missing: carries the failure. */
export class ApiCallError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
    this.name = 'ApiCallError';
  }
}

/** The value of an answer, or an `ApiCallError` with the API's message: for callers that show errors. */
export function expectOk<T>(answer: Answer<T>): T {
  if (!answer.ok) throw new ApiCallError(answer.failure);
  return answer.value;
}

/** Parses a 2xx body with `schema`; a body that does not fit is `incompatible`, naming the first fields that did not. */
export function readAnswer<S extends z.ZodMiniType>(schema: S, text: string, what: string): Answer<z.output<S>> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, failure: { kind: 'incompatible', message: `the API sent an unreadable answer to ${what} (not JSON)` } };
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    return { ok: false, failure: { kind: 'incompatible', message: `the API sent an answer to ${what} this app cannot read: ${describeIssues(parsed.error)}` } };
  return { ok: true, value: parsed.data };
}

const query = (q: Record<string, string | number | boolean | undefined>): string => {
  const parts = Object.entries(q)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

/** The `ApiClient` over HTTP (`fetchHttpClient` in the app; a faulty wrapper in tests). */
export function httpApiClient(http: HttpClient, now: () => number = () => Date.now()): ApiClient {
  async function call<S extends z.ZodMiniType>(req: HttpRequest, schema: S, what: string): Promise<Answer<z.output<S>>> {
    let res;
    try {
      res = await http.send(req);
    } catch (err) {
      return { ok: false, failure: networkFailure(err, req.signal?.aborted === true) };
    }
    if (res.status < 200 || res.status >= 300) return { ok: false, failure: failureOf(res, now()) };
    return readAnswer(schema, res.text, what);
  }
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = <S extends z.ZodMiniType>(token: string, path: string, schema: S, what: string, opts?: CallOptions) =>
    call({ method: 'GET', path: `${API_PREFIX}${path}`, headers: auth(token), signal: opts?.signal }, schema, what);

  return {
    signIn: (request, opts) =>
      call(
        {
          method: 'POST',
          path: `${API_PREFIX}/sessions`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
          signal: opts?.signal,
        },
        SignInResponseSchema,
        'the sign-in',
      ),
    signInChallenge: (deviceId, opts) =>
      call(
        {
          method: 'POST',
          path: `${API_PREFIX}/sessions/challenge`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ deviceId }),
          signal: opts?.signal,
        },
        ChallengeResponseSchema,
        'the sign-in challenge',
      ),
    async signOut(token, opts) {
      try {
        const res = await http.send({ method: 'DELETE', path: `${API_PREFIX}/sessions/current`, headers: auth(token), signal: opts?.signal });
        return res.status >= 200 && res.status < 300 ? { ok: true, value: null } : { ok: false, failure: failureOf(res, now()) };
      } catch (err) {
        return { ok: false, failure: networkFailure(err, opts?.signal?.aborted === true) };
      }
    },
    offlineGrant: (token, opts) =>
      call(
        { method: 'POST', path: `${API_PREFIX}/offline-grants`, headers: auth(token), signal: opts?.signal },
        OfflineGrantResponseSchema,
        'an offline grant request',
      ),
    offlineSetting: (token, opts) => get(token, '/settings/offline-sign-in', OfflineSettingSchema, 'the offline sign-in setting', opts),
    setOfflineSetting: (token, setting, opts) =>
      call(
        {
          method: 'PUT',
          path: `${API_PREFIX}/settings/offline-sign-in`,
          headers: { ...auth(token), 'content-type': 'application/json' },
          body: JSON.stringify(setting),
          signal: opts?.signal,
        },
        OfflineSettingSchema,
        'the offline sign-in setting',
      ),
    revokeOfflineGrants: (token, userId, opts) =>
      call(
        { method: 'POST', path: `${API_PREFIX}/users/${encodeURIComponent(userId)}/offline-grants/revoke`, headers: auth(token), signal: opts?.signal },
        RevokeGrantsResponseSchema,
        'a grant revocation',
      ),
    push: (token, deviceId, body, opts) =>
      call(
        {
          method: 'POST',
          path: `${API_PREFIX}/devices/${deviceId}/events`,
          headers: { ...auth(token), 'content-type': 'application/json' },
          body: body.json,
          signal: opts?.signal,
        },
        PushResponseSchema,
        'a push',
      ),
    work: (token, deviceId, since, opts) =>
      get(token, `/devices/${deviceId}/work${query({ cursor: since.cursor, catalogSince: since.catalogSince })}`, PullResponseSchema, 'a pull', opts),
    ledger: (token, q, opts) => get(token, `/ledger${query(q)}`, LedgerAnswerSchema, 'a ledger read', opts),
    streamTicket: (token, opts) =>
      call({ method: 'POST', path: `${API_PREFIX}/stream-tickets`, headers: auth(token), signal: opts?.signal }, StreamTicketSchema, 'a stream ticket request'),
    stock: (token, q = {}, opts) => get(token, `/stock${query(q)}`, StockAnswerSchema, 'a stock read', opts),
    devices: (token, opts) => get(token, '/devices', DevicesAnswerSchema, 'a devices read', opts),
    sessions: (token, opts) => get(token, '/sessions', SessionsAnswerSchema, 'a sessions read', opts),
    countTasks: (token, opts) => get(token, '/count-tasks', CountTasksAnswerSchema, 'a count tasks read', opts),
    returns: (token, opts) => get(token, `/returns${query({ open: opts?.open ? '1' : undefined })}`, ReturnsAnswerSchema, 'a returns read', opts),
    conflicts: (token, opts) => get(token, '/conflicts', ConflictsAnswerSchema, 'a conflicts read', opts),
    discrepancies: (token, opts) => get(token, '/discrepancies', DiscrepanciesAnswerSchema, 'a discrepancies read', opts),
  };
}
