/**
 * The truth cannot be forged, over HTTP: every way the issue found to create stock from
 * nothing, and every way a count taken while picks go on lost or invented units, is tried.
 * Each case asserts what must not happen (no units created, nothing posted by itself), what
 * must (a rejection with its code, or a claim in the discrepancies), that the device keeps
 * delivering, and, at the end, that a replay of the ledger equals the stock table. On
 * PostgreSQL, two API processes race the first receipt of new SKU rows against their release.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, deviceId, openBackend, pickHeld, pickLine, startApp, type Backend, type Client } from '../fixtures/server-app.ts';
import { describeIfAvailable, POSTGRES_MISSING } from '../fixtures/needs.ts';
import type { App } from '../../src/server/app.ts';
import { BUCKET_CAP } from '../../src/domain/stock.ts';
import { MAX_QTY } from '../../src/domain/ids.ts';
import { insertCatalog } from '../../src/server/storage/index.ts';
import { replayMismatches } from '../../src/server/replay.ts';

type Outcome = { ackedSeq: number; rejected: { seq: number; code: string; message: string }[] };
type Held = {
  id: string;
  status: string;
  held?: {
    actor: string;
    lines: { sku: string; expected: number; counted: number; variance: number }[];
    movements: { type: string; actor: string; sku: string; qty: number }[];
    previous?: { actor: string };
  };
};

describe.each(BACKEND_NAMES)('stock cannot be created from nothing, on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let sup: string;
  let n = 500;

  /** A handheld with these users signed in; `send` pushes and asserts a 200 that acknowledges everything sent. */
  const handheld = async (...users: string[]) => {
    n += 1;
    const dev = new DeviceEvents(n, users[0]);
    const tokens = await Promise.all(users.map((u) => api.signIn(u, dev.id)));
    const token = tokens[0] as string;
    const send = async (...events: ReturnType<DeviceEvents['next']>[]): Promise<Outcome> => {
      const res = await api.push(dev.id, token, events);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.ackedSeq).toBe(events.at(-1)?.seq);
      return res.body;
    };
    return { dev, token, send };
  };
  const codes = (o: Outcome) => o.rejected.map((r) => r.code);
  const stock = (sku: string, location: string) => api.stock(sup, sku, location);
  const tasks = async () => (await api.get<{ countTasks: Held[] }>('/api/v1/count-tasks', sup)).body.countTasks;
  const discrepancy = async (eventId: string) =>
    (await api.get<{ discrepancies: { eventId: string; kind: string; claimed: number }[] }>('/api/v1/discrepancies', sup)).body.discrepancies.find(
      (d) => d.eventId === eventId,
    );

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend, { rateLimit: false }));
    sup = await api.signIn('supervisor', deviceId(9990));
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('the demo count: A-01-01 holds 40, a count starts, 2 are picked, the counter finds 38: never posted wrong, 40 on hand after approval', async () => {
    expect(await stock('SKU-1001', 'A-01-01')).toMatchObject({ available: 40, committed: 0, onHand: 40 });
    const counter = await handheld('receiver');
    const picker = await handheld('picker');
    const boss = await handheld('supervisor');
    await counter.send(counter.dev.next('count.started', { countTaskId: 'CT-DEMO', location: 'A-01-01' }));
    await picker.send(picker.dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 2, 'PL-0001', '1')));
    await counter.send(counter.dev.next('count.recorded', { countTaskId: 'CT-DEMO', location: 'A-01-01', lines: [{ sku: 'SKU-1001', qty: 38 }] }));
    // Nothing posted by itself: not 36 available, not 38 on hand.
    expect(await stock('SKU-1001', 'A-01-01')).toMatchObject({ available: 38, committed: 2, onHand: 40 });
    const task = (await tasks()).find((t) => t.id === 'CT-DEMO');
    expect(task?.status).toBe('awaiting_approval');
    expect(task?.held?.lines).toEqual([{ sku: 'SKU-1001', expected: 38, counted: 38, variance: 0 }]);
    expect(task?.held?.movements).toEqual([expect.objectContaining({ type: 'pick.held', actor: 'picker', sku: 'SKU-1001', qty: 2 })]);
    await boss.send(boss.dev.next('count.approved', { countTaskId: 'CT-DEMO', approve: true }));
    expect(await stock('SKU-1001', 'A-01-01')).toMatchObject({ available: 38, committed: 2, suspect: 0, onHand: 40 });
    // Approved once: a second decision is refused and changes nothing.
    expect(codes(await boss.send(boss.dev.next('count.approved', { countTaskId: 'CT-DEMO', approve: true })))).toEqual(['not_awaiting_approval']);
    expect(await stock('SKU-1001', 'A-01-01')).toMatchObject({ available: 38, committed: 2, onHand: 40 });
    // The bin's ledger lists the count's start (after the bin's creation by the demo's bin-map import).
    const behind = (await api.get<{ events: { type: string }[] }>('/api/v1/ledger?location=A-01-01&limit=1000', sup)).body.events.map((e) => e.type);
    expect(behind).toEqual(['masterdata.changed', 'stock.opening_balance', 'count.started', 'pick.held', 'count.recorded', 'count.approved']);
  });

  it('an offline count that reaches the API after a later pick does not invent units: it waits, with the pick beside it', async () => {
    const line = await pickLine(app.db, 'SKU-1002', 'A-01-02', 10);
    const before = await stock('SKU-1002', 'A-01-02');
    const counter = await handheld('receiver');
    const picker = await handheld('picker');
    await counter.send(counter.dev.next('count.started', { countTaskId: 'CT-OFF', location: 'A-01-02' }));
    // The counter counts everything while offline; a pick reaches the API before the count does.
    const count = counter.dev.next('count.recorded', { countTaskId: 'CT-OFF', location: 'A-01-02', lines: [{ sku: 'SKU-1002', qty: before.available }] });
    await picker.send(picker.dev.next('pick.held', pickHeld('SKU-1002', 'A-01-02', 1, line.pickListId, line.lineId)));
    await counter.send(count);
    expect(await stock('SKU-1002', 'A-01-02')).toMatchObject({ available: before.available - 1, committed: before.committed + 1, onHand: before.onHand });
    const task = (await tasks()).find((t) => t.id === 'CT-OFF');
    expect(task?.status).toBe('awaiting_approval');
    expect(task?.held?.lines).toEqual([{ sku: 'SKU-1002', expected: before.available - 1, counted: before.available, variance: 1 }]);
    expect(task?.held?.movements).toEqual([expect.objectContaining({ type: 'pick.held', actor: 'picker', qty: 1 })]);
    // The supervisor sees why and asks for a recount: nothing is posted.
    const boss = await handheld('supervisor');
    await boss.send(boss.dev.next('count.approved', { countTaskId: 'CT-OFF', approve: false }));
    expect(await stock('SKU-1002', 'A-01-02')).toMatchObject({ available: before.available - 1, onHand: before.onHand });
    expect((await tasks()).find((t) => t.id === 'CT-OFF')?.status).toBe('open');
  });

  it('the same count sent again never posts twice; a second counter who disagrees goes to a supervisor', async () => {
    const first = await handheld('receiver');
    const second = await handheld('picker');
    const before = await stock('SKU-1006', 'B-01-02');
    await first.send(first.dev.next('count.started', { countTaskId: 'CT-TWICE', location: 'B-01-02' }));
    const lines = [
      { sku: 'SKU-1006', qty: before.available - 2 },
      { sku: 'SKU-1001', qty: 10 },
    ];
    await first.send(first.dev.next('count.recorded', { countTaskId: 'CT-TWICE', location: 'B-01-02', lines }));
    expect((await stock('SKU-1006', 'B-01-02')).available).toBe(before.available - 2);
    const again = await first.send(first.dev.next('count.recorded', { countTaskId: 'CT-TWICE', location: 'B-01-02', lines }));
    expect(codes(again)).toEqual(['task_closed']);
    expect((await stock('SKU-1006', 'B-01-02')).available).toBe(before.available - 2);

    // A big variance is held; another counter's recount that disagrees does not post what it says.
    await first.send(
      first.dev.next('count.started', { countTaskId: 'CT-SECOND', location: 'B-01-02' }),
      first.dev.next('count.recorded', {
        countTaskId: 'CT-SECOND',
        location: 'B-01-02',
        lines: [
          { sku: 'SKU-1006', qty: 5 },
          { sku: 'SKU-1001', qty: 10 },
        ],
      }),
    );
    await second.send(
      second.dev.next('count.started', { countTaskId: 'CT-SECOND', location: 'B-01-02' }),
      second.dev.next('count.recorded', {
        countTaskId: 'CT-SECOND',
        location: 'B-01-02',
        lines: [
          { sku: 'SKU-1006', qty: 999 },
          { sku: 'SKU-1001', qty: 10 },
        ],
      }),
    );
    expect((await stock('SKU-1006', 'B-01-02')).available).toBe(before.available - 2);
    const task = (await tasks()).find((t) => t.id === 'CT-SECOND');
    expect(task).toMatchObject({ status: 'awaiting_approval', held: { actor: 'picker', previous: { actor: 'receiver' } } });
  });

  it('undoing the same pick twice, or a pick that never happened, gives back nothing more', async () => {
    const line = await pickLine(app.db, 'SKU-1003', 'A-02-01', 10);
    const picker = await handheld('picker');
    const before = await stock('SKU-1003', 'A-02-01');
    const held = picker.dev.next('pick.held', pickHeld('SKU-1003', 'A-02-01', 3, line.pickListId, line.lineId));
    const undo = (qty: number, corrects: string = held.id) => picker.dev.next('pick.undone', { corrects, sku: 'SKU-1003', location: 'A-02-01', qty });
    const out = await picker.send(
      held,
      undo(3),
      undo(3),
      undo(1, '0190a0b1-dead-7000-8000-000000000001'),
      picker.dev.next('pick.undone', { corrects: held.id, sku: 'SKU-1001', location: 'A-01-01', qty: 1 }),
    );
    expect(codes(out)).toEqual(['exceeds_reference', 'unknown_pick', 'reference_mismatch']);
    expect(out.rejected.map((r) => r.seq)).toEqual([held.seq + 2, held.seq + 3, held.seq + 4]);
    expect(await stock('SKU-1003', 'A-02-01')).toEqual(before);
  });

  it('releasing from an empty QC area moves nothing and records the claim', async () => {
    const receiver = await handheld('receiver');
    const before = await stock('SKU-1005', 'A-01-01');
    const release = receiver.dev.next('qc.released', { sku: 'SKU-1005', from: 'DOCK-1', to: 'A-01-01', qty: 100_000 });
    expect(codes(await receiver.send(release, receiver.dev.next('qc.released', { sku: 'SKU-1005', from: 'DOCK-1', to: 'A-01-01', qty: 100_000 })))).toEqual([]);
    expect(await stock('SKU-1005', 'A-01-01')).toMatchObject({ available: before.available, onHand: before.onHand });
    expect(await discrepancy(release.id)).toMatchObject({ kind: 'release_exceeds_qc', claimed: 100_000 });
    // Receive 5, release 5 twice: 5 arrive in the bin, once.
    await receiver.send(
      receiver.dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1005', location: 'DOCK-1', qty: 5 }),
      receiver.dev.next('qc.released', { sku: 'SKU-1005', from: 'DOCK-1', to: 'A-01-01', qty: 5 }),
      receiver.dev.next('qc.released', { sku: 'SKU-1005', from: 'DOCK-1', to: 'A-01-01', qty: 5 }),
    );
    expect((await stock('SKU-1005', 'A-01-01')).available).toBe(before.available + 5);
    expect((await stock('SKU-1005', 'DOCK-1')).qc).toBe(0);
  });

  it('a return is decided once, for at most what is open, from where it lies; an unknown return is refused', async () => {
    const clerk = await handheld('returns');
    const boss = await handheld('supervisor');
    const bin = await stock('SKU-1004', 'A-02-02');
    await clerk.send(clerk.dev.next('return.quarantined', { returnId: 'RMA-ADV', sku: 'SKU-1004', location: 'RET-1', qty: 2, condition: 'sealed' }));
    const again = await clerk.send(
      clerk.dev.next('return.quarantined', { returnId: 'RMA-ADV', sku: 'SKU-1004', location: 'RET-1', qty: 2, condition: 'sealed' }),
    );
    expect(codes(again)).toEqual(['duplicate_return']);
    const resale = (qty: number, returnId = 'RMA-ADV', from = 'RET-1') =>
      boss.dev.next('return.resolved', { returnId, decision: 'resale', sku: 'SKU-1004', from, to: 'A-02-02', qty });
    const out = await boss.send(
      resale(3),
      resale(1, 'RMA-NOPE'),
      resale(1, 'RMA-ADV', 'DOCK-1'),
      resale(2),
      resale(2),
      boss.dev.next('return.resolved', { returnId: 'RMA-ADV', decision: 'write_off', sku: 'SKU-1004', from: 'RET-1', qty: 1, reason: 'again' }),
    );
    expect(codes(out)).toEqual(['exceeds_reference', 'unknown_return', 'reference_mismatch', 'exceeds_reference', 'exceeds_reference']);
    expect((await stock('SKU-1004', 'A-02-02')).available).toBe(bin.available + 2);
    expect((await stock('SKU-1004', 'RET-1')).quarantine).toBe(0);
    // A return in a bin is not where returns lie; the returns area is.
    expect(
      codes(await clerk.send(clerk.dev.next('return.quarantined', { returnId: 'RMA-BIN', sku: 'SKU-1004', location: 'A-02-02', qty: 1, condition: 'sealed' }))),
    ).toEqual(['wrong_location_kind']);
  });

  it('a short is at most what the line still wants; a pick names a real line of its SKU and bin', async () => {
    const line = await pickLine(app.db, 'SKU-1008', 'A-02-02', 1);
    const picker = await handheld('picker');
    const before = await stock('SKU-1007', 'B-01-01');
    const out = await picker.send(
      picker.dev.next('pick.short', {
        pickListId: line.pickListId,
        lineId: line.lineId,
        sku: 'SKU-1008',
        location: 'A-02-02',
        missingQty: 100_000,
        countTaskId: 'CT-HUGE',
      }),
      picker.dev.next('pick.short', { pickListId: 'PL-0001', lineId: '3', sku: 'SKU-1007', location: 'B-01-01', missingQty: 100_000, countTaskId: 'CT-HUGE' }),
      picker.dev.next('pick.held', pickHeld('SKU-1007', 'B-01-01', 1, 'PL-NOPE', '1')),
      picker.dev.next('pick.held', pickHeld('SKU-1007', 'B-01-01', 1, line.pickListId, line.lineId)),
      picker.dev.next('pick.held', pickHeld('SKU-1007', 'B-01-01', 6, 'PL-0001', '3')),
    );
    expect(codes(out)).toEqual(['exceeds_reference', 'exceeds_reference', 'unknown_pick_line', 'reference_mismatch', 'exceeds_reference']);
    expect(await stock('SKU-1007', 'B-01-01')).toEqual(before);
    expect((await tasks()).find((t) => t.id === 'CT-HUGE')).toBeUndefined();
  });

  it('unknown SKUs and places are refused and make no phantom rows; a receipt must exist and land at a dock', async () => {
    const receiver = await handheld('receiver');
    const out = await receiver.send(
      receiver.dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-PHANTOM', location: 'DOCK-1', qty: 5 }),
      receiver.dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1001', location: 'NOWHERE-1', qty: 5 }),
      receiver.dev.next('qc.released', { sku: 'SKU-1001', from: 'DOCK-1', to: 'NOWHERE-2', qty: 5 }),
      receiver.dev.next('count.started', { countTaskId: 'CT-NOWHERE', location: 'NOWHERE-3' }),
      receiver.dev.next('receipt.received', { receiptId: 'RCV-NOPE', sku: 'SKU-1001', location: 'DOCK-1', qty: 5 }),
      receiver.dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1001', location: 'A-01-01', qty: 5 }),
    );
    expect(codes(out)).toEqual(['unknown_sku', 'unknown_location', 'unknown_location', 'unknown_location', 'unknown_receipt', 'wrong_location_kind']);
    const rows = (await api.get<{ rows: { sku: string; location: string }[] }>('/api/v1/stock', sup)).body.rows;
    expect(rows.filter((r) => r.sku === 'SKU-PHANTOM' || r.location.startsWith('NOWHERE'))).toEqual([]);
  });

  it('no event can overflow a bucket; another device keeps using the row', async () => {
    const receiver = await handheld('receiver');
    const other = await handheld('receiver');
    const start = (await stock('SKU-1003', 'DOCK-1')).qc;
    const fill = BUCKET_CAP - start;
    const batches = Math.ceil(fill / MAX_QTY / 500);
    let left = fill;
    for (let b = 0; b < batches; b++) {
      const events = [];
      for (let i = 0; i < 500 && left > 0; i++) {
        const q = Math.min(MAX_QTY, left);
        left -= q;
        events.push(receiver.dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1003', location: 'DOCK-1', qty: q }));
      }
      expect(codes(await receiver.send(...events))).toEqual([]);
    }
    expect((await stock('SKU-1003', 'DOCK-1')).qc).toBe(BUCKET_CAP);
    const over = await receiver.send(receiver.dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1003', location: 'DOCK-1', qty: 1 }));
    expect(codes(over)).toEqual(['limit_exceeded']);
    expect((await stock('SKU-1003', 'DOCK-1')).qc).toBe(BUCKET_CAP);
    // The row is not poisoned: another device's release is applied (never a 500), and the receiver goes on.
    expect(codes(await other.send(other.dev.next('qc.released', { sku: 'SKU-1003', from: 'DOCK-1', to: 'A-02-01', qty: 5 })))).toEqual([]);
    expect(codes(await receiver.send(receiver.dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1003', location: 'DOCK-1', qty: 5 })))).toEqual(
      [],
    );
    expect((await stock('SKU-1003', 'DOCK-1')).qc).toBe(BUCKET_CAP);
  });

  it('afterwards every device still delivers, and a replay of the ledger equals the stock table', async () => {
    const receiver = await handheld('receiver');
    expect(codes(await receiver.send(receiver.dev.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1004', location: 'DOCK-1', qty: 1 })))).toEqual(
      [],
    );
    expect(await replayMismatches(app.db)).toEqual([]);
  });
});

describeIfAvailable(POSTGRES_MISSING, 'two API processes on one PostgreSQL', () => {
  it('the first receipt of a new SKU row racing its QC release counts the units once, and replay agrees', async () => {
    const backend = await openBackend('postgres');
    const [a, b] = await Promise.all([startApp(backend, { rateLimit: false }), startApp(backend, { rateLimit: false })]);
    try {
      const skus = Array.from({ length: 40 }, (_, i) => `SKU-R${String(i).padStart(2, '0')}`);
      await insertCatalog(
        a.app.db,
        skus.map((sku, i) => ({ sku, gtin: String(90_000_000_000_000 + i).padStart(14, '0'), name: sku })),
      );
      const rx = new DeviceEvents(601, 'receiver');
      const qc = new DeviceEvents(602, 'receiver');
      const [rxToken, qcToken] = await Promise.all([a.client.signIn('receiver', rx.id), b.client.signIn('receiver', qc.id)]);
      const sup = await a.client.signIn('supervisor', deviceId(603));
      for (const sku of skus) {
        const [r1, r2] = await Promise.all([
          a.client.push(rx.id, rxToken, [rx.next('receipt.received', { receiptId: 'RCV-0001', sku, location: 'DOCK-1', qty: 5 })]),
          b.client.push(qc.id, qcToken, [qc.next('qc.released', { sku, from: 'DOCK-1', to: 'A-01-01', qty: 5 })]),
        ]);
        expect([r1.status, r2.status]).toEqual([200, 200]);
      }
      for (const sku of skus) {
        const dock = await a.client.stock(sup, sku, 'DOCK-1');
        const bin = await a.client.stock(sup, sku, 'A-01-01');
        // Either the release saw the receipt (0 in QC, 5 in the bin) or it came first (5 in QC, none in the bin): never both.
        expect([dock.qc, bin.available], sku).toContainEqual(dock.qc === 0 ? 0 : 5);
        expect(dock.qc + bin.available, sku).toBe(5);
      }
      expect(await replayMismatches(a.app.db)).toEqual([]);
    } finally {
      await a.app.close();
      await b.app.close();
      await backend.dispose();
    }
  });
});
