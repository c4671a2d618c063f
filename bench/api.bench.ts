/**
 * The API over real HTTP on loopback:
 * - api.ingest.{pglite,postgres}.events_per_s: several devices pushing batches of 100 at once,
 *   with .cpu_us_per_event: the whole machine's CPU time per event meanwhile (the floor), and
 *   for PostgreSQL .api_cpu_us_per_event: the part of it spent in this process (API and client);
 * - api.ingest.pglite_thread.*: the same with PGlite on a thread of its own (PGLITE_THREAD=1);
 * - api.ingest.postgres.processes_N.events_per_s: the same on N API processes over one
 *   PostgreSQL (4 devices per process), so the figure shows where the database becomes the limit;
 * - api.push.p50_ms / p99_ms: one-event pushes from one device, one after another, on PGlite.
 * - api.signin.p99_ms_under_flood: a real sign-in (a registered handheld with its secret) while
 *   100 clients guess PINs for other users from unregistered device ids, all over loopback HTTP.
 * PostgreSQL is DATABASE_URL or the local postgres://postgres@127.0.0.1:5432/test, in a schema
 * made for the run and dropped after; without a reachable server that figure is skipped.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { startServer, type ServerOptions } from '../src/server/app.ts';
import { makeEvent } from '../src/domain/events.ts';
import { quantile, round, type Report } from './report.ts';

const DEVICES = 4;
const BATCH = 100;
const BINS = ['A-01-01', 'A-01-02', 'A-02-01', 'A-02-02', 'B-01-01', 'B-01-02'];
const SKUS = ['SKU-1001', 'SKU-1002', 'SKU-1003', 'SKU-1004', 'SKU-1005', 'SKU-1006', 'SKU-1007'];

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
const deviceId = (run: number, d: number) => `0190b000-${hex(run, 4)}-7000-8000-${hex(d, 12)}`;

type Server = { url: string; close(): Promise<void> };

type Signed = { token: string; session: string; deviceSecret?: string };

async function signIn(base: string, user: string, pin: string, device: string, deviceSecret?: string): Promise<Signed> {
  const res = await fetch(`${base}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, pin, deviceId: device, ...(deviceSecret ? { deviceSecret } : {}) }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Signed;
}

/** Receipts at the dock, releases into bins and picks from them: the floor's everyday mix. */
function eventsFor(run: number, d: number, count: number, session: string) {
  const device = deviceId(run, d);
  return Array.from({ length: count }, (_, i) => {
    const seq = i + 1;
    const meta = {
      id: `0190b001-${hex(run, 4)}-7${hex(d, 3)}-8000-${hex(seq, 12)}`,
      deviceId: device,
      seq,
      occurredAt: '2026-11-23T10:00:00Z',
      actor: 'receiver',
      session,
    };
    const sku = SKUS[(i + d) % SKUS.length] as never;
    const bin = BINS[(i * 7 + d) % BINS.length] as never;
    switch (i % 3) {
      case 0:
        return makeEvent('receipt.received', { receiptId: 'RCV-0001' as never, sku, location: 'DOCK-1' as never, qty: 3 as never }, meta);
      case 1:
        return makeEvent('qc.released', { sku, from: 'DOCK-1' as never, to: bin, qty: 2 as never }, meta);
      default:
        return makeEvent('count.started', { countTaskId: `CT-B${d}-${i}` as never, location: bin }, { ...meta, actor: 'receiver' });
    }
  });
}

async function post(url: string, token: string, body: string): Promise<{ ackedSeq: number }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  if (res.status !== 200) throw new Error(`push answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { ackedSeq: number };
}

/** What an ingest run measured: its rate, and the CPU time the whole machine spent per event meanwhile. */
type Ingested = { perSecond: number; cpuMicrosPerEvent: number; thisProcessMicrosPerEvent: number };

/** CPU time of every core so far (ms): user, nice, system and interrupts; the machine's, not this process's. */
const machineCpuMs = () => cpus().reduce((t, c) => t + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);

/** Events per second with DEVICES devices each pushing `batches` batches of 100, all at once. */
async function ingest(opts: ServerOptions, run: number, batches: number): Promise<Ingested> {
  const server: Server = await startServer({ port: 0, logLevel: 'silent', rateLimit: false, ...opts });
  try {
    return await ingestInto([server.url], run, batches);
  } finally {
    await server.close();
  }
}

/** DEVICES devices per API at `urls`, each pushing `batches` batches of 100, all at once; answers events per second. */
async function ingestInto(urls: readonly string[], run: number, batches: number): Promise<Ingested> {
  // One sign-in at a time: a PIN check in flight counts against the user's limit until it succeeds.
  const devices: { url: string; token: string; bodies: string[] }[] = [];
  for (let d = 0; d < DEVICES * urls.length; d++) {
    const base = urls[d % urls.length] as string;
    const id = deviceId(run, d);
    const { token, session } = await signIn(base, 'receiver', '2222', id);
    const events = eventsFor(run, d, (batches + 2) * BATCH, session);
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += BATCH) bodies.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));
    devices.push({ url: `${base}/api/v1/devices/${id}/events`, token, bodies });
  }
  // Warm-up: two batches per device (JIT, connection pools, plan caches).
  for (const d of devices) for (const body of d.bodies.slice(0, 2)) await post(d.url, d.token, body);
  const t0 = performance.now();
  const cpu0 = machineCpuMs();
  const own0 = process.cpuUsage();
  await Promise.all(
    devices.map(async (d) => {
      for (const body of d.bodies.slice(2)) await post(d.url, d.token, body);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const events = devices.length * batches * BATCH;
  const own = process.cpuUsage(own0);
  return {
    perSecond: events / seconds,
    cpuMicrosPerEvent: ((machineCpuMs() - cpu0) * 1000) / events,
    thisProcessMicrosPerEvent: (own.user + own.system) / events,
  };
}

/** Events per second on `processes` API processes of their own over the PostgreSQL at `url`. */
async function ingestProcesses(url: string, processes: number, run: number, batches: number): Promise<Ingested> {
  const script = fileURLToPath(new URL('./api-process.ts', import.meta.url));
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  try {
    // One at a time: the first migrates and seeds, the others find it done.
    const urls: string[] = [];
    for (const child of children) {
      urls.push(
        await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
            const m = /listening (\S+)/.exec(out);
            if (m?.[1]) resolve(m[1]);
          });
          child.once('exit', (code) => reject(new Error(`an API process exited (${code}) before listening`)));
        }),
      );
    }
    return await ingestInto(urls, run, batches);
  } finally {
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null
          ? undefined
          : new Promise<void>((resolve) => {
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
      ),
    );
  }
}

async function pushLatency(count: number): Promise<number[]> {
  const server: Server = await startServer({ port: 0, logLevel: 'silent', rateLimit: false, dataDir: 'memory://' });
  try {
    const id = deviceId(9, 1);
    const { token, session } = await signIn(server.url, 'receiver', '2222', id);
    const events = eventsFor(9, 1, count + 50, session);
    const url = `${server.url}/api/v1/devices/${id}/events`;
    const times: number[] = [];
    for (const [i, e] of events.entries()) {
      const body = JSON.stringify({ events: [e] });
      const t0 = performance.now();
      await post(url, token, body);
      if (i >= 50) times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await server.close();
  }
}

async function withPostgresSchema<T>(fn: (url: string) => Promise<T>): Promise<T | undefined> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    process.stderr.write(`api bench: skipping api.ingest.postgres.events_per_s, no PostgreSQL at ${url} (${(err as Error).message})\n`);
    return undefined;
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    return await fn(`${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`);
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

/** p99 of a real sign-in while FLOODERS clients guess PINs as fast as the API answers them. */
async function signInUnderFlood(rounds: number): Promise<number> {
  const FLOODERS = 100;
  // The server's own defaults (rate limit included): the flood must be handled by them.
  const server: Server = await startServer({ port: 0, logLevel: 'silent', dataDir: 'memory://' });
  try {
    const device = deviceId(7, 1);
    const first = await signIn(server.url, 'receiver', '2222', device);
    const secret = first.deviceSecret as string;
    // The guessers run on a thread of their own, as other machines would: the figure is the
    // server's, not the cost of 100 clients sharing its event loop.
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       let flooding = true, guesses = 0;
       parentPort.on('message', () => { flooding = false; });
       const hex = (n, w) => n.toString(16).padStart(w, '0');
       Promise.all(Array.from({ length: workerData.flooders }, async (_, f) => {
         for (let i = 0; flooding && i < 100000; i++) {
           guesses += 1;
           await fetch(workerData.url + '/api/v1/sessions', { method: 'POST', headers: { 'content-type': 'application/json' },
             body: JSON.stringify({ user: f % 2 ? 'supervisor' : 'nobody-' + f, pin: String(1000 + ((f * 31 + i) % 9000)), deviceId: '0190b000-0008-7000-8000-' + hex(f * 100000 + i, 12) }) })
             .then((r) => r.text()).catch(() => undefined);
         }
       })).then(() => parentPort.postMessage(guesses));`,
      { eval: true, workerData: { url: server.url, flooders: FLOODERS } },
    );
    const done = new Promise<number>((resolve) => worker.once('message', (n: number) => resolve(n)));
    // Let the flood start before measuring.
    await new Promise((r) => setTimeout(r, 500));
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await signIn(server.url, 'receiver', '2222', device, secret);
      times.push(performance.now() - t0);
    }
    worker.postMessage('stop');
    const guesses = await done;
    await worker.terminate();
    process.stderr.write(`api bench: ${rounds} real sign-ins (p50 ${round(quantile(times, 0.5))} ms) during ${guesses} guesses from ${FLOODERS} clients\n`);
    return quantile(times, 0.99);
  } finally {
    await server.close();
  }
}

export async function run(report: Report): Promise<void> {
  // The CPU figure is the floor: on this machine's cores, events_per_s can never pass
  // (cores x 1,000,000) / cpu_us_per_event however well the work is spread.
  const figures = (name: string, r: Ingested) => {
    report({ metric: `api.ingest.${name}.events_per_s`, value: round(r.perSecond, 0), unit: 'events/s' });
    report({ metric: `api.ingest.${name}.cpu_us_per_event`, value: round(r.cpuMicrosPerEvent, 0), unit: 'us' });
  };
  process.stderr.write(`api bench: ${cpus().length} cores; cpu_us_per_event is the whole machine's CPU time per event during the run\n`);
  figures('pglite', await ingest({ dataDir: 'memory://' }, 1, 25));
  // The same with PGlite on a thread of its own (PGLITE_THREAD=1, db-thread.ts).
  figures('pglite_thread', await ingest({ dataDir: 'memory://', pgliteThread: true }, 3, 25));
  const postgres = await withPostgresSchema((url) => ingest({ databaseUrl: url }, 2, 50));
  if (postgres !== undefined) {
    figures('postgres', postgres);
    // Where the floor is: the API (and this bench's client) in this process, the rest PostgreSQL's.
    report({ metric: 'api.ingest.postgres.api_cpu_us_per_event', value: round(postgres.thisProcessMicrosPerEvent, 0), unit: 'us' });
  }
  for (const processes of [2, 3]) {
    const multi = await withPostgresSchema((url) => ingestProcesses(url, processes, 2 + processes, 50));
    if (multi !== undefined) figures(`postgres.processes_${processes}`, multi);
  }
  process.stderr.write('api bench: one-event push latency measured on PGlite (in memory), sequential, over loopback HTTP\n');
  const times = await pushLatency(1000);
  report({ metric: 'api.push.p50_ms', value: round(quantile(times, 0.5)), unit: 'ms' });
  report({ metric: 'api.push.p99_ms', value: round(quantile(times, 0.99)), unit: 'ms' });
  report({ metric: 'api.signin.p99_ms_under_flood', value: round(await signInUnderFlood(50)), unit: 'ms' });
}
