import { describe, expect, it } from 'vitest';
import {
  pickStep,
  startPick,
  toteContents,
  undoablePicks,
  undoableShorts,
  pickPrompt,
  shortCountTaskId,
  type PickInput,
  type PickState,
} from '../../../src/domain/workflows/pick.ts';
import type { WorkflowScan } from '../../../src/domain/workflows/common.ts';
import {
  catalog,
  goods,
  bin,
  tote,
  pickList,
  run,
  MUG,
  TEA,
  TEA_CASE,
  UNKNOWN,
  itRefuses,
  type Refusal,
  said,
  unreadableScan,
  unreadableWords,
} from './fixtures.ts';

const ctx = { catalog };
const step = (s: PickState, i: PickInput) => pickStep(s, i, ctx);
const scan = (x: WorkflowScan): PickInput => ({ type: 'scan', scan: x });
const atFirstBin = () => run(step, startPick(pickList()), [scan(tote('T-1')), scan(bin('A-01-01'))]).state;

describe('pick-to-hold', () => {
  it('binds the tote, takes the bin, and records each item as pick.held at once', () => {
    const r = run(step, startPick(pickList()), [scan(tote('T-1')), scan(bin('A-01-01')), scan(goods(MUG))]);
    expect(r.events).toEqual([{ type: 'pick.held', payload: { pickListId: 'PL-1', lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', tote: 'T-1', qty: 1 } }]);
    expect(said(r.last.feedback)).toEqual([{ tone: 'accepted', message: '1 × Mug into tote T-1, 2 to go' }]);
    expect(r.state.lines[0]?.picked).toBe(1);
  });

  it('a case GTIN and a keyed quantity pick many units in one scan, then move to the next line', () => {
    const r = run(step, atFirstBin(), [{ type: 'quantity', text: '3' }, scan(goods(MUG)), scan(bin('A-01-02')), scan(goods(TEA_CASE)), scan(goods(TEA_CASE))]);
    expect(r.events.map((e) => (e.payload as { qty: number }).qty)).toEqual([3, 12, 12]);
    expect(r.state.current).toBe(-1);
    expect(pickPrompt(r.state, ctx)).toEqual({ code: 'prompt.pickDone', params: { order: 'ORD-1', tote: 'T-1' } });
    expect(toteContents(r.state)).toEqual([
      { sku: 'SKU-MUG', qty: 3 },
      { sku: 'SKU-TEA', qty: 24 },
    ]);
  });

  it('a GS1 count on the label multiplies the units', () => {
    const s = run(step, atFirstBin(), [{ type: 'quantity', text: '3' }, scan(goods(MUG)), scan(bin('A-01-02'))]).state;
    const r = step(s, scan(goods(TEA, { count: 5 })));
    expect(r.events[0]?.payload).toMatchObject({ qty: 5 });
  });

  describe('refusals change nothing and say why', () => {
    const cases: Refusal<PickState, PickInput>[] = [
      ['a bin before the tote', () => startPick(pickList()), scan(bin('A-01-01')), 'Scan a tote first, not location A-01-01', 'wrong'],
      [
        'an unreadable code',
        () => startPick(pickList()),
        { type: 'scan', scan: unreadableScan('GTIN 123 has a wrong check digit (expected 4)') },
        unreadableWords('GTIN 123 has a wrong check digit (expected 4)'),
        'wrong',
      ],
      ['another tote', atFirstBin, scan(tote('T-2')), 'Wrong tote: order ORD-1 is on tote T-1', 'wrong'],
      ['the same tote again', atFirstBin, scan(tote('T-1')), 'Tote T-1 is already on this order', 'duplicate'],
      [
        'the wrong bin',
        () => run(step, startPick(pickList()), [scan(tote('T-1'))]).state,
        scan(bin('B-09-09')),
        'Wrong bin: this is B-09-09, go to A-01-01',
        'wrong',
      ],
      ['the same bin again', atFirstBin, scan(bin('A-01-01')), 'Already at bin A-01-01', 'duplicate'],
      [
        'an item before the bin',
        () => run(step, startPick(pickList()), [scan(tote('T-1'))]).state,
        scan(goods(MUG)),
        'Scan bin A-01-01 before the item',
        'wrong',
      ],
      ['the wrong item', atFirstBin, scan(goods(TEA)), 'Wrong item: Tea (SKU-TEA); this line wants Mug (SKU-MUG)', 'wrong'],
      ['an unknown GTIN', atFirstBin, scan(goods(UNKNOWN)), 'Unknown item 9780201379624: not in the catalog', 'wrong'],
      ['more than the line needs', atFirstBin, scan(goods(MUG, { count: 4 })), 'Too many: 4 scanned, the line needs 3 more', 'wrong'],
      ['a keyed quantity above the line', atFirstBin, { type: 'quantity', text: '4' }, 'Too many: the line needs 3 more, not 4', 'wrong'],
      ['text where a quantity belongs', atFirstBin, { type: 'quantity', text: 'ten' }, 'Quantity must be a whole number from 1 to 100000, not "ten"', 'wrong'],
      ['a zero quantity', atFirstBin, { type: 'quantity', text: '0' }, 'Quantity must be from 1 to 100000, not 0', 'wrong'],
      [
        'a quantity before the bin',
        () => startPick(pickList()),
        { type: 'quantity', text: '2' },
        'Scan the tote and the bin before keying a quantity',
        'wrong',
      ],
      ['fewer here before the bin', () => startPick(pickList()), { type: 'short', found: '0' }, 'Scan the tote and the bin before reporting a short', 'wrong'],
      [
        'fewer here with all found',
        atFirstBin,
        { type: 'short', found: '3' },
        'The bin holds 3 and the line needs 3: that is not a short; scan the items',
        'wrong',
      ],
      ['fewer here with text', atFirstBin, { type: 'short', found: '-1' }, 'Quantity must be a whole number from 0 to 100000, not "-1"', 'wrong'],
      ['undo with nothing picked', atFirstBin, { type: 'undo' }, 'Nothing to undo on this tote', 'wrong'],
      ['undo of a pick not on this tote', atFirstBin, { type: 'undo', eventId: 'nope' }, 'That pick is not on this tote', 'wrong'],
      [
        'a pallet in a pick',
        atFirstBin,
        { type: 'scan', scan: { kind: 'pallet', sscc: '340123450000000017' } },
        'Not expected here: pallet 340123450000000017',
        'wrong',
      ],
    ];
    itRefuses(step, cases, (s) => ({ lines: s.lines, held: s.held }));

    it('a scan after the list is complete', () => {
      const done = run(step, startPick(pickList({ lines: [{ lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', qty: 1, picked: 0 }] })), [
        scan(tote('T-1')),
        scan(bin('A-01-01')),
        scan(goods(MUG)),
      ]).state;
      expect(said(step(done, scan(goods(MUG))).feedback)).toEqual([{ tone: 'wrong', message: 'Order ORD-1 is complete: nothing more to pick' }]);
    });

    it('undo of a pick the log has not stored yet', () => {
      const s = step(atFirstBin(), scan(goods(MUG))).state;
      expect(said(step(s, { type: 'undo' }).feedback)).toEqual([{ tone: 'wrong', message: 'That pick is still being saved: try the undo again' }]);
    });
  });

  it('"none here" asks first: nothing is recorded until the worker confirms the short', () => {
    const asked = step(atFirstBin(), { type: 'short', found: '0' });
    expect(asked.events).toEqual([]);
    expect(said(asked.feedback)).toEqual([{ tone: 'supervisor', message: 'Short 3 of Mug at A-01-01? Confirm or cancel' }]);
    expect(asked.state.pendingShort).toEqual({ lineId: 'L1', hold: 0, missing: 3 });
    // While it waits, a scan changes nothing.
    expect(step(asked.state, scan(goods(MUG))).events).toEqual([]);
    const r = step(asked.state, { type: 'confirmShort' });
    expect(r.events).toEqual([
      { type: 'pick.short', payload: { pickListId: 'PL-1', lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', missingQty: 3, countTaskId: 'short-PL-1-L1' } },
    ]);
    expect(r.state.current).toBe(1);
    expect(r.state.atBin).toBe(false);
    expect(r.state.pendingShort).toBeNull();
    expect(r.feedback[0]?.message).toBe('Short 3 × Mug at A-01-01: a count is raised for the bin');
    expect(r.feedback[0]).toMatchObject({ code: 'pick.shorted', params: { missing: 3, name: 'Mug', bin: 'A-01-01' } });
    // A second confirm does not record a second short.
    expect(step(r.state, { type: 'confirmShort' }).events).toEqual([]);
  });

  it('a cancelled short records nothing and leaves the line as it was', () => {
    const asked = step(atFirstBin(), { type: 'short', found: '1' }).state;
    const r = step(asked, { type: 'cancelShort' });
    expect(r.events).toEqual([]);
    expect(r.state).toEqual({ ...asked, pendingShort: null });
    expect(r.state.lines[0]).toMatchObject({ picked: 0, short: 0 });
    expect(said(r.feedback)).toEqual([{ tone: 'accepted', message: 'Short cancelled: nothing recorded' }]);
  });

  it('"found" is what the bin held, counting the units already scanned: 1 scanned of 2, 1 found, is a short of 1', () => {
    const two = pickList({ lines: [{ lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', qty: 2, picked: 0 }] });
    let s = run(step, startPick(two), [scan(tote('T-1')), scan(bin('A-01-01')), scan(goods(MUG))]).state;
    s = step(s, { type: 'short', found: '1' }).state;
    expect(s.pendingShort).toEqual({ lineId: 'L1', hold: 0, missing: 1 });
    const r = step(s, { type: 'confirmShort' });
    expect(r.events.map((e) => e.type)).toEqual(['pick.short']);
    expect(r.events[0]?.payload).toMatchObject({ missingQty: 1 });
    expect(r.state.current).toBe(-1);
    // Fewer found than already scanned cannot be.
    const again = run(step, startPick(two), [scan(tote('T-1')), scan(bin('A-01-01')), scan(goods(MUG))]).state;
    expect(said(step(again, { type: 'short', found: '0' }).feedback)).toEqual([
      { tone: 'wrong', message: 'You already scanned 1 from this bin for this line: the bin held at least 1' },
    ]);
  });

  it('some found in all: the rest still in the bin is held and the missing units shorted, in one step', () => {
    const s = step(atFirstBin(), scan(goods(MUG))).state;
    const asked = step(s, { type: 'short', found: '2' }).state;
    expect(asked.pendingShort).toEqual({ lineId: 'L1', hold: 1, missing: 1 });
    const r = step(asked, { type: 'confirmShort' });
    expect(r.events.map((e) => [e.type, e.type === 'pick.held' ? e.payload.qty : e.type === 'pick.short' ? e.payload.missingQty : 0])).toEqual([
      ['pick.held', 1],
      ['pick.short', 1],
    ]);
    expect(r.state.lines[0]).toMatchObject({ picked: 2, short: 1 });
    expect(r.state.current).toBe(1);
  });

  it('the count task id is a valid task code even for odd line ids', () => {
    expect(shortCountTaskId('PL-1', 'line #7 (a)')).toBe('short-PL-1-line__7__a_');
    expect(shortCountTaskId('P'.repeat(60), 'L1')).toHaveLength(64);
  });

  it('undo records pick.undone naming the stored event, and reopens the line', () => {
    let s = step(atFirstBin(), scan(goods(MUG))).state;
    const held = step(atFirstBin(), scan(goods(MUG))).events[0];
    s = step(s, { type: 'logged', events: [{ id: '0190a0b0-0000-7000-8000-000000000001', type: 'pick.held', payload: held?.payload }] }).state;
    const r = step(s, { type: 'undo' });
    expect(r.events).toEqual([
      { type: 'pick.undone', payload: { corrects: '0190a0b0-0000-7000-8000-000000000001', sku: 'SKU-MUG', location: 'A-01-01', qty: 1 } },
    ]);
    expect(undoablePicks(s).map((h) => h.eventId)).toEqual(['0190a0b0-0000-7000-8000-000000000001']);
    expect(r.state.lines[0]?.picked).toBe(0);
    expect(toteContents(r.state)).toEqual([]);
    expect(undoablePicks(r.state)).toEqual([]);
    expect(said(step(r.state, { type: 'undo', eventId: '0190a0b0-0000-7000-8000-000000000001' }).feedback)[0]).toEqual({
      tone: 'duplicate',
      message: 'That pick is already undone',
    });
  });

  it('resumes from the log after a reload without counting picks twice', () => {
    const history = [
      { id: 'e1', type: 'pick.held', payload: { pickListId: 'PL-1', lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', tote: 'T-7', qty: 3 } },
      { id: 'e2', type: 'pick.held', payload: { pickListId: 'PL-1', lineId: 'L2', sku: 'SKU-TEA', location: 'A-01-02', tote: 'T-7', qty: 12 } },
      { id: 'e3', type: 'pick.undone', payload: { corrects: 'e2' } },
      { id: 'e4', type: 'pick.held', payload: { pickListId: 'PL-9', lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', tote: 'T-9', qty: 1 } },
    ];
    // The API already counted the first pick: max(3, 3), not 6.
    const s = startPick(
      pickList({
        lines: [
          { lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', qty: 3, picked: 3 },
          { lineId: 'L2', sku: 'SKU-TEA', location: 'A-01-02', qty: 24, picked: 0 },
        ],
      }),
      history,
    );
    expect(s.tote).toBe('T-7');
    expect(s.lines.map((l) => l.picked)).toEqual([3, 0]);
    expect(s.current).toBe(1);
    expect(toteContents(s)).toEqual([{ sku: 'SKU-MUG', qty: 3 }]);
  });
});

describe('a confirmed short taken back (issue 13)', () => {
  const shorted = () => {
    const r = step(step(atFirstBin(), { type: 'short', found: '0' }).state, { type: 'confirmShort' });
    const stored = { id: '0190a0b0-0000-7000-8000-0000000000aa', type: 'pick.short', payload: r.events[0]?.payload };
    return step(r.state, { type: 'logged', events: [stored] }).state;
  };

  it('is offered once stored, and records pick.short_undone naming it on its line; the line wants the units again', () => {
    const before = step(step(atFirstBin(), { type: 'short', found: '0' }).state, { type: 'confirmShort' }).state;
    expect(undoableShorts(before)).toEqual([]);
    const s = shorted();
    expect(undoableShorts(s)).toEqual([
      { eventId: '0190a0b0-0000-7000-8000-0000000000aa', lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', missing: 3, undone: false },
    ]);
    const r = step(s, { type: 'undoShort', eventId: '0190a0b0-0000-7000-8000-0000000000aa' });
    expect(r.events).toEqual([
      {
        type: 'pick.short_undone',
        payload: { corrects: '0190a0b0-0000-7000-8000-0000000000aa', pickListId: 'PL-1', lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', qty: 3 },
      },
    ]);
    expect(r.state.lines[0]).toMatchObject({ short: 0, picked: 0 });
    expect(r.state.current).toBe(0);
    expect(said(r.feedback)).toEqual([{ tone: 'accepted', message: 'Short taken back: 3 × Mug at A-01-01 are wanted on this line again' }]);
    expect(undoableShorts(r.state)).toEqual([]);
    // Twice is refused and records nothing.
    const again = step(r.state, { type: 'undoShort', eventId: '0190a0b0-0000-7000-8000-0000000000aa' });
    expect(again.events).toEqual([]);
    expect(said(again.feedback)).toEqual([{ tone: 'duplicate', message: 'That short is already taken back' }]);
    expect(step(r.state, { type: 'undoShort', eventId: 'nope' }).events).toEqual([]);
  });

  it('a reload resumes from the log: an undone short is neither offered nor counted', () => {
    const list = pickList();
    const shortEv = { id: 'e-short', type: 'pick.short', payload: { pickListId: 'PL-1', lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', missingQty: 3 } };
    const undoneEv = { id: 'e-undo', type: 'pick.short_undone', payload: { corrects: 'e-short', qty: 3 } };
    expect(startPick(list, [shortEv]).lines[0]?.short).toBe(3);
    expect(undoableShorts(startPick(list, [shortEv]))).toHaveLength(1);
    // The API already counts the short but not yet the undo: the device's undo is taken off.
    const withApi = pickList({ lines: [{ lineId: 'L1', sku: 'SKU-MUG', location: 'A-01-01', qty: 3, picked: 0, short: 3 }] });
    const resumed = startPick(withApi, [shortEv, undoneEv]);
    expect(resumed.lines[0]?.short).toBe(0);
    expect(undoableShorts(resumed)).toEqual([]);
    expect(resumed.current).toBe(0);
  });
});
