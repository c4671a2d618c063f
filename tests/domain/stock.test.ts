import { describe, expect, it } from 'vitest';
import { parseEvent, makeEvent, type PayloadOf, type EventType } from '../../src/domain/events.ts';
import { BUCKET_CAP, MemoryCentral, decideEvent, atp, onHand, type World } from '../../src/domain/stock.ts';
import { asLocation, asSku, asTask, type Sku, type LocationId } from '../../src/domain/ids.ts';

const DEVICE = '0190a0b0-0000-7000-8000-000000000001';
let n = 0;
function ev<T extends EventType>(type: T, payload: PayloadOf<T>, actor = 'picker') {
  n += 1;
  const id = `0190a0b0-0000-7000-8000-${String(n).padStart(12, '0')}`;
  return makeEvent(type, payload, { id, deviceId: DEVICE, seq: n, occurredAt: '2026-11-23T10:00:00Z', actor, session: 'session-test-1' });
}
const sku = asSku('SKU-1');
const bin = asLocation('A-01-01');
const dock = asLocation('DOCK-1');
const ret = asLocation('RET-1');
const KINDS: Record<string, 'bin' | 'dock' | 'returns'> = { 'A-01-01': 'bin', 'A-01-02': 'bin', 'DOCK-1': 'dock', 'RET-1': 'returns' };
const world: World = {
  skuKnown: (s) => s === 'SKU-1' || s === 'SKU-2',
  locationKind: (l) => KINDS[l],
  receiptKnown: (r) => r === 'R-1',
};

function central(seed: [Sku, LocationId, number][] = [], lineQty = 100) {
  const c = new MemoryCentral();
  for (const [s, l, q] of seed) c.credit(s, l, 'available', q);
  c.addPickLine({ pickListId: 'PL-1', lineId: '1', sku: 'SKU-1', location: 'A-01-01', qty: lineQty, picked: 0, short: 0 });
  return c;
}
function run(c: MemoryCentral, e: ReturnType<typeof ev>) {
  const parsed = parseEvent(e);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  const decided = decideEvent(parsed.event, c, world);
  if (!decided.ok) return { refusal: decided.refusal, effect: undefined };
  c.apply(decided.effect);
  return { refusal: undefined, effect: decided.effect };
}
const held = (qty: number) => ev('pick.held', { pickListId: asTask('PL-1'), lineId: '1', sku, location: bin, tote: 'T-1' as never, qty: qty as never });

describe('stock rules', () => {
  it('pick.held moves available to committed at the scan', () => {
    const c = central([[sku, bin, 10]]);
    run(c, held(3));
    expect(c.buckets(sku, bin)).toMatchObject({ available: 7, committed: 3 });
    expect(atp(c.buckets(sku, bin))).toBe(7);
    expect(c.pickLine('PL-1', '1')?.picked).toBe(3);
  });

  it('a pick beyond the figures commits only what was available; the rest is a claim, not units', () => {
    const c = central([[sku, bin, 1]]);
    const { effect } = run(c, held(3));
    expect(c.buckets(sku, bin)).toMatchObject({ available: 0, committed: 1 });
    expect(effect?.discrepancies[0]).toMatchObject({ kind: 'pick_exceeds_available', expected: 1, reported: 3, claimed: 2 });
    expect(effect?.countTasks).toHaveLength(1);
  });

  it('an undo names a real pick, once, for at most what it held; it gives back only what the pick took', () => {
    const c = central([[sku, bin, 2]]);
    const pick = held(5);
    run(c, pick);
    expect(c.buckets(sku, bin)).toMatchObject({ available: 0, committed: 2 });
    const undo = (qty: number, corrects: string = pick.id) => ev('pick.undone', { corrects: corrects as never, sku, location: bin, qty: qty as never });
    const first = run(c, undo(4));
    expect(first.effect?.discrepancies[0]).toMatchObject({ kind: 'undo_exceeds_committed', claimed: 2 });
    expect(c.buckets(sku, bin)).toMatchObject({ available: 2, committed: 0 });
    expect(run(c, undo(2)).refusal?.code).toBe('exceeds_reference');
    expect(run(c, undo(1, '0190a0b0-0000-7000-8000-0000000fffff')).refusal?.code).toBe('unknown_pick');
    run(c, undo(1));
    expect(run(c, undo(1)).refusal?.code).toBe('exceeds_reference');
    expect(c.buckets(sku, bin)).toMatchObject({ available: 2, committed: 0 });
  });

  it('a pick names an open line of its SKU and bin, for at most what the line still wants', () => {
    const c = central([[sku, bin, 50]], 3);
    expect(run(c, ev('pick.held', { pickListId: asTask('PL-9'), lineId: '1', sku, location: bin, tote: 'T-1' as never, qty: 1 as never })).refusal?.code).toBe(
      'unknown_pick_line',
    );
    expect(
      run(c, ev('pick.held', { pickListId: asTask('PL-1'), lineId: '1', sku: asSku('SKU-2'), location: bin, tote: 'T-1' as never, qty: 1 as never })).refusal
        ?.code,
    ).toBe('reference_mismatch');
    expect(run(c, held(4)).refusal?.code).toBe('exceeds_reference');
    run(c, held(2));
    const short = (q: number) =>
      ev('pick.short', { pickListId: asTask('PL-1'), lineId: '1', sku, location: bin, missingQty: q as never, countTaskId: asTask('CT-S') });
    expect(run(c, short(100_000)).refusal?.code).toBe('exceeds_reference');
    expect(c.buckets(sku, bin)).toMatchObject({ available: 48, suspect: 0 });
    run(c, short(1));
    expect(c.buckets(sku, bin)).toMatchObject({ available: 47, suspect: 1 });
  });

  it('receipts land in qc at a dock; a release takes only what QC holds', () => {
    const c = central();
    expect(run(c, ev('receipt.received', { receiptId: asTask('R-404'), sku, location: dock, qty: 12 as never }, 'receiver')).refusal?.code).toBe(
      'unknown_receipt',
    );
    expect(run(c, ev('receipt.received', { receiptId: asTask('R-1'), sku, location: bin, qty: 12 as never }, 'receiver')).refusal?.code).toBe(
      'wrong_location_kind',
    );
    run(c, ev('receipt.received', { receiptId: asTask('R-1'), sku, location: dock, qty: 12 as never }, 'receiver'));
    expect(atp(c.buckets(sku, dock))).toBe(0);
    run(c, ev('qc.released', { sku, from: dock, to: bin, qty: 12 as never }, 'receiver'));
    const again = run(c, ev('qc.released', { sku, from: dock, to: bin, qty: 12 as never }, 'receiver'));
    expect(again.effect?.discrepancies[0]).toMatchObject({ kind: 'release_exceeds_qc', claimed: 12 });
    expect(c.buckets(sku, dock).qc).toBe(0);
    expect(c.buckets(sku, bin).available).toBe(12);
  });

  it('returns stay in quarantine until resolved, once, for at most their open quantity, from where they lie', () => {
    const c = central();
    run(c, ev('return.quarantined', { returnId: asTask('RMA-1'), sku, location: ret, qty: 2 as never, condition: 'damaged' }, 'receiver'));
    expect(
      run(c, ev('return.quarantined', { returnId: asTask('RMA-1'), sku, location: ret, qty: 2 as never, condition: 'damaged' }, 'receiver')).refusal?.code,
    ).toBe('duplicate_return');
    expect(atp(c.buckets(sku, ret))).toBe(0);
    const resolve = (qty: number, returnId = 'RMA-1') =>
      ev('return.resolved', { returnId: asTask(returnId), decision: 'resale', sku, from: ret, to: bin, qty: qty as never }, 'supervisor');
    expect(run(c, resolve(3)).refusal?.code).toBe('exceeds_reference');
    expect(run(c, resolve(1, 'RMA-404')).refusal?.code).toBe('unknown_return');
    run(c, ev('return.resolved', { returnId: asTask('RMA-1'), decision: 'write_off', sku, from: ret, qty: 1 as never, reason: 'crushed' }, 'supervisor'));
    run(c, resolve(1));
    expect(run(c, resolve(1)).refusal?.code).toBe('exceeds_reference');
    expect(onHand(c.buckets(sku, ret))).toBe(0);
    expect(c.buckets(sku, bin).available).toBe(1);
  });

  it('the demo count: A-01-01 holds 40, a count starts, 2 are picked, the counter finds 38: held, then 40 on hand with 38 available', () => {
    const c = central([[sku, bin, 40]]);
    run(c, ev('count.started', { countTaskId: asTask('CT-2'), location: bin }));
    run(c, held(2));
    const { effect } = run(c, ev('count.recorded', { countTaskId: asTask('CT-2'), location: bin, lines: [{ sku, qty: 38 as never }] }, 'receiver'));
    const task = effect?.countTasks[0];
    expect(task?.status).toBe('awaiting_approval');
    expect(task?.held?.lines).toEqual([{ sku, expected: 38, counted: 38, variance: 0 }]);
    expect(task?.held?.movements).toEqual([expect.objectContaining({ type: 'pick.held', actor: 'picker', sku, qty: 2 })]);
    expect(c.buckets(sku, bin)).toMatchObject({ available: 38, committed: 2 });
    run(c, ev('count.approved', { countTaskId: asTask('CT-2'), approve: true }, 'supervisor'));
    expect(c.buckets(sku, bin)).toMatchObject({ available: 38, committed: 2, suspect: 0 });
    expect(onHand(c.buckets(sku, bin))).toBe(40);
    expect(run(c, ev('count.approved', { countTaskId: asTask('CT-2'), approve: true }, 'supervisor')).refusal?.code).toBe('not_awaiting_approval');
  });

  it('a count with nothing moving posts within tolerance, once', () => {
    const c = central([[sku, bin, 50]]);
    run(c, ev('count.started', { countTaskId: asTask('CT-4'), location: bin }));
    const rec = () => ev('count.recorded', { countTaskId: asTask('CT-4'), location: bin, lines: [{ sku, qty: 48 as never }] });
    expect(run(c, rec()).effect?.countTasks[0]?.status).toBe('posted');
    expect(c.buckets(sku, bin).available).toBe(48);
    expect(run(c, rec()).refusal?.code).toBe('task_closed');
    expect(c.buckets(sku, bin).available).toBe(48);
  });

  it('a large variance waits; a second counter who disagrees goes to the supervisor, one who agrees posts', () => {
    const c = central([[sku, bin, 50]]);
    run(c, ev('count.started', { countTaskId: asTask('CT-3'), location: bin }));
    expect(
      run(c, ev('count.recorded', { countTaskId: asTask('CT-3'), location: bin, lines: [{ sku, qty: 20 as never }] }, 'picker')).effect?.countTasks[0]?.status,
    ).toBe('awaiting_approval');
    const second = run(c, ev('count.recorded', { countTaskId: asTask('CT-3'), location: bin, lines: [{ sku, qty: 49 as never }] }, 'receiver'));
    expect(second.effect?.countTasks[0]).toMatchObject({ status: 'awaiting_approval', held: { actor: 'receiver', previous: { actor: 'picker' } } });
    expect(c.buckets(sku, bin).available).toBe(50);
    const third = run(c, ev('count.recorded', { countTaskId: asTask('CT-3'), location: bin, lines: [{ sku, qty: 48 as never }] }, 'supervisor'));
    expect(third.effect?.countTasks[0]?.status).toBe('posted');
    expect(c.buckets(sku, bin).available).toBe(48);
  });

  it('refuses unknown SKUs and places, and any bucket beyond the cap', () => {
    const c = central();
    expect(run(c, ev('receipt.received', { receiptId: asTask('R-1'), sku: asSku('SKU-404'), location: dock, qty: 1 as never }, 'receiver')).refusal?.code).toBe(
      'unknown_sku',
    );
    expect(run(c, ev('count.started', { countTaskId: asTask('CT-9'), location: asLocation('Z-9') })).refusal?.code).toBe('unknown_location');
    c.credit(sku, dock, 'qc', BUCKET_CAP - 1);
    expect(run(c, ev('receipt.received', { receiptId: asTask('R-1'), sku, location: dock, qty: 2 as never }, 'receiver')).refusal?.code).toBe('limit_exceeded');
    expect(c.buckets(sku, dock).qc).toBe(BUCKET_CAP - 1);
  });

  it('rejects unknown types and invalid payloads with the field named', () => {
    const good = held(1);
    const bad = parseEvent({ ...good, payload: { ...good.payload, qty: 0 } });
    expect(bad).toEqual({ ok: false, problem: { code: 'invalid_payload', message: 'payload.qty: qty must be at least 1' } });
    const unknown = parseEvent({ ...ev('count.started', { countTaskId: asTask('X'), location: bin }), type: 'pick.teleported' });
    expect(unknown.ok).toBe(false);
  });
});
