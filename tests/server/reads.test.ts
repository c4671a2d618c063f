import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_NAMES,
  DeviceEvents,
  deviceId,
  keychain,
  openBackend,
  pickHeld,
  pickLine,
  startApp,
  type Backend,
  type Client,
} from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import { startServer } from '../../src/server/app.ts';
import type { PullResponse } from '../../src/domain/protocol.ts';
import { CATALOG, OPENING_STOCK } from '../../src/server/seed.ts';
import { hasValidCheckDigit } from '../../src/domain/barcode/check-digit.ts';

describe.each(BACKEND_NAMES)('reads and projections on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let sup: string;
  let n = 300;
  const fresh = async (actor: string) => {
    n += 1;
    const dev = new DeviceEvents(n, actor);
    return { dev, token: await api.signIn(actor, dev.id) };
  };
  const work = async (dev: DeviceEvents, token: string) => (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work`, token)).body;

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend));
    sup = await api.signIn('supervisor', deviceId(9999));
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('seeds a catalog with valid GTINs, bins, stock, pick lists and a receipt with SSCCs', async () => {
    const { dev, token } = await fresh('picker');
    const w = await work(dev, token);
    expect(w.catalog).toHaveLength(CATALOG.length);
    for (const c of w.catalog) expect(hasValidCheckDigit(c.gtin), c.gtin).toBe(true);
    expect(w.locations.map((l) => l.kind)).toEqual(expect.arrayContaining(['bin', 'dock', 'returns']));
    expect(w.pickLists.map((p) => p.id)).toEqual(['PL-0001', 'PL-0002']);
    expect(w.receipts).toEqual([]);
    const rec = await fresh('receiver');
    const rw = await work(rec.dev, rec.token);
    expect(rw.pickLists).toEqual([]);
    expect(rw.receipts[0]?.ssccs.every(hasValidCheckDigit)).toBe(true);
    // Stock figures are a supervisor's read (a picker's token is refused: see adversarial-http).
    expect((await api.get('/api/v1/stock', token)).status).toBe(403);
    const rows = (await api.get<{ rows: { onHand: number }[] }>('/api/v1/stock', sup)).body.rows;
    expect(rows.reduce((s, r) => s + r.onHand, 0)).toBe(OPENING_STOCK.reduce((s, r) => s + r.available, 0));
  });

  it('tracks picked and short per pick-list line; a finished list leaves the work', async () => {
    const { dev, token } = await fresh('picker');
    const held = dev.next('pick.held', pickHeld('SKU-1002', 'A-01-02', 3, 'PL-0002', '1'));
    await api.push(dev.id, token, [held, dev.next('pick.undone', { corrects: held.id, sku: 'SKU-1002', location: 'A-01-02', qty: 1 })]);
    let list = (await work(dev, token)).pickLists.find((p) => p.id === 'PL-0002');
    expect(list?.lines[0]).toMatchObject({ picked: 2, short: 0 });
    await api.push(dev.id, token, [
      dev.next('pick.held', pickHeld('SKU-1002', 'A-01-02', 1, 'PL-0002', '1')),
      dev.next('pick.short', { pickListId: 'PL-0002', lineId: '2', sku: 'SKU-1005', location: 'B-01-01', missingQty: 1, countTaskId: 'CT-SHORT-1' }),
    ]);
    const w = await work(dev, token);
    list = w.pickLists.find((p) => p.id === 'PL-0002');
    expect(list).toBeUndefined();
    // The short pick raised the blind count it named, without an expected quantity.
    const task = w.countTasks.find((t) => t.id === 'CT-SHORT-1');
    expect(task).toEqual({ id: 'CT-SHORT-1', location: 'B-01-01', reason: 'short pick of SKU-1005', status: 'open' });
    expect((await api.stock(token, 'SKU-1005', 'B-01-01')).suspect).toBe(1);
  });

  it('counts received goods per receipt line and flags over and under', async () => {
    const { dev, token } = await fresh('receiver');
    await api.push(dev.id, token, [
      dev.next('receipt.received', { receiptId: 'RCV-0001', sscc: '034012345000000019', gtin: '04006381330282', sku: 'SKU-1004', location: 'DOCK-1', qty: 20 }),
      dev.next('receipt.received', { receiptId: 'RCV-0001', lineId: '2', sku: 'SKU-1008', location: 'DOCK-1', qty: 12 }),
      dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1006', location: 'DOCK-1', qty: 1 }),
    ]);
    const receipt = (await work(dev, token)).receipts.find((r) => r.id === 'RCV-0001');
    expect(receipt?.lines.map((l) => [l.sku, l.expectedQty, l.receivedQty, l.flag])).toEqual([
      ['SKU-1004', 24, 20, 'under'],
      ['SKU-1008', 10, 12, 'over'],
      ['SKU-1006', 0, 1, 'over'],
    ]);
    const dock = await api.stock(token, 'SKU-1004', 'DOCK-1');
    expect(dock).toMatchObject({ qc: 20, atp: 0, onHand: 20 });
    await api.push(dev.id, token, [dev.next('qc.released', { sku: 'SKU-1004', from: 'DOCK-1', to: 'A-02-02', qty: 20 })]);
    const behind = (await api.get<{ events: { type: string; actor: string; deviceId: string }[] }>('/api/v1/ledger?sku=SKU-1004&location=DOCK-1', token)).body
      .events;
    expect(behind.map((e) => e.type)).toEqual(['receipt.received', 'qc.released']);
    expect(behind[1]).toMatchObject({ actor: 'receiver', deviceId: dev.id });
    // The whole ledger behind a figure is a supervisor's read; the receiver sees their own device's part.
    const shelf = (await api.get<{ events: { type: string }[] }>('/api/v1/ledger?sku=SKU-1004&location=A-02-02', sup)).body.events;
    expect(shelf.map((e) => e.type)).toEqual(['stock.opening_balance', 'qc.released']);
    const own = (await api.get<{ events: { type: string }[] }>('/api/v1/ledger?sku=SKU-1004&location=A-02-02', token)).body.events;
    expect(own.map((e) => e.type)).toEqual(['qc.released']);
  });

  it('lists quarantined returns for supervisors until resolved', async () => {
    const { dev, token } = await fresh('returns');
    await api.push(dev.id, token, [
      dev.next('return.quarantined', { returnId: 'RMA-100', sku: 'SKU-1003', location: 'RET-1', qty: 2, condition: 'opened', note: 'box torn' }),
    ]);
    expect((await work(dev, token)).returns).toEqual([]);
    const supDev = new DeviceEvents(n + 1000, 'supervisor');
    const supToken = await api.signIn('supervisor', supDev.id);
    const open = (await work(supDev, supToken)).returns;
    expect(open).toEqual([expect.objectContaining({ returnId: 'RMA-100', qty: 2, condition: 'opened', note: 'box torn', resolved: false })]);
    expect(await api.stock(token, 'SKU-1003', 'RET-1')).toMatchObject({ quarantine: 2, atp: 0 });
    await api.push(supDev.id, supToken, [
      supDev.next('return.resolved', { returnId: 'RMA-100', decision: 'resale', sku: 'SKU-1003', from: 'RET-1', to: 'A-02-01', qty: 1 }),
      supDev.next('return.resolved', { returnId: 'RMA-100', decision: 'write_off', sku: 'SKU-1003', from: 'RET-1', qty: 1, reason: 'crushed' }),
    ]);
    expect((await work(supDev, supToken)).returns).toEqual([]);
    const all = (await api.get<{ returns: { returnId: string; resolved: boolean }[] }>('/api/v1/returns', token)).body.returns;
    expect(all.find((r) => r.returnId === 'RMA-100')?.resolved).toBe(true);
    expect((await api.stock(token, 'SKU-1003', 'RET-1')).onHand).toBe(0);
  });

  it('holds a count whose bin moved while it ran, lists the movement, and approving never subtracts the pick twice', async () => {
    const counter = await fresh('picker');
    const picker = await fresh('picker');
    const line = await pickLine(app.db, 'SKU-1006', 'B-01-02', 10);
    const start = await api.stock(counter.token, 'SKU-1006', 'B-01-02');
    await api.push(counter.dev.id, counter.token, [counter.dev.next('count.started', { countTaskId: 'CT-RACE', location: 'B-01-02' })]);
    await api.push(picker.dev.id, picker.token, [picker.dev.next('pick.held', pickHeld('SKU-1006', 'B-01-02', 4, line.pickListId, line.lineId))]);
    // The counter counted after the pick and found one fewer than the shelf then held.
    await api.push(counter.dev.id, counter.token, [
      counter.dev.next('count.recorded', {
        countTaskId: 'CT-RACE',
        location: 'B-01-02',
        lines: [
          { sku: 'SKU-1006', qty: start.available - 4 - 1 },
          { sku: 'SKU-1001', qty: 10 },
        ],
      }),
    ]);
    // Ambiguous: it never posts by itself.
    expect(await api.stock(counter.token, 'SKU-1006', 'B-01-02')).toMatchObject({ available: start.available - 4, committed: start.committed + 4 });
    const task = (
      await api.get<{ countTasks: { id: string; status: string; snapshot?: unknown }[] }>('/api/v1/count-tasks', counter.token)
    ).body.countTasks.find((t) => t.id === 'CT-RACE');
    expect(task).toMatchObject({ status: 'awaiting_approval' });
    expect(task?.snapshot).toBeUndefined();
    type Held = { id: string; snapshot?: unknown; held?: { lines: unknown[]; movements: unknown[] } };
    const forSup = (await api.get<{ countTasks: Held[] }>('/api/v1/count-tasks', sup)).body.countTasks.find((t) => t.id === 'CT-RACE');
    expect(forSup?.snapshot).toMatchObject({ 'SKU-1006': start.available });
    expect(forSup?.held?.movements).toEqual([expect.objectContaining({ type: 'pick.held', actor: 'picker', sku: 'SKU-1006', location: 'B-01-02', qty: 4 })]);
    expect(forSup?.held?.lines).toContainEqual({ sku: 'SKU-1006', expected: start.available - 4, counted: start.available - 5, variance: -1 });
    const supDev = new DeviceEvents(8100 + n, 'supervisor');
    const supToken = await api.signIn('supervisor', supDev.id);
    await api.push(supDev.id, supToken, [supDev.next('count.approved', { countTaskId: 'CT-RACE', approve: true })]);
    expect(await api.stock(counter.token, 'SKU-1006', 'B-01-02')).toMatchObject({ available: start.available - 5, committed: start.committed + 4 });
    // The count.started is in the bin's ledger.
    const behind = (await api.get<{ events: { type: string; id: string }[] }>('/api/v1/ledger?location=B-01-02&limit=1000', sup)).body.events;
    expect(behind.map((e) => e.type)).toContain('count.started');
  });

  it('holds a large variance for a supervisor, who approves it', async () => {
    const counter = await fresh('picker');
    const before = await api.stock(counter.token, 'SKU-1007', 'B-01-01');
    await api.push(counter.dev.id, counter.token, [
      counter.dev.next('count.started', { countTaskId: 'CT-BIG', location: 'B-01-01' }),
      counter.dev.next('count.recorded', { countTaskId: 'CT-BIG', location: 'B-01-01', lines: [{ sku: 'SKU-1007', qty: 10 }] }),
    ]);
    expect((await work(counter.dev, counter.token)).countTasks.find((t) => t.id === 'CT-BIG')?.status).toBe('awaiting_approval');
    expect((await api.stock(counter.token, 'SKU-1007', 'B-01-01')).available).toBe(before.available);
    const supDev = new DeviceEvents(n + 2000, 'supervisor');
    const supToken = await api.signIn('supervisor', supDev.id);
    await api.push(supDev.id, supToken, [supDev.next('count.approved', { countTaskId: 'CT-BIG', approve: true })]);
    expect((await api.stock(counter.token, 'SKU-1007', 'B-01-01')).available).toBe(10);
    expect((await work(counter.dev, counter.token)).countTasks.find((t) => t.id === 'CT-BIG')).toBeUndefined();
  });

  it('reports devices with last seq, last contact and rejected count, to supervisors only', async () => {
    const { dev, token } = await fresh('picker');
    await api.push(dev.id, token, [dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1)), dev.next('pick.held', { qty: 'two' })]);
    expect((await api.get('/api/v1/devices', token)).status).toBe(403);
    const devices = (await api.get<{ devices: { deviceId: string; lastSeq: number; rejectedCount: number; lastContactAt: string }[] }>('/api/v1/devices', sup))
      .body.devices;
    expect(devices.find((d) => d.deviceId === dev.id)).toEqual({
      deviceId: dev.id,
      lastSeq: 2,
      rejectedCount: 1,
      lastContactAt: '2026-11-23T09:00:00.000Z',
      // Registration, how it proves itself (the test client holds a secret) and who is signed in on it.
      registeredAt: '2026-11-23T09:00:00.000Z',
      proof: 'secret',
      revokedAt: null,
      resetAt: null,
      replaces: null,
      replacedBy: null,
      signedIn: ['picker'],
    });
    expect((await api.get('/api/v1/discrepancies', token)).status).toBe(403);
    // A device that only pulls is in contact too.
    const quiet = await fresh('receiver');
    await work(quiet.dev, quiet.token);
    const listed = (await api.get<{ devices: { deviceId: string; lastSeq: number; lastContactAt: string }[] }>('/api/v1/devices', sup)).body.devices;
    expect(listed.find((d) => d.deviceId === quiet.dev.id)).toMatchObject({ lastSeq: 0, lastContactAt: '2026-11-23T09:00:00.000Z' });
  });

  it('names a bad query field', async () => {
    const { token } = await fresh('picker');
    const res = await api.get<{ error: string; field: string }>('/api/v1/stock?sku=%3Cscript%3E', sup);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('sku');
    expect((await api.get('/api/v1/nothing-here', token)).status).toBe(404);
  });
});

const BIG_ASSET = `export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `word-${i}`))};\n`;

describe('over real HTTP', () => {
  let server: { url: string; close(): Promise<void> };
  let staticDir: string;
  beforeAll(async () => {
    staticDir = mkdtempSync(path.join(tmpdir(), 'floor-static-'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>floor</title>');
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(path.join(staticDir, 'assets', 'app-abc.js'), 'console.log(1)');
    // As the build leaves a bigger file: a brotli and a gzip copy beside it (vite.config.ts).
    writeFileSync(path.join(staticDir, 'assets', 'big-abc.js'), BIG_ASSET);
    writeFileSync(path.join(staticDir, 'assets', 'big-abc.js.br'), brotliCompressSync(BIG_ASSET));
    writeFileSync(path.join(staticDir, 'assets', 'big-abc.js.gz'), gzipSync(BIG_ASSET));
    server = await startServer({ port: 0, dataDir: 'memory://', logLevel: 'silent', staticDir, keepAliveMs: 50 });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  it('announces stock and work changes on the live feed', async () => {
    const dev = new DeviceEvents(500, 'picker');
    const signIn = await fetch(`${server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'picker', pin: '1111', deviceId: dev.id }),
    });
    const { token, session } = (await signIn.json()) as { token: string; session: string };
    keychain.sessions.set(`${dev.id} picker`, session);
    // The token never goes in a URL: a single-use ticket from an authenticated POST opens the stream.
    const ticketRes = await fetch(`${server.url}/api/v1/stream-tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const { ticket } = (await ticketRes.json()) as { ticket: string };
    const ac = new AbortController();
    const stream = await fetch(`${server.url}/api/v1/stream?ticket=${ticket}`, { signal: ac.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const waitFor = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value);
      }
    };
    await waitFor(': connected');
    const push = await fetch(`${server.url}/api/v1/devices/${dev.id}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ events: [dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1))] }),
    });
    expect(push.status).toBe(200);
    await waitFor('"kind":"stock","sku":"SKU-1001","location":"A-01-01"');
    expect(text).toContain('event: change\ndata: {"kind":"work"}');
    await waitFor(': keep-alive');
    ac.abort();
    const reused = await fetch(`${server.url}/api/v1/stream?ticket=${ticket}`);
    expect(reused.status).toBe(401);
    const refused = await fetch(`${server.url}/api/v1/stream?token=${token}`);
    expect(refused.status).toBe(400);
  });

  it('serves the PWA with a fallback to index.html for app routes, never for /api', async () => {
    const page = await fetch(`${server.url}/pick/PL-0001`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>floor</title>');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${server.url}/assets/app-abc.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const api = await fetch(`${server.url}/api/v1/unknown`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: 'not_found' });
  });

  it("sends the build's compressed copy to a browser that takes it, the file itself to one that does not", async () => {
    for (const [accept, encoding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const res = await fetch(`${server.url}/assets/big-abc.js`, { headers: { 'accept-encoding': accept } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding'), accept).toBe(encoding);
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(res.headers.get('cache-control')).toContain('immutable');
      // fetch decodes what it was sent: the same script every way.
      expect(await res.text()).toBe(BIG_ASSET);
    }
  });
});
