/**
 * The handheld's engine against the real API over loopback HTTP, on in-memory PGlite:
 * - sync.e2e.p50_ms / p95_ms: from `appendEvent` on the device to the API's answer that it
 *   committed the event (the push answer carrying its seq), online, one scan at a time.
 *   Scans are spaced 60 ms apart, so each one starts from a quiet engine (there is no debounce:
 *   an event is sent the moment it is durable when nothing is in flight).
 * - sync.backlog_10k.s: 10,000 events recorded offline, then from `online` until the API has
 *   applied every one and the device has marked them delivered.
 * The device side runs in Node on fake-indexeddb.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openFloorDb, type FloorDb } from '../src/device/db.ts';
import { appendEvent, pendingSummary } from '../src/device/event-log.ts';
import { signIn } from '../src/device/session.ts';
import { ManualEnvironment } from '../src/device/sync/environment.ts';
import { SyncEngine } from '../src/device/sync/engine.ts';
import { httpApiClient } from '../src/device/api/client.ts';
import { fetchHttpClient, type HttpClient } from '../src/device/sync/http.ts';
import { processLock } from '../src/device/sync/lock.ts';
import { startServer } from '../src/server/app.ts';
import { asLocation, asQty, asSku, asTask } from '../src/domain/ids.ts';
import { quantile, round, type Report } from './report.ts';

const E2E_WARMUP = 20;
const E2E_SAMPLES = 300;
const BACKLOG = 10_000;

const draft = {
  type: 'receipt.received',
  payload: { receiptId: asTask('RCV-0001'), sku: asSku('SKU-1004'), location: asLocation('DOCK-1'), qty: asQty(1) },
} as const;

/** Wraps a client to hear each push answer's ackedSeq the moment it arrives. */
function listening(inner: HttpClient, onAck: (acked: number) => void): HttpClient {
  return {
    async send(req) {
      const res = await inner.send(req);
      if (req.method === 'POST' && req.path.endsWith('/events') && res.status === 200) onAck((JSON.parse(res.text) as { ackedSeq: number }).ackedSeq);
      return res;
    },
  };
}

async function device(url: string, name: string, online: boolean, onAck: (acked: number) => void) {
  const db: FloorDb = openFloorDb(name, { backend: { indexedDB: new IDBFactory(), IDBKeyRange } });
  const http = listening(fetchHttpClient(url), onAck);
  const res = await signIn(db, httpApiClient(fetchHttpClient(url)), { user: 'receiver', pin: '2222' }, new Date());
  if (!res.ok) throw new Error(res.message);
  const env = new ManualEnvironment(online);
  const engine = new SyncEngine({ db, api: httpApiClient(http), env, lock: processLock() });
  await engine.start();
  return { db, env, engine };
}

export async function run(report: Report): Promise<void> {
  const server = await startServer({ port: 0, dataDir: 'memory://', seed: true, logLevel: 'silent', rateLimit: false });
  try {
    // Append to commit, one scan at a time.
    let acked = 0;
    let waiter: { seq: number; resolve: () => void } | undefined;
    const d = await device(server.url, 'bench-e2e', true, (a) => {
      acked = Math.max(acked, a);
      if (waiter && acked >= waiter.seq) waiter.resolve();
    });
    const times: number[] = [];
    for (let i = 0; i < E2E_WARMUP + E2E_SAMPLES; i++) {
      // Scans come seconds apart on the floor: let the engine go quiet, so each sample starts a
      // push of its own instead of riding one already on its way.
      await new Promise((r) => setTimeout(r, 60));
      const t0 = performance.now();
      const done = new Promise<void>((resolve) => {
        waiter = { seq: Number.POSITIVE_INFINITY, resolve };
      });
      const stored = await appendEvent(d.db, draft, { actor: 'receiver', now: new Date() });
      waiter = { seq: stored.seq, resolve: waiter!.resolve };
      if (acked >= stored.seq) waiter.resolve();
      await done;
      if (i >= E2E_WARMUP) times.push(performance.now() - t0);
    }
    await d.engine.stop();
    report({ metric: 'sync.e2e.p50_ms', value: round(quantile(times, 0.5)), unit: 'ms' });
    report({ metric: 'sync.e2e.p95_ms', value: round(quantile(times, 0.95)), unit: 'ms' });

    // A backlog recorded offline, then flushed.
    let backlogAcked = 0;
    let finish: (() => void) | undefined;
    const b = await device(server.url, 'bench-backlog', false, (a) => {
      backlogAcked = Math.max(backlogAcked, a);
      if (backlogAcked >= BACKLOG) finish?.();
    });
    for (let i = 0; i < BACKLOG; i++) await appendEvent(b.db, draft, { actor: 'receiver', now: new Date() });
    const flushed = new Promise<void>((resolve) => (finish = resolve));
    const t0 = performance.now();
    b.env.setOnline(true);
    await flushed;
    // Applied centrally and marked delivered on the device.
    while ((await pendingSummary(b.db)).count > 0) await new Promise((r) => setImmediate(r));
    const seconds = (performance.now() - t0) / 1000;
    await b.engine.stop();
    report({ metric: 'sync.backlog_10k.s', value: round(seconds), unit: 's' });
  } finally {
    await server.close();
  }
}
