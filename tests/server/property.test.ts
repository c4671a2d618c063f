/**
 * Exactly-once under hostile delivery, and the truth under hostile events: random events from
 * several devices, adversarial ones among them (double undo, undo of a pick that never happened,
 * short undos: twice, on another line, beyond the short, of a short that never happened,
 * double release, release from an empty QC, double decision, decision on an unknown return,
 * recounts, oversized shorts, unknown SKUs and places, over-picks), are sent in batches that are
 * split, duplicated, sent past a gap and retried after lost answers, interleaved across devices.
 *
 * Afterwards every event is in the ledger exactly once, each device's in seq order; and folding
 * the ledger in position order through an independent bucket model (tests/fixtures/bucket-model.ts,
 * written from DESIGN.md, not from the server's rules) gives the same decision for every event,
 * the same stock figures and the same count task states as the server, and a replay of the
 * ledger equals the stock table. On PGlite pushes commit one at a time, so position order is
 * commit order; on PostgreSQL the deliveries are awaited one by one for the same reason.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, deviceId, openBackend, startApp, type Backend, type Client } from '../fixtures/server-app.ts';
import { BucketModel, type MasterData } from '../fixtures/bucket-model.ts';
import type { App } from '../../src/server/app.ts';
import { insertPickLists } from '../../src/server/storage/index.ts';
import { replayMismatches } from '../../src/server/replay.ts';
import { CATALOG, LOCATIONS, PICK_LISTS, RECEIPTS } from '../../src/server/seed.ts';

/** What a draft must come to regardless of order: planned by the rules, or refused before them. */
type Fixed = 'planned' | 'invalid_payload' | 'forbidden';
type Draft = { type: string; actor: string; payload: (ctx: BuildCtx) => Record<string, unknown>; fixed: Fixed };
type BuildCtx = {
  run: number;
  picks: { id: string; sku: string; location: string }[];
  shorts: { id: string; lineId: string; sku: string; location: string }[];
};

const NEVER_PICKED = '0190a0b1-ffff-7fff-8fff-ffffffffffff';
const qty = fc.integer({ min: 1, max: 4 });
const lineNo = fc.constantFrom('1', '2');
const LINE = { '1': ['SKU-1001', 'A-01-01'], '2': ['SKU-1007', 'B-01-01'] } as const;
const d = (type: string, actor: string, payload: (ctx: BuildCtx) => Record<string, unknown>, fixed: Fixed = 'planned'): Draft => ({
  type,
  actor,
  payload,
  fixed,
});

const draft: fc.Arbitrary<Draft> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ line: lineNo, qty, wrong: fc.boolean() }).map(({ line, qty, wrong }) =>
      d('pick.held', 'picker', ({ run }) => ({
        pickListId: `PL-P${run}`,
        lineId: line,
        sku: LINE[line][0],
        location: wrong ? 'A-02-01' : LINE[line][1],
        tote: 'T-1',
        qty,
      })),
    ),
  },
  fc.record({ line: lineNo, missing: fc.oneof(qty, fc.constant(100_000)) }).map(({ line, missing }) =>
    d('pick.short', 'picker', ({ run }) => ({
      pickListId: `PL-P${run}`,
      lineId: line,
      sku: LINE[line][0],
      location: LINE[line][1],
      missingQty: missing,
      countTaskId: `CT-S${run}`,
    })),
  ),
  {
    weight: 3,
    arbitrary: fc.record({ ref: fc.nat(8), qty }).map(({ ref, qty }) =>
      d('pick.undone', 'picker', ({ picks }) => {
        const p = picks[ref % (picks.length + 1)];
        return p ? { corrects: p.id, sku: p.sku, location: p.location, qty } : { corrects: NEVER_PICKED, sku: 'SKU-1001', location: 'A-01-01', qty };
      }),
    ),
  },
  // Short undos: of a real short (once, or again), on the wrong line, too many, or of a short that never happened.
  {
    weight: 2,
    arbitrary: fc.record({ ref: fc.nat(8), qty, otherLine: fc.boolean() }).map(({ ref, qty, otherLine }) =>
      d('pick.short_undone', 'picker', ({ run, shorts }) => {
        const sh = shorts[ref % (shorts.length + 1)];
        if (!sh) return { corrects: NEVER_PICKED, pickListId: `PL-P${run}`, lineId: '1', sku: 'SKU-1001', location: 'A-01-01', qty };
        const lineId = otherLine ? (sh.lineId === '1' ? '2' : '1') : sh.lineId;
        return { corrects: sh.id, pickListId: `PL-P${run}`, lineId, sku: sh.sku, location: sh.location, qty };
      }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        sku: fc.constantFrom('SKU-1001', 'SKU-1007', 'SKU-404'),
        location: fc.constantFrom('DOCK-1', 'DOCK-1', 'A-01-01'),
        receipt: fc.constantFrom('RCV-0001', 'RCV-0001', 'RCV-404'),
        qty: fc.integer({ min: 1, max: 6 }),
      })
      .map((p) => d('receipt.received', 'receiver', () => ({ receiptId: p.receipt, sku: p.sku, location: p.location, qty: p.qty }))),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ sku: fc.constantFrom('SKU-1001', 'SKU-1007'), to: fc.constantFrom('A-01-01', 'B-01-01', 'Z-9-9'), qty: fc.integer({ min: 1, max: 6 }) })
      .map((p) => d('qc.released', 'receiver', () => ({ sku: p.sku, from: 'DOCK-1', to: p.to, qty: p.qty }))),
  },
  fc
    .record({ n: fc.integer({ min: 1, max: 2 }), qty: fc.integer({ min: 1, max: 3 }) })
    .map(({ n, qty }) =>
      d('return.quarantined', 'receiver', ({ run }) => ({ returnId: `RMA-${run}-${n}`, sku: 'SKU-1001', location: 'RET-1', qty, condition: 'sealed' })),
    ),
  {
    weight: 2,
    arbitrary: fc
      .record({ n: fc.integer({ min: 1, max: 3 }), qty: fc.integer({ min: 1, max: 3 }), resale: fc.boolean() })
      .map(({ n, qty, resale }) =>
        d('return.resolved', 'supervisor', ({ run }) =>
          resale
            ? { returnId: `RMA-${run}-${n}`, decision: 'resale', sku: 'SKU-1001', from: 'RET-1', to: 'A-01-01', qty }
            : { returnId: `RMA-${run}-${n}`, decision: 'write_off', sku: 'SKU-1001', from: 'RET-1', qty, reason: 'crushed' },
        ),
      ),
  },
  fc
    .record({ t: fc.constantFrom('1', '2'), location: fc.constantFrom('A-01-01', 'B-01-01', 'Z-9-9'), actor: fc.constantFrom('picker', 'receiver') })
    .map(({ t, location, actor }) => d('count.started', actor, ({ run }) => ({ countTaskId: `CT-${run}-${t}`, location }))),
  {
    weight: 2,
    arbitrary: fc
      .record({
        t: fc.constantFrom('1', '2'),
        location: fc.constantFrom('A-01-01', 'B-01-01'),
        actor: fc.constantFrom('picker', 'receiver'),
        lines: fc.array(fc.record({ sku: fc.constantFrom('SKU-1001', 'SKU-1007'), qty: fc.integer({ min: 0, max: 130 }) }), { minLength: 1, maxLength: 2 }),
      })
      .map(({ t, location, actor, lines }) => d('count.recorded', actor, ({ run }) => ({ countTaskId: `CT-${run}-${t}`, location, lines }))),
  },
  fc
    .record({ t: fc.constantFrom('1', '2', 'S'), approve: fc.boolean() })
    .map(({ t, approve }) => d('count.approved', 'supervisor', ({ run }) => ({ countTaskId: t === 'S' ? `CT-S${run}` : `CT-${run}-${t}`, approve }))),
  // Refused before the rules, whatever the order: an invalid payload, a role without the right.
  fc.constant(
    d(
      'pick.held',
      'picker',
      ({ run }) => ({ pickListId: `PL-P${run}`, lineId: '1', sku: 'SKU-1001', location: 'A-01-01', tote: 'T-1', qty: 0 }),
      'invalid_payload',
    ),
  ),
  fc.constant(
    d(
      'return.resolved',
      'picker',
      ({ run }) => ({ returnId: `RMA-${run}-1`, decision: 'resale', sku: 'SKU-1001', from: 'RET-1', to: 'A-01-01', qty: 1 }),
      'forbidden',
    ),
  ),
);

type Step = { device: number; kind: 'next' | 'dup' | 'gap'; size: number; offset: number; lose: boolean };
const scenario = fc.record({
  devices: fc.array(fc.array(draft, { minLength: 1, maxLength: 16 }), { minLength: 2, maxLength: 3 }),
  steps: fc.array(
    fc.record({
      device: fc.nat(2),
      kind: fc.constantFrom('next', 'dup', 'gap'),
      size: fc.integer({ min: 1, max: 6 }),
      offset: fc.nat(6),
      lose: fc.boolean(),
    }) as fc.Arbitrary<Step>,
    { maxLength: 30 },
  ),
});

type LedgerEvent = {
  position: number;
  id: string;
  deviceId: string;
  seq: number;
  type: string;
  actor: string;
  status: string;
  code?: string;
  payload: Record<string, unknown>;
};
type StockRow = { sku: string; location: string; available: number; committed: number; qc: number; quarantine: number; suspect: number };

describe.each(BACKEND_NAMES)('delivery and truth property on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let sup: string;
  let nextDevice = 1000;
  let run = 0;
  const master: MasterData & { lines: MasterData['lines'][number][] } = {
    skus: CATALOG.map((c) => c.sku),
    kinds: Object.fromEntries(LOCATIONS.map((l) => [l.id, l.kind])),
    receipts: RECEIPTS.map((r) => r.id),
    lines: PICK_LISTS.flatMap((p) => p.lines.map((l) => ({ pickListId: p.id, ...l }))),
  };
  /** Every event sent, by id: what it must come to regardless of order. */
  const fixed = new Map<string, Fixed>();

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

  it('ends with every event once, decided as the independent model decides, and the stock equal to the model and to a replay', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ devices, steps }) => {
        run += 1;
        const lines = [
          { pickListId: `PL-P${run}`, lineId: '1', sku: 'SKU-1001', location: 'A-01-01', qty: 6 },
          { pickListId: `PL-P${run}`, lineId: '2', sku: 'SKU-1007', location: 'B-01-01', qty: 6 },
        ];
        await insertPickLists(app.db, [{ id: `PL-P${run}`, orderRef: `SO-P${run}`, assignedTo: null, lines }]);
        master.lines.push(...lines);
        const ctx: BuildCtx = { run, picks: [], shorts: [] };
        const runs = await Promise.all(
          devices.map(async () => {
            const dev = new DeviceEvents(nextDevice++);
            const token = await api.signIn('picker', dev.id);
            await api.signIn('receiver', dev.id);
            await api.signIn('supervisor', dev.id);
            return { dev, token, acked: 0, events: [] as ReturnType<DeviceEvents['next']>[] };
          }),
        );
        devices.forEach((drafts, i) => {
          const r = runs[i];
          if (!r) return;
          for (const x of drafts) {
            const e = r.dev.next(x.type as 'pick.held', x.payload(ctx), x.actor);
            fixed.set(e.id, x.fixed);
            if (x.type === 'pick.held' && x.fixed === 'planned') ctx.picks.push({ id: e.id, sku: String(e.payload.sku), location: String(e.payload.location) });
            if (x.type === 'pick.short')
              ctx.shorts.push({ id: e.id, lineId: String(e.payload.lineId), sku: String(e.payload.sku), location: String(e.payload.location) });
            r.events.push(e);
          }
        });
        const deliver = async (r: (typeof runs)[number], batch: unknown[], lose: boolean) => {
          if (batch.length === 0) return;
          const res = await api.push(r.dev.id, r.token, batch);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          if (!lose) r.acked = Math.max(r.acked, res.body.ackedSeq);
        };
        const sendStep = (s: Step) => {
          const r = runs[s.device % runs.length];
          if (!r) return Promise.resolve();
          const start = s.kind === 'next' ? r.acked : s.kind === 'dup' ? s.offset % (r.acked + 1) : r.acked + 1 + (s.offset % 3);
          return deliver(r, r.events.slice(start, start + s.size), s.lose);
        };
        if (name === 'pglite') {
          // Rounds of concurrent deliveries: PGlite commits them one at a time.
          for (let i = 0; i < steps.length; i += runs.length) await Promise.all(steps.slice(i, i + runs.length).map(sendStep));
        } else {
          for (const s of steps) await sendStep(s);
        }
        for (const r of runs) {
          for (let guard = 0; r.acked < r.events.length; guard++) {
            expect(guard).toBeLessThan(50);
            await deliver(r, r.events.slice(r.acked, r.acked + 5), false);
          }
        }

        const ledger = await wholeLedger();
        for (const r of runs) {
          const mine = ledger.filter((e) => e.deviceId === r.dev.id);
          expect(mine.map((e) => e.seq)).toEqual(r.events.map((e) => e.seq));
          expect(mine.map((e) => e.id)).toEqual(r.events.map((e) => e.id));
        }

        const model = new BucketModel(master);
        for (const e of ledger) {
          if (e.type === 'stock.opening_balance') {
            const p = e.payload as { sku: string; location: string; available: number };
            model.opening(p.sku, p.location, p.available);
            continue;
          }
          // The demo's master data (catalog, bins, users) came through the import: it moves no stock.
          if (e.type === 'masterdata.changed') continue;
          const must = fixed.get(e.id);
          if (must === undefined) throw new Error(`the ledger holds an event nobody sent: ${e.id}`);
          if (must !== 'planned') {
            expect([e.status, e.code], `${e.type} ${JSON.stringify(e.payload)}`).toEqual(['rejected', must]);
            continue;
          }
          const decision = model.step(e);
          expect(e.status === 'applied' ? 'applied' : e.code, `position ${e.position}: ${e.type} by ${e.actor} ${JSON.stringify(e.payload)}`).toBe(decision);
        }
        const rows = (await api.get<{ rows: StockRow[] }>('/api/v1/stock', sup)).body.rows;
        const server = new Map(
          rows.map((r) => [
            `${r.sku} ${r.location}`,
            { available: r.available, committed: r.committed, qc: r.qc, quarantine: r.quarantine, suspect: r.suspect },
          ]),
        );
        const zero = { available: 0, committed: 0, qc: 0, quarantine: 0, suspect: 0 };
        for (const k of new Set([...server.keys(), ...model.rows.keys()])) expect(server.get(k) ?? zero, k).toEqual(model.rows.get(k) ?? zero);
        for (const r of rows)
          expect(
            Object.values(r).filter((v) => typeof v === 'number' && v < 0),
            `${r.sku} ${r.location}`,
          ).toEqual([]);
        const tasks = (await api.get<{ countTasks: { id: string; status: string }[] }>('/api/v1/count-tasks', sup)).body.countTasks;
        expect(new Map(tasks.map((t) => [t.id, t.status]))).toEqual(new Map([...model.tasks].map(([id, t]) => [id, t.status])));
        expect(await replayMismatches(app.db)).toEqual([]);
      }),
      { seed: 20_261_123, numRuns: name === 'pglite' ? 25 : 10 },
    );
  });
});
