/** Cycle-count selection, accuracy and the schedule's slots, as tables under a fixed clock. */
import { describe, expect, it } from 'vitest';
import { countAccuracy, lastDays, selectCycleCounts, type CycleCountInput } from '../../../src/domain/reconcile/cycle-counts.ts';
import { dueSlots } from '../../../src/domain/reconcile/schedule.ts';

const none: CycleCountInput = { perDay: 2, velocities: [], openDiscrepancies: [], yesterday: [], openTasks: [] };
const V = [
  { location: 'A-01', units: 50 },
  { location: 'A-02', units: 40 },
  { location: 'A-03', units: 40 },
  { location: 'A-04', units: 10 },
  { location: 'A-05', units: 0 },
];

describe('selectCycleCounts', () => {
  it.each<[string, Partial<CycleCountInput>, string[]]>([
    ['the fastest movers, most first, ties by bin', { velocities: V }, ['A-01', 'A-02']],
    ['a configurable number per day', { velocities: V, perDay: 4 }, ['A-01', 'A-02', 'A-03', 'A-04']],
    ['a bin that moved nothing is no fast mover', { velocities: V, perDay: 10 }, ['A-01', 'A-02', 'A-03', 'A-04']],
    ['zero per day: only discrepancies', { velocities: V, perDay: 0, openDiscrepancies: [{ location: 'B-09', count: 1 }] }, ['B-09']],
    ['not the same bin two days running', { velocities: V, yesterday: [{ location: 'A-01', variance: false }] }, ['A-02', 'A-03']],
    ['unless its count had a variance', { velocities: V, yesterday: [{ location: 'A-01', variance: true }] }, ['A-01', 'A-02']],
    [
      'every bin with an open discrepancy, on top of the fast movers',
      {
        velocities: V,
        openDiscrepancies: [
          { location: 'B-09', count: 2 },
          { location: 'B-01', count: 1 },
        ],
      },
      ['B-01', 'B-09', 'A-01', 'A-02'],
    ],
    [
      'a discrepancy bin counted yesterday is counted again',
      { velocities: V, openDiscrepancies: [{ location: 'A-01', count: 1 }], yesterday: [{ location: 'A-01', variance: false }] },
      ['A-01', 'A-02', 'A-03'],
    ],
    [
      'a fast mover with an open count task is left out; a discrepancy bin keeps its own task',
      {
        velocities: V,
        openTasks: [
          { location: 'A-01', taskId: 'CT-1' },
          { location: 'B-09', taskId: 'CT-9' },
        ],
        openDiscrepancies: [{ location: 'B-09', count: 1 }],
      },
      ['B-09', 'A-02', 'A-03'],
    ],
    ['nothing moved, nothing open: no tasks', {}, []],
  ])('%s', (_n, change, bins) => {
    expect(selectCycleCounts({ ...none, ...change }).map((p) => p.location)).toEqual(bins);
  });

  it('a discrepancy bin names the task it already has (no second task); one without gets a new one', () => {
    const out = selectCycleCounts({
      ...none,
      openDiscrepancies: [
        { location: 'B-09', count: 1 },
        { location: 'C-01', count: 1 },
      ],
      openTasks: [
        { location: 'B-09', taskId: 'CT-SHORT-2' },
        { location: 'B-09', taskId: 'CT-SHORT-1' },
      ],
    });
    expect(out.map((p) => [p.location, p.existingTask])).toEqual([
      ['B-09', 'CT-SHORT-1'],
      ['C-01', undefined],
    ]);
  });

  it('says why each bin is counted', () => {
    const out = selectCycleCounts({ ...none, velocities: V.slice(0, 1), openDiscrepancies: [{ location: 'B-09', count: 2 }] });
    expect(out).toEqual([
      { location: 'B-09', reason: 'open_discrepancy', detail: '2 open discrepancies' },
      { location: 'A-01', reason: 'fast_mover', detail: '50 units picked recently' },
    ]);
  });
});

describe('countAccuracy', () => {
  it('per day: exact bins over counted bins, units off, days without counts kept', () => {
    const days = lastDays(new Date('2026-11-23T09:00:00Z'), 3);
    expect(days).toEqual(['2026-11-21', '2026-11-22', '2026-11-23']);
    const out = countAccuracy(
      [
        { day: '2026-11-22', cycle: true, lines: [{ expected: 5, counted: 5 }] },
        {
          day: '2026-11-22',
          cycle: false,
          lines: [
            { expected: 5, counted: 3 },
            { expected: 1, counted: 2 },
          ],
        },
        { day: '2026-11-23', cycle: true, lines: [{ expected: 0, counted: 0 }] },
        { day: '2026-10-01', cycle: true, lines: [{ expected: 9, counted: 0 }] },
      ],
      days,
    );
    expect(out).toEqual([
      { day: '2026-11-21', bins: 0, exactBins: 0, accuracy: null, unitsOff: 0, cycleBins: 0 },
      { day: '2026-11-22', bins: 2, exactBins: 1, accuracy: 0.5, unitsOff: 3, cycleBins: 1 },
      { day: '2026-11-23', bins: 1, exactBins: 1, accuracy: 1, unitsOff: 0, cycleBins: 1 },
    ]);
  });
});

describe('dueSlots', () => {
  const s = { dailyHour: 2, countHour: 6 };
  it.each<[string, string, string[]]>([
    ['01:30: only the hourly fast movers', '2026-11-23T01:30:00Z', ['fast:2026-11-23T01']],
    ['02:00: the daily run of every SKU too', '2026-11-23T02:00:00Z', ['fast:2026-11-23T02', 'all:2026-11-23']],
    ['06:10: the morning counts too', '2026-11-23T06:10:00Z', ['fast:2026-11-23T06', 'all:2026-11-23', 'counts:2026-11-23']],
    ['23:59: same day keys (each runs once)', '2026-11-23T23:59:00Z', ['fast:2026-11-23T23', 'all:2026-11-23', 'counts:2026-11-23']],
  ])('%s', (_n, at, keys) => {
    expect(dueSlots(new Date(at), s).map((x) => x.key)).toEqual(keys);
  });
});
