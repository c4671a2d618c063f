/**
 * A small in-memory API speaking protocol v1 through the device's `ApiClient` interface, for
 * engine unit tests that need answers the real API gives only under faults (409, 413, lost
 * answers, hangs). A fault's HTTP status is classified by the device's own `failureOf`, as the
 * real client would. The integration tests run the engine against the real API instead.
 */
import type { OfflineGrantResponse, OfflineSetting, RevokeGrantsResponse } from '../../src/domain/shift/protocol.ts';
import { readAnswer, type Answer, type ApiClient, type CallOptions, type EncodedBatch } from '../../src/device/api/client.ts';
import { failureOf, networkFailure } from '../../src/device/api/http-status.ts';
import type { HttpResponse } from '../../src/device/sync/http.ts';
import {
  ChallengeResponseSchema,
  LedgerAnswerSchema,
  PullResponseSchema,
  PushResponseSchema,
  SignInResponseSchema,
  StreamTicketSchema,
  type PullResponse,
  type PushResponse,
  type Rejection,
  type SignInRequest,
} from '../../src/domain/protocol.ts';
import type { z } from '../../src/domain/schema.ts';

type Stored = { seq: number; id: string; type: string; payload: unknown; position?: number; rejection?: { code: string; message: string } };
type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Fails before the API sees the request. */
  | { kind: 'drop' }
  /** The API commits, then the answer is lost. */
  | { kind: 'lose' }
  /** Never answers until aborted. */
  | { kind: 'hang' };

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => {
  const h = new Map(Object.entries({ 'content-type': 'application/json', ...headers }).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, header: (n) => h.get(n.toLowerCase()) ?? null, text: JSON.stringify(body) };
};

export class FakeApi implements ApiClient {
  /** The events the fake ledger stores, per device, in seq order. */
  readonly stored = new Map<string, Stored[]>();
  readonly tokens = new Set(['token-1']);
  /** Every push received: device and seqs. */
  readonly pushes: { deviceId: string; seqs: number[] }[] = [];
  readonly pulls: string[] = [];
  /** Faults applied to the next requests, in order, matched by the HTTP method of the call. */
  readonly faults: { method: 'GET' | 'POST'; fault: Fault }[] = [];
  /** Rejects events whose payload makes this return a message. */
  rejectWhen: (e: Stored) => string | undefined = () => undefined;
  /** A server broken by one event: any push carrying an event for which this returns a message answers 500 with it, every time. */
  failWhen: (e: Stored) => string | undefined = () => undefined;
  signIns = 0;
  ledgerReads = 0;
  private position = 0;
  inflight = 0;
  maxInflight = 0;

  lastSeq(deviceId: string): number {
    const h = this.stored.get(deviceId) ?? [];
    return h.length ? h[h.length - 1]!.seq : 0;
  }

  /** Runs one call: faults first, then `handle`; the answer is read with the client's schema, as over HTTP. */
  private async answer<S extends z.ZodMiniType>(
    method: 'GET' | 'POST',
    schema: S,
    opts: CallOptions | undefined,
    handle: () => HttpResponse,
  ): Promise<Answer<z.output<S>>> {
    this.inflight += 1;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    try {
      // Let other work interleave, as a real round trip would.
      await new Promise((r) => setImmediate(r));
      const i = this.faults.findIndex((f) => f.method === method);
      const fault = i >= 0 ? this.faults.splice(i, 1)[0]!.fault : undefined;
      if (fault?.kind === 'drop') return { ok: false, failure: networkFailure(new TypeError('fetch failed: connection reset'), false) };
      if (fault?.kind === 'status')
        return {
          ok: false,
          failure: failureOf(json(fault.status, fault.body ?? { error: 'fault', message: `injected ${fault.status}` }, fault.headers), Date.now()),
        };
      if (fault?.kind === 'hang') {
        try {
          await new Promise((_, reject) => {
            const abort = () => reject(new DOMException('aborted', 'AbortError'));
            if (opts?.signal?.aborted) abort();
            opts?.signal?.addEventListener('abort', abort);
          });
        } catch (err) {
          return { ok: false, failure: networkFailure(err, opts?.signal?.aborted === true) };
        }
      }
      const res = handle();
      if (fault?.kind === 'lose') return { ok: false, failure: networkFailure(new TypeError('fetch failed: socket hang up'), false) };
      if (res.status < 200 || res.status >= 300) return { ok: false, failure: failureOf(res, Date.now()) };
      return readAnswer(schema, res.text, 'a fake call');
    } finally {
      this.inflight -= 1;
    }
  }

  private authorised(token: string): HttpResponse | undefined {
    return this.tokens.has(token) ? undefined : json(401, { error: 'unauthorized', message: 'session expired' });
  }

  signIn(request: SignInRequest, opts?: CallOptions) {
    return this.answer('POST', SignInResponseSchema, opts, () => {
      if (request.pin !== '1111') return json(401, { error: 'bad_credentials', message: 'wrong user or PIN' });
      this.signIns += 1;
      const t = `token-signed-in-${this.signIns}`;
      this.tokens.add(t);
      return json(200, {
        token: t,
        session: `session-${this.signIns}-of-fake`,
        expiresAt: '2026-11-23T22:00:00Z',
        user: { id: request.user, name: request.user, roles: ['picker'] },
      });
    });
  }

  /** A challenge the fake never checks (key proofs are tried against the real API in tests/server/device-keys.test.ts). */
  signInChallenge(_deviceId: string, opts?: CallOptions) {
    return this.answer('POST', ChallengeResponseSchema, opts, () => json(200, { challenge: 'c'.repeat(43), expiresAt: '2026-11-23T22:00:00Z' }));
  }

  /** Offline sign-in is not this fake's business (tests/device/offline-signin.test.ts runs it against the real API). */
  private notHere<T>(what: string): Promise<Answer<T>> {
    return Promise.resolve({ ok: false, failure: { kind: 'bad', status: 404, message: `the fake API has no ${what}` } });
  }
  offlineGrant() {
    return this.notHere<OfflineGrantResponse>('offline grants');
  }
  offlineSetting() {
    return this.notHere<OfflineSetting>('offline sign-in setting');
  }
  setOfflineSetting() {
    return this.notHere<OfflineSetting>('offline sign-in setting');
  }
  revokeOfflineGrants() {
    return this.notHere<RevokeGrantsResponse>('offline grants');
  }

  async signOut(token: string): Promise<Answer<null>> {
    this.tokens.delete(token);
    return { ok: true, value: null };
  }

  push(token: string, deviceId: string, body: EncodedBatch, opts?: CallOptions) {
    return this.answer(
      'POST',
      PushResponseSchema,
      opts,
      () => this.authorised(token) ?? this.applyPush(deviceId, JSON.parse(body.json) as { events: Stored[] }),
    );
  }

  work(token: string, deviceId: string, _since: { cursor?: string; catalogSince?: number }, opts?: CallOptions) {
    return this.answer('GET', PullResponseSchema, opts, () => {
      const refused = this.authorised(token);
      if (refused) return refused;
      this.pulls.push(deviceId);
      const work: PullResponse = {
        cursor: 'c1',
        lastSeq: this.lastSeq(deviceId),
        catalog: [],
        locations: [],
        pickLists: [],
        receipts: [],
        countTasks: [],
        returns: [],
      };
      return json(200, work);
    });
  }

  ledger(token: string, q: { deviceId?: string; after?: number; limit?: number }, opts?: CallOptions) {
    return this.answer('GET', LedgerAnswerSchema, opts, () => {
      const refused = this.authorised(token);
      if (refused) return refused;
      this.ledgerReads += 1;
      const rows = (this.stored.get(q.deviceId ?? '') ?? [])
        .filter((h) => (h.position ?? 0) > (q.after ?? 0))
        .slice(0, q.limit ?? 200)
        .map((h) => ({
          position: h.position,
          id: h.id,
          deviceId: q.deviceId,
          seq: h.seq,
          type: h.type,
          actor: 'picker',
          occurredAt: '2026-11-23T10:00:00.000Z',
          receivedAt: '2026-11-23T10:00:00.000Z',
          status: h.rejection ? 'rejected' : 'applied',
          payload: h.payload,
          ...h.rejection,
        }));
      return json(200, { events: rows });
    });
  }

  streamTicket(token: string, opts?: CallOptions) {
    return this.answer(
      'POST',
      StreamTicketSchema,
      opts,
      () => this.authorised(token) ?? json(200, { ticket: 'ticket-of-the-fake-api-0001', expiresAt: '2026-11-23T22:00:00Z' }),
    );
  }

  // Reads no engine test makes: the fake API has no such data.
  private unsupported(): Promise<Answer<never>> {
    return Promise.resolve({ ok: false, failure: { kind: 'bad', status: 404, message: 'the fake API has no such read' } });
  }
  stock = () => this.unsupported();
  devices = () => this.unsupported();
  sessions = () => this.unsupported();
  countTasks = () => this.unsupported();
  returns = () => this.unsupported();
  conflicts = () => this.unsupported();
  discrepancies = () => this.unsupported();

  private applyPush(deviceId: string, body: { events: Stored[] }): HttpResponse {
    this.pushes.push({ deviceId, seqs: body.events.map((e) => e.seq) });
    for (const e of body.events) {
      const broken = this.failWhen(e);
      if (broken) return json(500, { error: 'internal', message: broken });
    }
    const stored = this.stored.get(deviceId) ?? [];
    this.stored.set(deviceId, stored);
    const rejected: Rejection[] = [];
    for (const e of body.events) {
      const last = stored.length ? stored[stored.length - 1]!.seq : 0;
      if (e.seq <= last) {
        const same = stored.find((h) => h.seq === e.seq);
        if (same && same.id !== e.id) return json(409, { error: 'seq_conflict', message: `seq ${e.seq} is another event`, seq: e.seq, ackedSeq: last });
        continue;
      }
      if (e.seq > last + 1) return json(200, { ackedSeq: last, rejected, expectedSeq: last + 1 } satisfies PushResponse);
      const why = this.rejectWhen(e);
      stored.push({
        seq: e.seq,
        id: e.id,
        type: e.type,
        payload: e.payload,
        position: ++this.position,
        ...(why ? { rejection: { code: 'invalid_payload', message: why } } : {}),
      });
      if (why) rejected.push({ seq: e.seq, id: e.id, code: 'invalid_payload', message: why });
    }
    return json(200, { ackedSeq: this.lastSeq(deviceId), rejected } satisfies PushResponse);
  }
}
