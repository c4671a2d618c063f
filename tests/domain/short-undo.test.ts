import { describe, expect, it } from 'vitest';
import { makeEvent, parseEvent, type EventType, type PayloadOf } from '../../src/domain/events.ts';
import { asLocation, asSku, asTask } from '../../src/domain/ids.ts';
import { replayLedger, type LedgerFact } from '../../src/domain/replay.ts';
import { MemoryCentral, decideEvent, type World } from '../../src/domain/stock.ts';

const DEVICE = '0190a0b0-0000-7000-8000-000000000002';
let n = 0;
function ev<T extends EventType>(type: T, payload: PayloadOf<T>) {
  n += 1;
  const id = `0190a0b0-0000-7000-8001-${String(n).padStart(12, '0')}`;
  return makeEvent(type, payload, { id, deviceId: DEVICE, seq: n, occurredAt: '2026-11-23T10:00:00Z', actor: 'picker', session: 'session-test-1' });
}
const sku = asSku('SKU-1');
const bin = asLocation('A-01-01');
const world: World = {
  skuKnown: (s) => s === 'SKU-1' || s === 'SKU-2',
  locationKind: (l) => (l.startsWith('A-') ? 'bin' : undefined),
  receiptKnown: () => false,
};
const list = asTask('PL-1');

function central(available: number) {
  const c = new MemoryCentral();
  c.credit(sku, bin, 'available', available);
  c.addPickLine({ pickListId: 'PL-1', lineId: '1', sku: 'SKU-1', location: 'A-01-01', qty: 10, picked: 0, short: 0 });
  c.addPickLine({ pickListId: 'PL-1', lineId: '2', sku: 'SKU-1', location: 'A-01-01', qty: 10, picked: 0, short: 0 });
  return c;
}
const facts: LedgerFact[] = [];
function run(c: MemoryCentral, e: ReturnType<typeof ev>) {
  const parsed = parseEvent(e);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  const decided = decideEvent(parsed.event, c, world);
  if (!decided.ok) return decided.refusal.code;
  c.apply(decided.effect);
  facts.push({ ...e, status: 'applied' } as unknown as LedgerFact);
  return 'applied';
}
const short = (missing: number, lineId = '1') =>
  ev('pick.short', { pickListId: list, lineId, sku, location: bin, missingQty: missing as never, countTaskId: asTask(`short-PL-1-${lineId}`) });
const undo = (corrects: string, qty: number, lineId = '1') =>
  ev('pick.short_undone', { corrects: corrects as never, pickListId: list, lineId, sku, location: bin, qty: qty as never });

describe('pick.short_undone', () => {
  it('gives back from suspect what the short moved, once, and the line wants the units again', () => {
    const c = central(10);
    const s = short(4);
    expect(run(c, s)).toBe('applied');
    expect(c.buckets(sku, bin)).toMatchObject({ available: 6, suspect: 4 });
    expect(c.pickLine('PL-1', '1')?.short).toBe(4);
    expect(run(c, undo(s.id, 4))).toBe('applied');
    expect(c.buckets(sku, bin)).toMatchObject({ available: 10, suspect: 0 });
    expect(c.pickLine('PL-1', '1')?.short).toBe(0);
    expect(run(c, undo(s.id, 4))).toBe('already_undone');
    expect(c.buckets(sku, bin)).toMatchObject({ available: 10, suspect: 0 });
  });

  it('never gives back more than the short put into suspect (a short beyond the figures moved only what was there)', () => {
    const c = central(2);
    const s = short(5);
    run(c, s);
    expect(c.buckets(sku, bin)).toMatchObject({ available: 0, suspect: 2 });
    // Another short's suspect units on the same bin are not this undo's to give.
    const other = short(0 + 1, '2');
    run(c, other);
    expect(run(c, undo(s.id, 5))).toBe('applied');
    expect(c.buckets(sku, bin)).toMatchObject({ available: 2, suspect: 0 });
    expect(c.pickLine('PL-1', '1')?.short).toBe(0);
  });

  it('refuses an undo of a short that never happened, on another line, of another SKU, or beyond what it reported', () => {
    const c = central(10);
    const s = short(3);
    run(c, s);
    expect(run(c, undo('0190a0b0-dead-7000-8000-000000000001', 1))).toBe('unknown_short');
    expect(run(c, undo(s.id, 1, '2'))).toBe('reference_mismatch');
    expect(
      run(c, ev('pick.short_undone', { corrects: s.id as never, pickListId: list, lineId: '1', sku: asSku('SKU-2'), location: bin, qty: 1 as never })),
    ).toBe('reference_mismatch');
    expect(run(c, undo(s.id, 4))).toBe('exceeds_reference');
    // A pick's id is not a short's.
    const pick = ev('pick.held', { pickListId: list, lineId: '1', sku, location: bin, tote: 'T-1' as never, qty: 1 as never });
    run(c, pick);
    expect(run(c, undo(pick.id, 1))).toBe('unknown_short');
    expect(c.buckets(sku, bin)).toMatchObject({ available: 6, committed: 1, suspect: 3 });
  });

  it('a replay of the applied facts reproduces the figures', () => {
    facts.length = 0;
    const c = central(10);
    const s1 = short(3);
    run(c, s1);
    run(c, undo(s1.id, 2));
    const replayed = replayLedger([
      {
        id: 'open',
        deviceId: 'api',
        seq: 0,
        type: 'stock.opening_balance',
        schemaVersion: 1,
        actor: 'api',
        occurredAt: '',
        status: 'applied',
        payload: { sku, location: bin, available: 10 },
      },
      ...facts,
    ]);
    expect(replayed.buckets(sku, bin)).toEqual(c.buckets(sku, bin));
  });
});
