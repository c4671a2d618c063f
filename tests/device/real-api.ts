/**
 * The real API in process for device tests: started on PGlite (a temp folder, so it can be
 * restarted on the same data) and reached over loopback HTTP, optionally through a
 * fault-injecting client wrapper.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../../src/server/app.ts';
import type { Database } from '../../src/server/db.ts';
import { insertPickLists } from '../../src/server/storage/index.ts';
import { fetchHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../src/device/sync/http.ts';
import { stockKey, type Buckets } from '../../src/domain/stock.ts';
import { replayLedger } from '../../src/domain/replay.ts';

export type { LedgerEntry as LedgerRow, StockFigure as StockRow } from '../../src/domain/protocol.ts';
import type { LedgerEntry as LedgerRow, StockFigure as StockRow } from '../../src/domain/protocol.ts';

/** One API process on a PGlite folder that survives `restart()`. */
export class RealApi {
  url = '';
  private port = 0;
  private handle: { url: string; db: Database; close(): Promise<void> } | undefined;
  private lists = 0;
  private readonly dir: string;

  private constructor(readonly opts: { rateLimit?: false }) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'floor-api-'));
  }

  static async start(opts: { rateLimit?: false } = {}): Promise<RealApi> {
    const api = new RealApi(opts);
    await api.open();
    return api;
  }

  private async open(): Promise<void> {
    this.handle = await startServer({
      port: this.port,
      dataDir: this.dir,
      seed: true,
      logLevel: 'error',
      ...(this.opts.rateLimit === false ? { rateLimit: false } : {}),
    });
    this.url = this.handle.url;
    this.port = Number(new URL(this.url).port);
  }

  /** Stops the API and starts it again on the same data and port. */
  async restart(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    await this.open();
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A pick list of the test's own with one line that wants `qty` units of `sku` at `location` (a pick must name one). */
  async pickLine(sku: string, location: string, qty = 100_000): Promise<{ pickListId: string; lineId: string }> {
    if (!this.handle) throw new Error('the API is not running');
    this.lists += 1;
    const id = `PL-D${this.lists}`;
    await insertPickLists(this.handle.db, [{ id, orderRef: `SO-${id}`, assignedTo: null, lines: [{ lineId: '1', sku, location, qty }] }]);
    return { pickListId: id, lineId: '1' };
  }

  /** A plain client straight to the API. */
  client(): HttpClient {
    return fetchHttpClient(this.url);
  }

  /** Device secrets the API answered at first sign-in: later sign-ins on those ids prove the device with them. */
  readonly secrets = new Map<string, string>();

  async signIn(user: string, pin: string, deviceId: string): Promise<string> {
    const secret = this.secrets.get(deviceId);
    const res = await fetch(`${this.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, pin, deviceId, ...(secret ? { deviceSecret: secret } : {}) }),
    });
    if (res.status !== 200) throw new Error(`sign-in of ${user} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { token: string; deviceSecret?: string };
    if (body.deviceSecret) this.secrets.set(deviceId, body.deviceSecret);
    return body.token;
  }

  private reader: Promise<string> | undefined;
  /** A supervisor's session: the whole ledger and the stock figures are a supervisor's reads. */
  private readerToken(): Promise<string> {
    this.reader ??= this.signIn('supervisor', '3333', '0190a0b0-fff0-7000-8000-00000000fff0');
    return this.reader;
  }

  /** The whole ledger in position order (paged), read as a supervisor whatever `_asUser` is. */
  async ledger(_asUser: string): Promise<LedgerRow[]> {
    const token = await this.readerToken();
    const out: LedgerRow[] = [];
    for (;;) {
      const after = out.length ? out[out.length - 1]!.position : 0;
      const res = await fetch(`${this.url}/api/v1/ledger?after=${after}&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`ledger: ${res.status} ${await res.text()}`);
      const page = ((await res.json()) as { events: LedgerRow[] }).events;
      out.push(...page);
      if (page.length < 1000) return out;
    }
  }

  /** Every stock row, read as a supervisor whatever `_asUser` is. */
  async stock(_asUser: string): Promise<StockRow[]> {
    const token = await this.readerToken();
    const res = await fetch(`${this.url}/api/v1/stock`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`stock: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { rows: StockRow[] }).rows;
  }
}

/** Replays the ledger through the domain's replay: the figures the API must hold. */
export function modelStock(ledger: readonly LedgerRow[]): Map<string, Buckets> {
  const central = replayLedger(ledger.map((r) => ({ ...r, schemaVersion: 1 })));
  const out = new Map<string, Buckets>();
  for (const [key, row] of central.stock) out.set(key, row.buckets);
  return out;
}

/** The API's stock rows keyed like the model, zero rows dropped on both sides. */
export function stockMap(rows: readonly StockRow[]): Map<string, Buckets> {
  const out = new Map<string, Buckets>();
  for (const r of rows)
    out.set(stockKey(r.sku, r.location), { available: r.available, committed: r.committed, qc: r.qc, quarantine: r.quarantine, suspect: r.suspect });
  return out;
}

/** Non-zero rows as a plain sorted object, so a mismatch prints as a readable diff. */
export const nonZero = (m: Map<string, Buckets>): Record<string, Buckets> =>
  Object.fromEntries(
    [...m]
      .filter(([, b]) => Object.values(b).some((v) => v !== 0))
      .map(([k, b]) => [k.replace('\u0000', ' @ '), b] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );

export type FaultPlan = {
  /** Each a probability per request. */
  drop: number;
  lose: number;
  delay: number;
  error500: number;
  error429: number;
  maxDelayMs: number;
};

/**
 * A client that sits between a device and the API and misbehaves on purpose, driven by a
 * seeded random source: drops requests, loses answers after the API committed, delays,
 * and answers 500 or 429 (with Retry-After) without forwarding.
 */
export class FaultyClient implements HttpClient {
  readonly counts = { requests: 0, drop: 0, lose: 0, delay: 0, error500: 0, error429: 0 };
  constructor(
    private readonly target: () => HttpClient,
    private readonly random: () => number,
    private readonly plan: FaultPlan,
    private readonly enabled: () => boolean = () => true,
  ) {}

  async send(req: HttpRequest): Promise<HttpResponse> {
    this.counts.requests += 1;
    if (!this.enabled()) return this.target().send(req);
    const r = this.random();
    const p = this.plan;
    let edge = p.drop;
    if (r < edge) {
      this.counts.drop += 1;
      throw new TypeError('fetch failed: connection reset by proxy');
    }
    if (r < (edge += p.error500)) {
      this.counts.error500 += 1;
      return fakeAnswer(500, { error: 'internal', message: 'proxy: injected 500' });
    }
    if (r < (edge += p.error429)) {
      this.counts.error429 += 1;
      return fakeAnswer(429, { error: 'rate_limited', message: 'proxy: injected 429' }, { 'retry-after': '0' });
    }
    if (r < (edge += p.delay)) {
      this.counts.delay += 1;
      await new Promise((res) => setTimeout(res, Math.floor(this.random() * p.maxDelayMs)));
    }
    const res = await this.target().send(req);
    if (r >= edge && r < edge + p.lose) {
      this.counts.lose += 1;
      throw new TypeError('fetch failed: socket hang up (answer lost by proxy)');
    }
    return res;
  }
}

function fakeAnswer(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const h = new Map(Object.entries(headers));
  return { status, header: (n) => h.get(n.toLowerCase()) ?? null, text: JSON.stringify(body) };
}
