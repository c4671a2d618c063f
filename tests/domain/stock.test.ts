import { describe, expect, it } from 'vitest';
import { parseEvent, makeEvent, type PayloadOf, type EventType } from '../../src/domain/events.ts';
import { MemoryCentral, planEvent, atp, onHand } from '../../src/domain/stock.ts';
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

function central(seed: [Sku, LocationId, number][] = []) {
  const c = new MemoryCentral();
  for (const [s, l, q] of seed) c.apply({ moves: [{ sku: s, location: l, bucket: 'available', delta: q }], discrepancies: [], countTasks: [] });
  return c;
}
function run(c: MemoryCentral, e: ReturnType<typeof ev>) {
  const parsed = parseEvent(e);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  const effect = planEvent(parsed.event, c);
  c.apply(effect);
  return effect;
}

describe('stock rules', () => {
  it('pick.held moves available to committed at the scan', () => {
    const c = central([[sku, bin, 10]]);
    run(c, ev('pick.held', { pickListId: asTask('PL-1'), lineId: '1', sku, location: bin, tote: 'T-1' as never, qty: 3 as never }));
    expect(c.buckets(sku, bin)).toMatchObject({ available: 7, committed: 3 });
    expect(atp(c.buckets(sku, bin))).toBe(7);
  });

  it('a pick beyond the figures is applied, clamped, and raises a discrepancy and a count task', () => {
    const c = central([[sku, bin, 1]]);
    const effect = run(c, ev('pick.held', { pickListId: asTask('PL-1'), lineId: '1', sku, location: bin, tote: 'T-1' as never, qty: 3 as never }));
    expect(c.buckets(sku, bin)).toMatchObject({ available: 0, committed: 3 });
    expect(effect.discrepancies[0]?.kind).toBe('pick_exceeds_available');
    expect(effect.countTasks).toHaveLength(1);
  });

  it('a short pick makes the missing units suspect and raises the named count task', () => {
    const c = central([[sku, bin, 5]]);
    const effect = run(c, ev('pick.short', { pickListId: asTask('PL-1'), lineId: '1', sku, location: bin, missingQty: 2 as never, countTaskId: asTask('CT-1') }));
    expect(c.buckets(sku, bin)).toMatchObject({ available: 3, suspect: 2 });
    expect(effect.countTasks[0]).toMatchObject({ id: 'CT-1', status: 'open' });
  });

  it('receipts land in qc and release to available in a bin', () => {
    const c = central();
    run(c, ev('receipt.received', { receiptId: asTask('R-1'), sku, location: dock, qty: 12 as never }, 'receiver'));
    expect(atp(c.buckets(sku, dock))).toBe(0);
    run(c, ev('qc.released', { sku, from: dock, to: bin, qty: 12 as never }, 'receiver'));
    expect(c.buckets(sku, dock).qc).toBe(0);
    expect(c.buckets(sku, bin).available).toBe(12);
  });

  it('returns stay in quarantine until resolved; a write-off leaves on hand', () => {
    const c = central();
    const ret = asLocation('RET-1');
    run(c, ev('return.quarantined', { returnId: asTask('RMA-1'), sku, location: ret, qty: 2 as never, condition: 'damaged' }, 'receiver'));
    expect(atp(c.buckets(sku, ret))).toBe(0);
    run(c, ev('return.resolved', { returnId: asTask('RMA-1'), decision: 'write_off', sku, from: ret, qty: 1 as never, reason: 'crushed' }, 'supervisor'));
    run(c, ev('return.resolved', { returnId: asTask('RMA-1'), decision: 'resale', sku, from: ret, to: bin, qty: 1 as never }, 'supervisor'));
    expect(onHand(c.buckets(sku, ret))).toBe(0);
    expect(c.buckets(sku, bin).available).toBe(1);
  });

  it('a count never erases picks recorded elsewhere while it ran', () => {
    const c = central([[sku, bin, 10]]);
    run(c, ev('count.started', { countTaskId: asTask('CT-2'), location: bin }));
    // Another device picks 2 while the count is going on.
    run(c, ev('pick.held', { pickListId: asTask('PL-9'), lineId: '1', sku, location: bin, tote: 'T-9' as never, qty: 2 as never }));
    // The counter saw 9 on the shelf when the count began: a variance of -1 against the start.
    const effect = run(c, ev('count.recorded', { countTaskId: asTask('CT-2'), location: bin, lines: [{ sku, qty: 9 as never }] }));
    expect(effect.countTasks[0]?.status).toBe('posted');
    expect(c.buckets(sku, bin)).toMatchObject({ available: 7, committed: 2, suspect: 0 });
  });

  it('a large variance waits for a second counter or a supervisor', () => {
    const c = central([[sku, bin, 50]]);
    run(c, ev('count.started', { countTaskId: asTask('CT-3'), location: bin }));
    const first = run(c, ev('count.recorded', { countTaskId: asTask('CT-3'), location: bin, lines: [{ sku, qty: 20 as never }] }, 'picker'));
    expect(first.countTasks[0]?.status).toBe('awaiting_approval');
    expect(c.buckets(sku, bin).available).toBe(50);
    run(c, ev('count.approved', { countTaskId: asTask('CT-3'), approve: true }, 'supervisor'));
    expect(c.buckets(sku, bin).available).toBe(20);
  });

  it('rejects unknown types and invalid payloads with the field named', () => {
    const good = ev('pick.held', { pickListId: asTask('PL-1'), lineId: '1', sku, location: bin, tote: 'T-1' as never, qty: 1 as never });
    const bad = parseEvent({ ...good, payload: { ...good.payload, qty: 0 } });
    expect(bad).toEqual({ ok: false, problem: { code: 'invalid_payload', message: 'payload.qty: qty must be at least 1' } });
    const unknown = parseEvent({ ...ev('count.started', { countTaskId: asTask('X'), location: bin }), type: 'pick.teleported' });
    expect(unknown.ok).toBe(false);
  });
});
