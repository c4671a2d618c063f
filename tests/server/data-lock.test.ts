/**
 * One owner per embedded database, proven with real server processes (`tsx src/server/main.ts`)
 * on a temp DATA_DIR: a second server refuses to start before touching the data, and the first
 * keeps every acknowledged event through a later kill -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { DataDirLockedError } from '../../src/server/data-lock.ts';
import { DeviceEvents } from '../fixtures/server-app.ts';

const MAIN = path.resolve('src/server/main.ts');
// Node itself with tsx's loader (not the tsx wrapper, which runs the server in a child): the pid is the server's, so kill -9 kills it.
const NODE_ARGS = ['--import', 'tsx', MAIN];

type Proc = { child: ChildProcess; out: string; err: string; exited: Promise<number | null> };
const procs: Proc[] = [];

function startMain(dataDir: string): Proc {
  const child = spawn(process.execPath, NODE_ARGS, {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: path.join(dataDir, 'no-app'), LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Proc = { child, out: '', err: '', exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  child.stdout?.on('data', (c: Buffer) => (p.out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (p.err += c.toString()));
  procs.push(p);
  return p;
}

/** The URL the server prints once it answers, or the exit code if it stopped first. */
async function ready(p: Proc, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = /Floor scanner API and app: (http:\/\/[0-9.:]+)/.exec(p.out);
    if (m?.[1]) return m[1];
    if (p.child.exitCode !== null) throw new Error(`server exited ${p.child.exitCode}: ${p.err}`);
    if (Date.now() > until) throw new Error(`server did not start: ${p.out} ${p.err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function call<T>(url: string, method: 'GET' | 'POST', token: string | undefined, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
});

describe('one owner per embedded database', () => {
  it('refuses a second server on the same DATA_DIR, and the first keeps every acknowledged event through kill -9', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'floor-lock-'));
    const dataDir = path.join(dir, 'data');
    try {
      const first = startMain(dataDir);
      const url = await ready(first);
      const dev = new DeviceEvents(1);
      // Receipts need no pick line: each adds one unit to QC at the dock.
      const signIn = await call<{ token: string; session: string }>(`${url}/api/v1/sessions`, 'POST', undefined, {
        user: 'receiver',
        pin: '2222',
        deviceId: dev.id,
      });
      const token = signIn.body.token;
      const receive = () =>
        dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1004', location: 'DOCK-1', qty: 1 }, 'receiver', signIn.body.session);
      const sup = (
        await call<{ token: string }>(`${url}/api/v1/sessions`, 'POST', undefined, { user: 'supervisor', pin: '3333', deviceId: new DeviceEvents(2).id })
      ).body.token;
      let acked = 0;
      const pushSome = async (base: string, count: number) => {
        for (let i = 0; i < count; i += 20) {
          const batch = Array.from({ length: 20 }, receive);
          const res = await call<{ ackedSeq: number }>(`${base}/api/v1/devices/${dev.id}/events`, 'POST', token, { events: batch });
          expect(res.status).toBe(200);
          acked = res.body.ackedSeq;
        }
      };
      await pushSome(url, 60);
      expect(acked).toBe(60);

      // A second server on the same folder stops before it opens the database, naming the owner.
      const second = startMain(dataDir);
      expect(await second.exited).toBe(1);
      expect(second.err).toContain(`in use by process ${first.child.pid}`);
      expect(second.out).not.toContain('Floor scanner API and app');

      // The first goes on taking events, then dies without a chance to close anything.
      await pushSome(url, 60);
      expect(acked).toBe(120);
      first.child.kill('SIGKILL');
      await first.exited;

      // A new server takes over the dead owner's lock at once and holds every acknowledged event.
      const third = startMain(dataDir);
      const url3 = await ready(third);
      const ledger = (await call<{ events: { seq: number; status: string }[] }>(`${url3}/api/v1/ledger?deviceId=${dev.id}&limit=1000`, 'GET', sup)).body.events;
      expect(ledger.map((e) => e.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect(ledger.every((e) => e.status === 'applied')).toBe(true);
      const rows = (await call<{ rows: { qc: number }[] }>(`${url3}/api/v1/stock?sku=SKU-1004&location=DOCK-1`, 'GET', sup)).body.rows;
      expect(rows[0]).toMatchObject({ qc: 120 });
      // Its pull says what it holds, so the device's next push continues from 121.
      const next = await call<{ ackedSeq: number }>(`${url3}/api/v1/devices/${dev.id}/events`, 'POST', token, { events: [receive()] });
      expect(next.body.ackedSeq).toBe(121);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses a second app in the same process and frees the folder on close', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'floor-lock-'));
    const dataDir = path.join(dir, 'data');
    try {
      const one = await createApp({ dataDir, logLevel: 'silent' });
      await expect(createApp({ dataDir, logLevel: 'silent' })).rejects.toBeInstanceOf(DataDirLockedError);
      expect(existsSync(`${dataDir}.lock`)).toBe(true);
      await one.close();
      expect(existsSync(`${dataDir}.lock`)).toBe(false);
      const two = await createApp({ dataDir, logLevel: 'silent' });
      await two.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('binds the port before touching the data: a taken port stops the server before it opens the folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'floor-lock-'));
    const dataDir = path.join(dir, 'data');
    try {
      const first = startMain(path.join(dir, 'other'));
      const url = await ready(first);
      const port = new URL(url).port;
      const child = spawn(process.execPath, NODE_ARGS, {
        env: { ...process.env, PORT: port, HOST: '127.0.0.1', DATA_DIR: dataDir, STATIC_DIR: path.join(dir, 'no-app'), LOG_LEVEL: 'warn', DATABASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(err).toContain(`port ${port}`);
      // The refused server never created, locked or opened the folder.
      expect(existsSync(dataDir)).toBe(false);
      expect(existsSync(`${dataDir}.lock`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
