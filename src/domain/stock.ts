import type { FloorEvent } from './events.ts';
import { assertNever, type EventId, type LocationId, type Sku, type TaskId, type UserId } from './ids.ts';

export const BUCKETS = ['available', 'committed', 'qc', 'quarantine', 'suspect'] as const;
export type Bucket = (typeof BUCKETS)[number];
export type Buckets = Record<Bucket, number>;

export const emptyBuckets = (): Buckets => ({ available: 0, committed: 0, qc: 0, quarantine: 0, suspect: 0 });

/** On hand: every unit the warehouse holds at a place, whatever its state. */
export const onHand = (b: Buckets): number => b.available + b.committed + b.qc + b.quarantine + b.suspect;
/** Units physically on the shelf of a bin (committed ones are in totes): what a blind count compares to. */
export const shelf = (b: Buckets): number => b.available + b.suspect;
/** Available to promise: `available` alone, less a channel's safety buffer. */
export const atp = (b: Buckets, safetyBuffer = 0): number => Math.max(0, b.available - safetyBuffer);

export type Move = { sku: Sku; location: LocationId; bucket: Bucket; delta: number };

export const DISCREPANCY_KINDS = ['pick_exceeds_available', 'release_exceeds_qc', 'resolve_exceeds_quarantine', 'undo_exceeds_committed', 'short_pick', 'count_variance'] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];
export type Discrepancy = {
  kind: DiscrepancyKind;
  sku: Sku;
  location: LocationId;
  /** What the central figures said. */
  expected: number;
  /** What the floor reported. */
  reported: number;
  message: string;
};

export type CountLine = { sku: Sku; expected: number; counted: number; variance: number };
export type CountStatus = 'open' | 'started' | 'awaiting_approval' | 'posted' | 'cancelled';
export type CountTask = {
  id: TaskId;
  location: LocationId;
  reason: string;
  status: CountStatus;
  /** Shelf quantity per SKU as of `count.started`'s place in the ledger. */
  snapshot?: Record<string, number>;
  /** The count held for approval, with who counted it. */
  held?: { actor: UserId; eventId: EventId; lines: CountLine[] };
};

/** A count posts by itself when every line's variance is within this many units or this share of expected. */
export const COUNT_TOLERANCE_UNITS = 2;
export const COUNT_TOLERANCE_SHARE = 0.1;

/** Whether a variance is large enough to need a second count or a supervisor. */
export function varianceNeedsApproval(line: CountLine): boolean {
  const v = Math.abs(line.variance);
  return v > COUNT_TOLERANCE_UNITS && v > line.expected * COUNT_TOLERANCE_SHARE;
}

/** The read side the stock rules need: current central figures. */
export interface CentralView {
  buckets(sku: Sku, location: LocationId): Buckets;
  /** SKUs with anything on the shelf at a location. */
  skusAt(location: LocationId): Sku[];
  countTask(id: TaskId): CountTask | undefined;
}

export type Effect = {
  moves: Move[];
  discrepancies: Discrepancy[];
  /** Count tasks created or changed by this event, whole. */
  countTasks: CountTask[];
};

const none = (): Effect => ({ moves: [], discrepancies: [], countTasks: [] });

/** Moves up to `qty` from one bucket to another, clamped at what the source holds; reports the shortfall. */
function transfer(
  view: CentralView,
  sku: Sku,
  location: LocationId,
  from: Bucket,
  to: Bucket | null,
  qty: number,
  toLocation: LocationId = location,
): { moves: Move[]; shortfall: number; had: number } {
  const had = view.buckets(sku, location)[from];
  const taken = Math.max(0, Math.min(had, qty));
  const moves: Move[] = [];
  if (taken > 0) moves.push({ sku, location, bucket: from, delta: -taken });
  if (to) moves.push({ sku, location: toLocation, bucket: to, delta: qty });
  return { moves, shortfall: qty - taken, had };
}

function recountTask(id: TaskId, location: LocationId, reason: string, view: CentralView): CountTask[] {
  const existing = view.countTask(id);
  if (existing && existing.status !== 'posted' && existing.status !== 'cancelled') return [];
  return [{ id, location, reason, status: 'open' }];
}

/** The count task id raised automatically by the API for a discrepancy found by event `eventId`. */
export const discrepancyTaskId = (eventId: EventId): TaskId => `cnt-${eventId}` as TaskId;

/**
 * The stock rules: what one event does to the central figures.
 * A physical fact is always applied; where it contradicts the figures it is clamped at zero,
 * and a discrepancy plus a blind count task are raised instead of rejecting it.
 */
export function planEvent(event: FloorEvent, view: CentralView): Effect {
  const effect = none();
  const discrepancy = (d: Discrepancy) => {
    effect.discrepancies.push(d);
    effect.countTasks.push(...recountTask(discrepancyTaskId(event.id), d.location, d.message, view));
  };
  switch (event.type) {
    case 'pick.held': {
      const p = event.payload;
      const t = transfer(view, p.sku, p.location, 'available', 'committed', p.qty);
      effect.moves.push(...t.moves);
      if (t.shortfall > 0) {
        discrepancy({
          kind: 'pick_exceeds_available',
          sku: p.sku,
          location: p.location,
          expected: t.had,
          reported: p.qty,
          message: `picked ${p.qty} of ${p.sku} at ${p.location}, but only ${t.had} were available`,
        });
      }
      return effect;
    }
    case 'pick.short': {
      const p = event.payload;
      // Only units the figures hold can become suspect.
      const had = view.buckets(p.sku, p.location).available;
      const moved = Math.min(had, p.missingQty);
      if (moved > 0) {
        effect.moves.push({ sku: p.sku, location: p.location, bucket: 'available', delta: -moved });
        effect.moves.push({ sku: p.sku, location: p.location, bucket: 'suspect', delta: moved });
      }
      effect.discrepancies.push({
        kind: 'short_pick',
        sku: p.sku,
        location: p.location,
        expected: had,
        reported: had - moved,
        message: `short pick: ${p.missingQty} of ${p.sku} missing at ${p.location}`,
      });
      effect.countTasks.push(...recountTask(p.countTaskId, p.location, `short pick of ${p.sku}`, view));
      return effect;
    }
    case 'pick.undone': {
      const p = event.payload;
      const t = transfer(view, p.sku, p.location, 'committed', 'available', p.qty);
      effect.moves.push(...t.moves);
      if (t.shortfall > 0) {
        discrepancy({
          kind: 'undo_exceeds_committed',
          sku: p.sku,
          location: p.location,
          expected: t.had,
          reported: p.qty,
          message: `undo of ${p.qty} ${p.sku} at ${p.location}, but only ${t.had} were committed`,
        });
      }
      return effect;
    }
    case 'receipt.received': {
      const p = event.payload;
      effect.moves.push({ sku: p.sku, location: p.location, bucket: 'qc', delta: p.qty });
      return effect;
    }
    case 'qc.released': {
      const p = event.payload;
      const t = transfer(view, p.sku, p.from, 'qc', 'available', p.qty, p.to);
      effect.moves.push(...t.moves);
      if (t.shortfall > 0) {
        discrepancy({
          kind: 'release_exceeds_qc',
          sku: p.sku,
          location: p.from,
          expected: t.had,
          reported: p.qty,
          message: `released ${p.qty} of ${p.sku} from QC at ${p.from}, but only ${t.had} were in QC`,
        });
      }
      return effect;
    }
    case 'return.quarantined': {
      const p = event.payload;
      effect.moves.push({ sku: p.sku, location: p.location, bucket: 'quarantine', delta: p.qty });
      return effect;
    }
    case 'return.resolved': {
      const p = event.payload;
      const t = transfer(view, p.sku, p.from, 'quarantine', p.decision === 'resale' ? 'available' : null, p.qty, p.decision === 'resale' ? p.to : p.from);
      effect.moves.push(...t.moves);
      if (t.shortfall > 0) {
        discrepancy({
          kind: 'resolve_exceeds_quarantine',
          sku: p.sku,
          location: p.from,
          expected: t.had,
          reported: p.qty,
          message: `resolved ${p.qty} of ${p.sku} from quarantine at ${p.from}, but only ${t.had} were there`,
        });
      }
      return effect;
    }
    case 'count.started': {
      const p = event.payload;
      const task = view.countTask(p.countTaskId) ?? { id: p.countTaskId, location: p.location, reason: 'counter started a count', status: 'open' as const };
      effect.countTasks.push({ ...task, location: p.location, status: 'started', snapshot: currentShelf(view, p.location) });
      return effect;
    }
    case 'count.recorded': {
      const p = event.payload;
      const task = view.countTask(p.countTaskId) ?? { id: p.countTaskId, location: p.location, reason: 'unplanned count', status: 'open' as const };
      const lines = countLines(p.lines, task.snapshot ?? currentShelf(view, p.location));
      const secondOpinion = task.status === 'awaiting_approval' && task.held !== undefined && task.held.actor !== event.actor;
      if (lines.some(varianceNeedsApproval) && !secondOpinion) {
        effect.countTasks.push({ ...task, location: p.location, status: 'awaiting_approval', held: { actor: event.actor, eventId: event.id, lines } });
        return effect;
      }
      postCount(effect, lines, p.location, view);
      effect.countTasks.push({ ...task, location: p.location, status: 'posted', held: { actor: event.actor, eventId: event.id, lines } });
      return effect;
    }
    case 'count.approved': {
      const p = event.payload;
      const task = view.countTask(p.countTaskId);
      if (!task || task.status !== 'awaiting_approval' || !task.held) return effect;
      if (!p.approve) {
        effect.countTasks.push({ id: task.id, location: task.location, reason: `recount: ${task.reason}`, status: 'open' });
        return effect;
      }
      postCount(effect, task.held.lines, task.location, view);
      effect.countTasks.push({ ...task, status: 'posted' });
      return effect;
    }
    default:
      return assertNever(event, 'event');
  }
}

function currentShelf(view: CentralView, location: LocationId): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sku of view.skusAt(location)) out[sku] = shelf(view.buckets(sku, location));
  return out;
}

/** Compares a blind count with the bin as of the count's start; SKUs expected but not counted count as zero. */
function countLines(
  counted: readonly { sku: Sku; qty: number }[],
  snapshot: Record<string, number>,
): CountLine[] {
  const totals = new Map<Sku, number>();
  for (const l of counted) totals.set(l.sku, (totals.get(l.sku) ?? 0) + l.qty);
  for (const sku of Object.keys(snapshot)) if (!totals.has(sku as Sku)) totals.set(sku as Sku, 0);
  return [...totals].map(([sku, c]) => {
    const expected = snapshot[sku] ?? 0;
    return { sku, expected, counted: c, variance: c - expected };
  });
}

/**
 * Posts a count as a correction relative to its start: the shelf becomes
 * (shelf now) + variance, so picks made elsewhere since the count began survive.
 */
function postCount(effect: Effect, lines: readonly CountLine[], location: LocationId, view: CentralView): void {
  for (const line of lines) {
    const b = view.buckets(line.sku, location);
    const target = Math.max(0, shelf(b) + line.variance);
    if (b.suspect !== 0) effect.moves.push({ sku: line.sku, location, bucket: 'suspect', delta: -b.suspect });
    if (target - b.available !== 0) effect.moves.push({ sku: line.sku, location, bucket: 'available', delta: target - b.available });
    if (line.variance !== 0) {
      effect.discrepancies.push({
        kind: 'count_variance',
        sku: line.sku,
        location,
        expected: line.expected,
        reported: line.counted,
        message: `count of ${line.sku} at ${location}: expected ${line.expected}, counted ${line.counted}`,
      });
    }
  }
}

export const stockKey = (sku: string, location: string): string => `${sku}\u0000${location}`;

/** Central state held in memory: the reference model of the API, and the working set of one push. */
export class MemoryCentral implements CentralView {
  readonly stock = new Map<string, { sku: Sku; location: LocationId; buckets: Buckets }>();
  readonly tasks = new Map<string, CountTask>();

  buckets(sku: Sku, location: LocationId): Buckets {
    return { ...(this.stock.get(stockKey(sku, location))?.buckets ?? emptyBuckets()) };
  }

  skusAt(location: LocationId): Sku[] {
    const out: Sku[] = [];
    for (const row of this.stock.values()) if (row.location === location && shelf(row.buckets) !== 0) out.push(row.sku);
    return out.sort();
  }

  countTask(id: TaskId): CountTask | undefined {
    return this.tasks.get(id);
  }

  /** Applies an effect computed by `planEvent`. */
  apply(effect: Effect): void {
    for (const m of effect.moves) {
      const key = stockKey(m.sku, m.location);
      const row = this.stock.get(key) ?? { sku: m.sku, location: m.location, buckets: emptyBuckets() };
      row.buckets[m.bucket] += m.delta;
      this.stock.set(key, row);
    }
    for (const t of effect.countTasks) this.tasks.set(t.id, t);
  }
}
