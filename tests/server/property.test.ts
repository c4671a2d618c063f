/**
 * Exactly-once under hostile delivery: random events from several devices are sent in batches
 * that are split, duplicated, sent past a gap and retried after lost answers, interleaved
 * across devices. Afterwards every event is in the ledger exactly once (applied or rejected as
 * expected) and the central stock equals the model.
 *
 * The model: across devices the server's interleaving decides the outcome (a pick that lands
 * before a count differs from one after it), so the model replays the ledger in the order the
 * server reports it (position), after checking that each device's events appear in seq order,
 * with `MemoryCentral` + `planEvent` from the domain. On PGlite pushes commit one at a time, so
 * position order is commit order; on PostgreSQL the deliveries are awaited one by one for the
 * same reason.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, deviceId, openBackend, startApp, type Backend, type Client } from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import { parseEvent } from '../../src/domain/events.ts';
import { MemoryCentral, planEvent, stockKey, type Buckets } from '../../src/domain/stock.ts';
import type { LocationId, Sku } from '../../src/domain/ids.ts';

type Draft = { type: string; actor: string; payload: Record<string, unknown>; outcome: 'applied' | 'rejected' };

const sku = fc.constantFrom('SKU-1001', 'SKU-1007', 'SKU-P1');
const loc = fc.constantFrom('A-01-01', 'B-01-01', 'DOCK-1');
const qty = fc.integer({ min: 1, max: 6 });
const task = fc.constantFrom('CT-P1', 'CT-P2');
const ok = (type: string, actor: string) => (payload: Record<string, unknown>): Draft => ({ type, actor, payload, outcome: 'applied' });

const draft: fc.Arbitrary<Draft> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ pickListId: fc.constant('PL-0001'), lineId: fc.constant('1'), sku, location: loc, tote: fc.constant('T-1'), qty }).map(ok('pick.held', 'picker')) },
  fc.record({ pickListId: fc.constant('PL-0001'), lineId: fc.constant('2'), sku, location: loc, missingQty: qty, countTaskId: task }).map(ok('pick.short', 'picker')),
  { weight: 2, arbitrary: fc.record({ receiptId: fc.constant('RCV-0001'), sku, location: loc, qty }).map(ok('receipt.received', 'receiver')) },
  { weight: 2, arbitrary: fc.record({ sku, from: loc, to: loc, qty }).map(ok('qc.released', 'receiver')) },
  fc.record({ returnId: fc.constant('RMA-P'), sku, location: loc, qty, condition: fc.constant('sealed') }).map(ok('return.quarantined', 'receiver')),
  fc.record({ returnId: fc.constant('RMA-P'), decision: fc.constant('resale'), sku, from: loc, to: loc, qty }).map(ok('return.resolved', 'supervisor')),
  fc.record({ countTaskId: task, location: loc }).map(ok('count.started', 'picker')),
  fc
    .record({ countTaskId: task, location: loc, lines: fc.array(fc.record({ sku, qty: fc.integer({ min: 0, max: 12 }) }), { minLength: 1, maxLength: 2 }) })
    .map(ok('count.recorded', 'receiver')),
  fc.record({ countTaskId: task, approve: fc.boolean() }).map(ok('count.approved', 'supervisor')),
  // Events the API must reject (and still number): an invalid payload, a role without the right.
  fc.record({ sku, location: loc }).map((p): Draft => ({ type: 'pick.held', actor: 'picker', payload: { ...p, pickListId: 'PL-0001', lineId: '1', tote: 'T-1', qty: 0 }, outcome: 'rejected' })),
  fc.record({ sku, from: loc, to: loc, qty }).map((p): Draft => ({ type: 'return.resolved', actor: 'picker', payload: { ...p, returnId: 'RMA-P', decision: 'resale' }, outcome: 'rejected' })),
);

type Step = { device: number; kind: 'next' | 'dup' | 'gap'; size: number; offset: number; lose: boolean };
const scenario = fc.record({
  devices: fc.array(fc.array(draft, { minLength: 1, maxLength: 14 }), { minLength: 2, maxLength: 3 }),
  steps: fc.array(
    fc.record({ device: fc.nat(2), kind: fc.constantFrom('next', 'dup', 'gap'), size: fc.integer({ min: 1, max: 6 }), offset: fc.nat(6), lose: fc.boolean() }) as fc.Arbitrary<Step>,
    { maxLength: 30 },
  ),
});

type LedgerEvent = { position: number; id: string; deviceId: string; seq: number; type: string; actor: string; occurredAt: string; status: string; payload: Record<string, unknown> };
type StockRow = { sku: string; location: string } & Buckets;

describe.each(BACKEND_NAMES)('delivery property on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let sup: string;
  let nextDevice = 1000;

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend, { rateLimit: false }));
    sup = await api.signIn('supervisor', deviceId(1));
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  async function wholeLedger(): Promise<LedgerEvent[]> {
    const all: LedgerEvent[] = [];
    for (;;) {
      const after = all.at(-1)?.position ?? 0;
      const page = (await api.get<{ events: LedgerEvent[] }>(`/api/v1/ledger?limit=1000&after=${after}`, sup)).body.events;
      all.push(...page);
      if (page.length < 1000) return all;
    }
  }

  it('ends with every event applied or rejected once and the stock equal to the model', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ devices, steps }) => {
        const run = await Promise.all(
          devices.map(async (drafts) => {
            const dev = new DeviceEvents(nextDevice++);
            const token = await api.signIn('picker', dev.id);
            await api.signIn('receiver', dev.id);
            await api.signIn('supervisor', dev.id);
            const events = drafts.map((d) => dev.next(d.type as 'pick.held', d.payload, d.actor));
            return { dev, token, drafts, events, acked: 0 };
          }),
        );
        const deliver = async (d: (typeof run)[number], batch: unknown[], lose: boolean) => {
          if (batch.length === 0) return;
          const res = await api.push(d.dev.id, d.token, batch);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          if (!lose) d.acked = Math.max(d.acked, res.body.ackedSeq);
        };
        const sendStep = (s: Step) => {
          const d = run[s.device % run.length];
          if (!d) return Promise.resolve();
          const start = s.kind === 'next' ? d.acked : s.kind === 'dup' ? s.offset % (d.acked + 1) : d.acked + 1 + (s.offset % 3);
          return deliver(d, d.events.slice(start, start + s.size), s.lose);
        };
        if (name === 'pglite') {
          // Rounds of concurrent deliveries: PGlite commits them one at a time.
          for (let i = 0; i < steps.length; i += run.length) await Promise.all(steps.slice(i, i + run.length).map(sendStep));
        } else {
          for (const s of steps) await sendStep(s);
        }
        for (const d of run) {
          for (let guard = 0; d.acked < d.events.length; guard++) {
            expect(guard).toBeLessThan(50);
            await deliver(d, d.events.slice(d.acked, d.acked + 5), false);
          }
        }

        const ledger = await wholeLedger();
        for (const d of run) {
          const mine = ledger.filter((e) => e.deviceId === d.dev.id);
          expect(mine.map((e) => e.seq)).toEqual(d.events.map((e) => e.seq));
          expect(mine.map((e) => e.id)).toEqual(d.events.map((e) => e.id));
          expect(mine.map((e) => e.status)).toEqual(d.drafts.map((x) => x.outcome));
        }

        const model = new MemoryCentral();
        for (const e of ledger) {
          if (e.status !== 'applied') continue;
          if (e.type === 'stock.opening_balance') {
            const p = e.payload as { sku: Sku; location: LocationId; available: number };
            model.apply({ moves: [{ sku: p.sku, location: p.location, bucket: 'available', delta: p.available }], discrepancies: [], countTasks: [] });
            continue;
          }
          const parsed = parseEvent({ ...e, schemaVersion: 1 } as never);
          if (!parsed.ok) throw new Error(`ledger holds an applied event that does not parse: ${parsed.problem.message}`);
          model.apply(planEvent(parsed.event, model));
        }
        const rows = (await api.get<{ rows: StockRow[] }>('/api/v1/stock', sup)).body.rows;
        const server = new Map(rows.map((r) => [stockKey(r.sku, r.location), { available: r.available, committed: r.committed, qc: r.qc, quarantine: r.quarantine, suspect: r.suspect }]));
        const expected = new Map([...model.stock].map(([k, r]) => [k, r.buckets]));
        const keys = new Set([...server.keys(), ...expected.keys()]);
        const zero = { available: 0, committed: 0, qc: 0, quarantine: 0, suspect: 0 };
        for (const k of keys) expect(server.get(k) ?? zero, k).toEqual(expected.get(k) ?? zero);
        const tasks = (await api.get<{ countTasks: { id: string; status: string }[] }>('/api/v1/count-tasks', sup)).body.countTasks;
        expect(new Map(tasks.map((t) => [t.id, t.status]))).toEqual(new Map([...model.tasks].map(([id, t]) => [id, t.status])));
      }),
      { seed: 20_261_123, numRuns: name === 'pglite' ? 25 : 10 },
    );
  });
});
