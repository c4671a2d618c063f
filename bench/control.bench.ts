/**
 * The control room over real HTTP on loopback, PGlite:
 * - control.board_update_ms: a ledger change (a one-event push from a handheld, a QC release)
 *   sent, to the live board stream (`GET /api/v1/control/live`, as the control room reads it)
 *   delivering a board whose tile for that handheld shows the event; p95 of 50 changes, one after
 *   another (p50 and max printed beside it, and the share after the push was answered).
 */
import { makeEvent } from '../src/domain/events.ts';
import type { Board } from '../src/domain/control/protocol.ts';
import { startServer } from '../src/server/app.ts';
import { quantile, round, type Report } from './report.ts';

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
const dev = (d: number) => `0190c100-${hex(d, 4)}-7000-8000-000000000000`;

async function call(base: string, method: string, path: string, token?: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** The live board stream: calls `onBoard` with each board as it arrives. */
async function watch(base: string, token: string, onBoard: (b: Board) => void): Promise<AbortController> {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/v1/control/live`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
  if (!res.ok || !res.body) throw new Error(`live board: ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: board') && data) onBoard(JSON.parse(data.slice(6)) as Board);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  return ac;
}

export async function run(report: Report): Promise<void> {
  const server = await startServer({ dataDir: 'memory://', seed: true, logLevel: 'silent', rateLimit: false, control: { sweepMs: 3_600_000 } });
  const base = server.url;
  let stream: AbortController | undefined;
  try {
    const sup = (await call(base, 'POST', '/api/v1/sessions', undefined, { user: 'supervisor', pin: '3333', deviceId: dev(1) })).token as string;
    const device = dev(2);
    const recv = (await call(base, 'POST', '/api/v1/sessions', undefined, { user: 'receiver', pin: '2222', deviceId: device })) as {
      token: string;
      session: string;
    };
    let seq = 0;
    const push = (type: string, payload: Record<string, unknown>) => {
      seq += 1;
      const e = makeEvent(type as never, payload as never, {
        id: `0190c101-0000-7000-8000-${hex(seq, 12)}`,
        deviceId: device,
        seq,
        occurredAt: new Date().toISOString(),
        actor: 'receiver',
        session: recv.session,
      });
      return call(base, 'POST', `/api/v1/devices/${device}/events`, recv.token, { events: [e] });
    };
    await push('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1004', location: 'DOCK-1', qty: 500 });

    const seen = new Map<number, number>();
    stream = await watch(base, sup, (b) => {
      const s = b.devices.find((d) => d.deviceId === device)?.lastSeq ?? 0;
      if (!seen.has(s)) seen.set(s, performance.now());
    });
    const latencies: number[] = [];
    const afterAnswer: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await push('qc.released', { sku: 'SKU-1004', from: 'DOCK-1', to: 'A-02-02', qty: 1 });
      const answered = performance.now();
      const want = seq;
      const deadline = t + 30_000;
      while (!seen.has(want)) {
        if (performance.now() > deadline) throw new Error(`the board never showed seq ${want}`);
        await new Promise((r) => setTimeout(r, 1));
      }
      latencies.push((seen.get(want) as number) - t);
      afterAnswer.push(Math.max(0, (seen.get(want) as number) - answered));
    }
    report({ metric: 'control.board_update_ms', value: round(quantile(latencies, 0.95)), unit: 'ms' });
    report({ metric: 'control.board_update.p50_ms', value: round(quantile(latencies, 0.5)), unit: 'ms' });
    report({ metric: 'control.board_update.max_ms', value: round(Math.max(...latencies)), unit: 'ms' });
    // The control room's own share: from the push's answer to the board showing it.
    report({ metric: 'control.board_update.after_answer_p50_ms', value: round(quantile(afterAnswer, 0.5)), unit: 'ms' });
  } finally {
    stream?.abort();
    await server.close();
  }
}
