/**
 * A small in-memory implementation of push/pull protocol v1, for engine unit tests that
 * need answers the real API gives only under faults (409, 413, lost answers, hangs).
 * The integration tests run the engine against the real API instead.
 */
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/device/sync/http.ts';
import type { PullResponse, PushResponse, Rejection } from '../../src/domain/protocol.ts';

type Held = { seq: number; id: string; type: string; payload: unknown; position?: number; rejection?: { code: string; message: string } };
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

export class FakeApi implements HttpClient {
  readonly held = new Map<string, Held[]>();
  readonly tokens = new Set(['token-1']);
  /** Every push received: device and seqs. */
  readonly pushes: { deviceId: string; seqs: number[] }[] = [];
  readonly pulls: string[] = [];
  /** Faults applied to the next requests, in order, matched by method. */
  readonly faults: { method: 'GET' | 'POST'; fault: Fault }[] = [];
  /** Rejects events whose payload makes this return a message. */
  rejectWhen: (e: Held) => string | undefined = () => undefined;
  /** A server broken by one event: any push carrying an event for which this returns a message answers 500 with it, every time. */
  failWhen: (e: Held) => string | undefined = () => undefined;
  signIns = 0;
  ledgerReads = 0;
  private position = 0;
  inflight = 0;
  maxInflight = 0;

  lastSeq(deviceId: string): number {
    const h = this.held.get(deviceId) ?? [];
    return h.length ? h[h.length - 1]!.seq : 0;
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    this.inflight += 1;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    try {
      // Let other work interleave, as a real round trip would.
      await new Promise((r) => setImmediate(r));
      const i = this.faults.findIndex((f) => f.method === req.method);
      const fault = i >= 0 ? this.faults.splice(i, 1)[0]!.fault : undefined;
      if (fault?.kind === 'drop') throw new TypeError('fetch failed: connection reset');
      if (fault?.kind === 'status') return json(fault.status, fault.body ?? { error: 'fault', message: `injected ${fault.status}` }, fault.headers);
      if (fault?.kind === 'hang') {
        await new Promise((_, reject) => {
          const abort = () => reject(new DOMException('aborted', 'AbortError'));
          if (req.signal?.aborted) abort();
          req.signal?.addEventListener('abort', abort);
        });
      }
      const res = this.handle(req);
      if (fault?.kind === 'lose') throw new TypeError('fetch failed: socket hang up');
      return res;
    } finally {
      this.inflight -= 1;
    }
  }

  private handle(req: HttpRequest): HttpResponse {
    const token = req.headers?.authorization?.replace(/^Bearer /, '');
    const push = /^\/api\/v1\/devices\/([^/]+)\/events$/.exec(req.path);
    const pull = /^\/api\/v1\/devices\/([^/?]+)\/work(\?.*)?$/.exec(req.path);
    if (req.path === '/api/v1/sessions') {
      const body = JSON.parse(req.body ?? '{}') as { user: string; pin: string };
      if (body.pin !== '1111') return json(401, { error: 'bad_credentials', message: 'wrong user or PIN' });
      this.signIns += 1;
      const t = `token-signed-in-${this.signIns}`;
      this.tokens.add(t);
      return json(200, { token: t, session: `session-${this.signIns}-of-fake`, expiresAt: '2026-11-23T22:00:00Z', user: { id: body.user, name: body.user, roles: ['picker'] } });
    }
    if (!token || !this.tokens.has(token)) return json(401, { error: 'unauthorized', message: 'session expired' });
    const ledger = /^\/api\/v1\/ledger\?deviceId=([^&]+)&after=(\d+)&limit=(\d+)$/.exec(req.path);
    if (ledger && req.method === 'GET') {
      this.ledgerReads += 1;
      const [, dev, after, limit] = ledger;
      const rows = (this.held.get(dev!) ?? [])
        .filter((h) => (h.position ?? 0) > Number(after))
        .slice(0, Number(limit))
        .map((h) => ({ position: h.position, seq: h.seq, id: h.id, status: h.rejection ? 'rejected' : 'applied', ...h.rejection }));
      return json(200, { events: rows });
    }
    if (push && req.method === 'POST') return this.push(push[1]!, JSON.parse(req.body ?? '{}') as { events: Held[] });
    if (pull && req.method === 'GET') {
      this.pulls.push(pull[1]!);
      const work: PullResponse = { cursor: 'c1', lastSeq: this.lastSeq(pull[1]!), catalog: [], locations: [], pickLists: [], receipts: [], countTasks: [], returns: [] };
      return json(200, work);
    }
    return json(404, { error: 'not_found', message: req.path });
  }

  private push(deviceId: string, body: { events: Held[] }): HttpResponse {
    this.pushes.push({ deviceId, seqs: body.events.map((e) => e.seq) });
    for (const e of body.events) {
      const broken = this.failWhen(e);
      if (broken) return json(500, { error: 'internal', message: broken });
    }
    const held = this.held.get(deviceId) ?? [];
    this.held.set(deviceId, held);
    const rejected: Rejection[] = [];
    for (const e of body.events) {
      const last = held.length ? held[held.length - 1]!.seq : 0;
      if (e.seq <= last) {
        const same = held.find((h) => h.seq === e.seq);
        if (same && same.id !== e.id) return json(409, { error: 'seq_conflict', message: `seq ${e.seq} is another event`, seq: e.seq, ackedSeq: last });
        continue;
      }
      if (e.seq > last + 1) return json(200, { ackedSeq: last, rejected, expectedSeq: last + 1 } satisfies PushResponse);
      const why = this.rejectWhen(e);
      held.push({ seq: e.seq, id: e.id, type: e.type, payload: e.payload, position: ++this.position, ...(why ? { rejection: { code: 'invalid_payload', message: why } } : {}) });
      if (why) rejected.push({ seq: e.seq, id: e.id, code: 'invalid_payload', message: why });
    }
    return json(200, { ackedSeq: this.lastSeq(deviceId), rejected } satisfies PushResponse);
  }
}
