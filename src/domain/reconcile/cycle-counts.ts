/**
 * Cycle counts: which bins get a blind count task this morning, and how accurate counts were.
 *
 * Selection rules (`selectCycleCounts`):
 * - Every bin with an open discrepancy is counted (a claim waits for a count to settle it). A
 *   discrepancy raises its own count task at once: such a bin joins the day's list with that
 *   task (`existingTask`), never a second one.
 * - Then the fastest movers by pick velocity (units picked in the recent window), most first
 *   (ties by bin code), up to `perDay` of them; a bin that moved nothing is no fast mover.
 * - A bin counted by yesterday's cycle count is skipped today, unless that count found a
 *   variance (then it is worth looking again).
 * - A fast mover that already has an open count task is left out (it is being counted anyway).
 */

export type BinVelocity = { location: string; units: number };
export type CycleCountReason = 'open_discrepancy' | 'fast_mover';
export type CycleCountPick = {
  location: string;
  reason: CycleCountReason;
  detail: string;
  /** The open task that counts it already (no new task is raised). */ existingTask?: string;
};

export type CycleCountInput = {
  /** How many fast-mover bins per day (discrepancy bins come on top). */
  perDay: number;
  velocities: readonly BinVelocity[];
  /** Bins with an open discrepancy and how many discrepancies each. */
  openDiscrepancies: readonly { location: string; count: number }[];
  /** Bins yesterday's cycle count raised tasks for, and whether that count found a variance. */
  yesterday: readonly { location: string; variance: boolean }[];
  /** Count tasks that are not posted or cancelled, by bin. */
  openTasks: readonly { location: string; taskId: string }[];
};

/** Today's cycle-count bins, discrepancy bins first, then fast movers by velocity. */
export function selectCycleCounts(input: CycleCountInput): CycleCountPick[] {
  // The oldest open task of each bin (task ids sort by when they were made only within a kind: the first by id is enough to name one).
  const busy = new Map<string, string>();
  for (const t of [...input.openTasks].sort((a, b) => cmp(a.taskId, b.taskId))) if (!busy.has(t.location)) busy.set(t.location, t.taskId);
  const out: CycleCountPick[] = [];
  const taken = new Set<string>();
  for (const d of [...input.openDiscrepancies].sort((a, b) => cmp(a.location, b.location))) {
    if (taken.has(d.location)) continue;
    taken.add(d.location);
    const existing = busy.get(d.location);
    out.push({
      location: d.location,
      reason: 'open_discrepancy',
      detail: `${d.count} open discrepanc${d.count === 1 ? 'y' : 'ies'}`,
      ...(existing ? { existingTask: existing } : {}),
    });
  }
  const rested = new Set(input.yesterday.filter((y) => !y.variance).map((y) => y.location));
  const perDay = Math.max(0, Math.floor(input.perDay));
  const movers = [...input.velocities].filter((v) => v.units > 0).sort((a, b) => b.units - a.units || cmp(a.location, b.location));
  let fast = 0;
  for (const v of movers) {
    if (fast >= perDay) break;
    if (busy.has(v.location) || taken.has(v.location) || rested.has(v.location)) continue;
    taken.add(v.location);
    fast += 1;
    out.push({ location: v.location, reason: 'fast_mover', detail: `${v.units} units picked recently` });
  }
  return out;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One posted count: the day it was posted (YYYY-MM-DD) and its lines' expected and counted units. */
export type PostedCount = { day: string; cycle: boolean; lines: readonly { expected: number; counted: number }[] };

export type AccuracyDay = {
  day: string;
  /** Bins counted (posted counts). */
  bins: number;
  /** Bins whose every line matched the record. */
  exactBins: number;
  /** exactBins / bins, 0-1 (null with no counts). */
  accuracy: number | null;
  /** Units off in total (absolute variances summed). */
  unitsOff: number;
  /** Of these, counts the cycle-count schedule raised. */
  cycleBins: number;
};

/** Count accuracy per day, oldest first, for each day in `days` (days with no counts included). */
export function countAccuracy(counts: readonly PostedCount[], days: readonly string[]): AccuracyDay[] {
  const by = new Map<string, AccuracyDay>(days.map((d) => [d, { day: d, bins: 0, exactBins: 0, accuracy: null, unitsOff: 0, cycleBins: 0 }]));
  for (const c of counts) {
    const d = by.get(c.day);
    if (!d) continue;
    d.bins += 1;
    if (c.cycle) d.cycleBins += 1;
    const off = c.lines.reduce((s, l) => s + Math.abs(l.counted - l.expected), 0);
    if (off === 0) d.exactBins += 1;
    d.unitsOff += off;
  }
  return [...by.values()].map((d) => ({ ...d, accuracy: d.bins === 0 ? null : d.exactBins / d.bins })).sort((a, b) => cmp(a.day, b.day));
}

/** The `n` calendar days (UTC) ending with `today`, oldest first, as YYYY-MM-DD. */
export function lastDays(today: Date, n: number): string[] {
  const out: string[] = [];
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  for (let i = n - 1; i >= 0; i--) out.push(new Date(start - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}
