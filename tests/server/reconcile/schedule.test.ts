/**
 * The schedule under a fake clock, on PGlite and PostgreSQL: hourly runs of the fast movers, a
 * daily run of every SKU, each slot once however many schedulers tick; the morning's blind
 * count tasks chosen by pick velocity (never the same bin two days running unless its count
 * had a variance), seen by a counter's handheld without expected figures, counted over the
 * push API, and count accuracy per day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, Client, DeviceEvents, openBackend, pickHeld, pickLine, type Backend } from '../../fixtures/server-app.ts';
import { channelApp, Clock, injectCaller, LOOPBACK_TARGETS, supervisorToken, type Call } from '../../fixtures/channels.ts';
import type { App } from '../../../src/server/app.ts';
import { ReconcileScheduler } from '../../../src/server/reconcile/scheduler.ts';
import { httpReadBack } from '../../../src/server/reconcile/run.ts';
import type { CycleAnswer } from '../../../src/domain/reconcile/protocol.ts';
import type { PullResponse } from '../../../src/domain/protocol.ts';

const HOUR = 3_600_000;

describe.each(BACKEND_NAMES)('reconciliation schedule and cycle counts on %s', (name) => {
  let backend: Backend;
  let app: App;
  let call: Call;
  let sup: string;
  let scheduler: ReconcileScheduler;
  const clock = new Clock(Date.parse('2026-11-23T01:30:00.000Z'));
  // A handheld of this backend's own (each database registers its own devices).
  const picker = new DeviceEvents(name === 'pglite' ? 0xe200 : 0xe201, 'picker');
  let pickerToken: string;

  const push = async (...events: ReturnType<DeviceEvents['next']>[]) => {
    const r = await call<{ ackedSeq: number; rejected: unknown[] }>('POST', `/api/v1/devices/${picker.id}/events`, { token: pickerToken, body: { events } });
    expect(r.status).toBe(200);
    expect(r.body.rejected).toEqual([]);
  };
  /** Sessions last a shift: after a night, both sign in again. */
  const signIn = async () => {
    sup = await supervisorToken(call);
    pickerToken = await new Client(app).signIn('picker', picker.id);
  };
  const cycle = async () => (await call<CycleAnswer>('GET', '/api/v1/counts/cycle?days=3', { token: sup })).body;
  const tick = async () => {
    const t = await scheduler.tick();
    return { runs: t.runs.map((r) => `${r.trigger}:${r.scope}`), counts: t.countsRaised };
  };

  beforeAll(async () => {
    backend = await openBackend(name);
    app = await channelApp(backend, clock, false, LOOPBACK_TARGETS, { reconcile: { tickMs: false, onScheduler: (s) => (scheduler = s) } });
    call = injectCaller(app);
    await signIn();
    // Pick velocity over the last days: B-01-01 20 units, A-01-01 10, A-02-01 5, A-01-02 2.
    for (const [sku, bin, qty] of [
      ['SKU-1007', 'B-01-01', 20],
      ['SKU-1001', 'A-01-01', 10],
      ['SKU-1003', 'A-02-01', 5],
      ['SKU-1002', 'A-01-02', 2],
    ] as const) {
      const line = await pickLine(app.db, sku, bin);
      await push(picker.next('pick.held', pickHeld(sku, bin, qty, line.pickListId, line.lineId)));
    }
    expect((await call('PUT', '/api/v1/reconcile/settings', { token: sup, body: { cycleCountsPerDay: 2 } })).status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('runs the fast movers every hour and every SKU once a day, each slot once across schedulers', async () => {
    expect(await tick()).toEqual({ runs: ['schedule:fast'], counts: 0 });
    expect(await tick()).toEqual({ runs: [], counts: 0 });
    // Another API process on the same database: the slot is claimed already.
    const other = new ReconcileScheduler({ db: app.db, now: clock.now, readBack: httpReadBack(), graceMs: 60_000, workChannel: 'x', repushWaitMs: 300_000 });
    expect((await other.tick()).runs).toEqual([]);
    clock.advance(HOUR / 2); // 02:00: the hour's fast movers and the day's full run
    expect(await tick()).toEqual({ runs: ['schedule:fast', 'schedule:all'], counts: 0 });
    expect((await other.tick()).runs).toEqual([]);
    const runs = await app.db.query<{ scope: string; skus: number }>(`SELECT scope, skus FROM reconcile_runs WHERE trigger = 'schedule' ORDER BY id`);
    // Fast movers: velocity class A (SKU-1001, SKU-1002, SKU-1007 in the demo) and the most picked SKUs.
    expect(runs.map((r) => [r.scope, Number(r.skus)])).toEqual([
      ['fast', 4],
      ['fast', 4],
      ['all', 8],
    ]);
  });

  it('raises the morning counts once: the fastest movers, the configured number, visible to a counter without figures', async () => {
    const work = async () => (await call<PullResponse>('GET', `/api/v1/devices/${picker.id}/work`, { token: pickerToken })).body;
    const before = await work();
    clock.advance(4 * HOUR); // 06:00
    expect(await tick()).toEqual({ runs: ['schedule:fast'], counts: 2 });
    expect(await tick()).toEqual({ runs: [], counts: 0 });
    expect((await call('POST', '/api/v1/counts/cycle', { token: sup })).status).toBe(200);
    const today = await cycle();
    expect(today.day).toBe('2026-11-23');
    expect(today.tasks.map((t) => [t.taskId, t.location, t.reason, t.status, t.variances])).toEqual([
      ['CC-20261123-001', 'B-01-01', 'fast_mover', 'open', null],
      ['CC-20261123-002', 'A-01-01', 'fast_mover', 'open', null],
    ]);
    const after = await work();
    expect(after.cursor).not.toBe(before.cursor);
    const tasks = after.countTasks.filter((t) => t.id.startsWith('CC-'));
    expect(tasks.map((t) => t.location)).toEqual(['B-01-01', 'A-01-01']);
    // Blind: the handheld gets no expected quantity.
    for (const t of tasks) expect(Object.keys(t).sort()).toEqual(['id', 'location', 'reason', 'status']);
  });

  it('counts post, accuracy shows per day; next morning skips the bin counted exactly, recounts the one with a variance', async () => {
    // B-01-01 counted exactly (SKU-1007 120 - 20, SKU-1005 15); A-01-01 one short (40 - 10 = 30, counted 29).
    await push(
      picker.next('count.started', { countTaskId: 'CC-20261123-001', location: 'B-01-01' }),
      picker.next('count.recorded', {
        countTaskId: 'CC-20261123-001',
        location: 'B-01-01',
        lines: [
          { sku: 'SKU-1007', qty: 100 },
          { sku: 'SKU-1005', qty: 15 },
        ],
      }),
      picker.next('count.started', { countTaskId: 'CC-20261123-002', location: 'A-01-01' }),
      picker.next('count.recorded', { countTaskId: 'CC-20261123-002', location: 'A-01-01', lines: [{ sku: 'SKU-1001', qty: 29 }] }),
    );
    const today = await cycle();
    expect(today.tasks.map((t) => [t.location, t.status, t.variances])).toEqual([
      ['B-01-01', 'posted', 0],
      ['A-01-01', 'posted', 1],
    ]);
    expect(today.accuracy).toEqual([
      { day: '2026-11-21', bins: 0, exactBins: 0, accuracy: null, unitsOff: 0, cycleBins: 0 },
      { day: '2026-11-22', bins: 0, exactBins: 0, accuracy: null, unitsOff: 0, cycleBins: 0 },
      { day: '2026-11-23', bins: 2, exactBins: 1, accuracy: 0.5, unitsOff: 1, cycleBins: 2 },
    ]);
    clock.advance(24 * HOUR); // the next morning, 06:00
    await signIn();
    const t = await tick();
    expect(t.counts).toBe(2);
    const next = await cycle();
    expect(next.day).toBe('2026-11-24');
    // B-01-01 rests (counted exactly yesterday); A-01-01 again (its count had a variance); then A-02-01.
    expect(next.tasks.map((x) => x.location)).toEqual(['A-01-01', 'A-02-01']);
  });

  it('a bin with an open discrepancy is on the morning list with the count task its discrepancy raised, never a second one', async () => {
    // A short pick at A-01-02 records a discrepancy and raises its own count task at once.
    const line = await pickLine(app.db, 'SKU-1002', 'A-01-02');
    await push(
      picker.next('pick.short', {
        pickListId: line.pickListId,
        lineId: line.lineId,
        sku: 'SKU-1002',
        location: 'A-01-02',
        missingQty: 3,
        countTaskId: 'CT-SHORT-1',
      }),
    );
    clock.advance(24 * HOUR); // 2026-11-25, 06:00
    await signIn();
    await tick();
    const day = await cycle();
    expect(day.tasks.filter((x) => x.location === 'A-01-02')).toEqual([
      {
        taskId: 'CT-SHORT-1',
        day: '2026-11-25',
        location: 'A-01-02',
        reason: 'open_discrepancy',
        detail: '1 open discrepancy',
        status: 'open',
        variances: null,
      },
    ]);
    const tasksAt = await app.db.query(`SELECT id FROM count_tasks WHERE location = 'A-01-02' AND status = 'open'`);
    expect(tasksAt).toEqual([{ id: 'CT-SHORT-1' }]);
    // Yesterday's fast movers are still open (nobody counted them): they are not listed again.
    expect(day.tasks.filter((x) => x.reason === 'fast_mover').map((x) => x.location)).not.toContain('A-01-01');
    // Counted (exactly: 60 - 2 picked - 3 missing to suspect = 55 on the shelf, suspect settled), the discrepancy is closed: tomorrow does not list the bin for it.
    await push(
      picker.next('count.started', { countTaskId: 'CT-SHORT-1', location: 'A-01-02' }),
      picker.next('count.recorded', { countTaskId: 'CT-SHORT-1', location: 'A-01-02', lines: [{ sku: 'SKU-1002', qty: 55 }] }),
    );
    clock.advance(24 * HOUR);
    await signIn();
    await tick();
    expect((await cycle()).tasks.filter((x) => x.reason === 'open_discrepancy')).toEqual([]);
  });
});
