/**
 * The stock rules: what one floor fact does to the central figures, and whether it may.
 *
 * The truth never invents stock: a movement takes from its source only what the figures hold
 * there (`taken`), and what the floor says beyond that is a discrepancy row (a claim, with the
 * claimed units) plus a blind count task, never units. Claims get no bucket of their own: they
 * are in no bucket at all, so no channel can sell them, and the count the task raises settles
 * them (the bin is then what the counter finds). Only receipts, approved counts and quarantined
 * returns add units. References are real and used once (`checkEvent`).
 */
import type { FloorEvent } from './events.ts';
import { assertNever, type EventId, type LocationId, type Sku, type TaskId, type UserId } from './ids.ts';
import type { RejectionCode } from './protocol.ts';

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

/** No bucket of one SKU at one place may hold more: far above any warehouse, far below a 32-bit column. */
export const BUCKET_CAP = 1_000_000_000;

/** `qc`: a QC area (master data); the floor rules name the kinds they need, so a QC area takes only what they allow. */
export const LOCATION_KINDS = ['bin', 'dock', 'qc', 'returns'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export type Move = { sku: Sku; location: LocationId; bucket: Bucket; delta: number };

export const DISCREPANCY_KINDS = [
  'pick_exceeds_available',
  'release_exceeds_qc',
  'resolve_exceeds_quarantine',
  'undo_exceeds_committed',
  'short_pick',
  'count_variance',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];
export type Discrepancy = {
  kind: DiscrepancyKind;
  sku: Sku;
  location: LocationId;
  /** What the central figures said. */
  expected: number;
  /** What the floor reported. */
  reported: number;
  /** Units the floor claims beyond what the figures held: recorded here, in no bucket, until a count settles them. */
  claimed: number;
  message: string;
};

/** A stock movement at a place, as a count's supervisor sees it: who, which fact, how many of what. */
export type Movement = { eventId: EventId; type: FloorEvent['type']; actor: UserId; sku: Sku; location: LocationId; qty: number };

export type CountLine = { sku: Sku; expected: number; counted: number; variance: number };
export type CountStatus = 'open' | 'started' | 'awaiting_approval' | 'posted' | 'cancelled';
/** A count as a counter recorded it: awaiting a supervisor's approval, or posted. */
export type RecordedCount = {
  actor: UserId;
  eventId: EventId;
  /** `expected` is the shelf at the count's place in the ledger: the bin at its start plus the movements since. */
  lines: CountLine[];
  /** Movements at the bin between the count's start and its record: why it could not post by itself. */
  movements: Movement[];
  /** The earlier count of another counter that this one disagrees with. */
  previous?: { actor: UserId; lines: CountLine[] };
};
export type CountTask = {
  id: TaskId;
  location: LocationId;
  reason: string;
  status: CountStatus;
  /** Shelf quantity per SKU as of `count.started`'s place in the ledger. */
  snapshot?: Record<string, number>;
  /** The `count.started` that opened the current counting window. */
  started?: { eventId: EventId; actor: UserId };
  /**
   * The recorded count awaiting approval (or the one posted), with who counted it. Named `held`
   * in the wire answer and the `count_tasks` column, which keep that name.
   */
  held?: RecordedCount;
};

/** One `pick.held`: what the picker said (`qty`), what moved (`taken`), and how much of each is undone. */
export type PickRecord = {
  eventId: EventId;
  pickListId: string;
  lineId: string;
  sku: Sku;
  location: LocationId;
  qty: number;
  taken: number;
  undone: number;
  returned: number;
};
/**
 * One applied `pick.short`: what the picker said was missing, what moved `available -> suspect`
 * (`moved`), and its undo (a short is undone once: `undone` units, `returned` of them moved back).
 */
export type ShortRecord = {
  eventId: EventId;
  pickListId: string;
  lineId: string;
  sku: Sku;
  location: LocationId;
  missing: number;
  moved: number;
  undone: number;
  returned: number;
};
export type PickLineRecord = { pickListId: string; lineId: string; sku: string; location: string; qty: number; picked: number; short: number };
export type ReturnRecord = { returnId: string; sku: string; location: string; qty: number; resolved: number };

/** A count posts by itself when every line's variance is within this many units or this share of expected. */
export const COUNT_TOLERANCE_UNITS = 2;
export const COUNT_TOLERANCE_SHARE = 0.1;

/** Whether a variance is large enough to need a second count or a supervisor. */
export function varianceNeedsApproval(line: Pick<CountLine, 'expected' | 'variance'>): boolean {
  const v = Math.abs(line.variance);
  return v > COUNT_TOLERANCE_UNITS && v > line.expected * COUNT_TOLERANCE_SHARE;
}

/** The read side the stock rules need: current central figures and the records events refer to. */
export interface CentralView {
  buckets(sku: Sku, location: LocationId): Buckets;
  /** SKUs with anything on the shelf at a location. */
  skusAt(location: LocationId): Sku[];
  countTask(id: TaskId): CountTask | undefined;
  pick(eventId: string): PickRecord | undefined;
  /** An applied `pick.short`, by its event id. */
  short(eventId: string): ShortRecord | undefined;
  pickLine(pickListId: string, lineId: string): PickLineRecord | undefined;
  returnOf(returnId: string): ReturnRecord | undefined;
  /** Movements at a started task's bin since its `count.started`, in ledger order. */
  movementsSince(taskId: TaskId): Movement[];
}

/** Master data the checks need: what exists. */
export interface World {
  skuKnown(sku: string): boolean;
  locationKind(location: string): LocationKind | undefined;
  receiptKnown(receiptId: string): boolean;
}

export type Effect = {
  moves: Move[];
  discrepancies: Discrepancy[];
  /** Count tasks created or changed by this event, whole. */
  countTasks: CountTask[];
  /** Pick records created or changed, whole. */
  picks: PickRecord[];
  /** Short records created or changed, whole. */
  shorts: ShortRecord[];
  /** Changes of a pick line's picked and short figures. */
  lines: { pickListId: string; lineId: string; picked: number; short: number }[];
  /** Returns created or changed, whole. */
  returns: ReturnRecord[];
  /** Movements this event makes, one per place it names. */
  movements: Movement[];
};

export const noEffect = (): Effect => ({ moves: [], discrepancies: [], countTasks: [], picks: [], shorts: [], lines: [], returns: [], movements: [] });

export type Refusal = { code: RejectionCode; message: string };

/** The count task id raised automatically by the API for a discrepancy found by event `eventId`. */
export const discrepancyTaskId = (eventId: EventId): TaskId => `cnt-${eventId}` as TaskId;

const closed = (t: CountTask) => t.status === 'posted' || t.status === 'cancelled';
const remainingOnLine = (l: PickLineRecord) => l.qty - l.picked - l.short;

/** The SKU and location pairs an event names (stock rows it may move). */
export function placesOf(event: FloorEvent): { sku: Sku; location: LocationId }[] {
  switch (event.type) {
    case 'pick.held':
    case 'pick.short':
    case 'pick.undone':
    case 'pick.short_undone':
    case 'receipt.received':
    case 'return.quarantined':
      return [{ sku: event.payload.sku, location: event.payload.location }];
    case 'qc.released':
      return [
        { sku: event.payload.sku, location: event.payload.from },
        { sku: event.payload.sku, location: event.payload.to },
      ];
    case 'return.resolved': {
      const p = event.payload;
      return p.decision === 'resale'
        ? [
            { sku: p.sku, location: p.from },
            { sku: p.sku, location: p.to },
          ]
        : [{ sku: p.sku, location: p.from }];
    }
    case 'count.recorded':
      return event.payload.lines.map((l) => ({ sku: l.sku, location: event.payload.location }));
    case 'count.started':
    case 'count.approved':
      return [];
    default:
      return assertNever(event, 'event');
  }
}

/** The movements an event makes at the places it names (counts are not movements: they are what movements are checked against). */
export function movementsOf(event: FloorEvent): Movement[] {
  const at = (sku: Sku, qty: number, locations: LocationId[]): Movement[] =>
    [...new Set(locations)].map((location) => ({ eventId: event.id as EventId, type: event.type, actor: event.actor, sku, location, qty }));
  switch (event.type) {
    case 'pick.held':
    case 'pick.undone':
    case 'pick.short_undone':
    case 'receipt.received':
    case 'return.quarantined':
      return at(event.payload.sku, event.payload.qty, [event.payload.location]);
    case 'pick.short':
      return at(event.payload.sku, event.payload.missingQty, [event.payload.location]);
    case 'qc.released':
      return at(event.payload.sku, event.payload.qty, [event.payload.from, event.payload.to]);
    case 'return.resolved': {
      const p = event.payload;
      return at(p.sku, p.qty, p.decision === 'resale' ? [p.from, p.to] : [p.from]);
    }
    case 'count.started':
    case 'count.recorded':
    case 'count.approved':
      return [];
    default:
      return assertNever(event, 'event');
  }
}

/** The event types that move stock: the ones a count's window looks for. */
export const MOVING_TYPES: readonly FloorEvent['type'][] = [
  'pick.held',
  'pick.short',
  'pick.undone',
  'pick.short_undone',
  'receipt.received',
  'qc.released',
  'return.quarantined',
  'return.resolved',
];

function namedLocations(event: FloorEvent): string[] {
  if (event.type === 'count.started' || event.type === 'count.recorded') return [event.payload.location];
  return placesOf(event).map((p) => p.location);
}

/**
 * Whether an event may take effect: what it names exists, its references are real and unused,
 * and it asks no more than they allow. `undefined` means it may; a refusal is recorded, never applied.
 */
export function checkEvent(event: FloorEvent, view: CentralView, world: World): Refusal | undefined {
  const refuse = (code: RejectionCode, message: string): Refusal => ({ code, message });
  for (const { sku } of placesOf(event)) if (!world.skuKnown(sku)) return refuse('unknown_sku', `unknown SKU "${sku}": not in the catalog`);
  for (const location of namedLocations(event)) if (!world.locationKind(location)) return refuse('unknown_location', `unknown location "${location}"`);
  const kind = (location: string, wanted: LocationKind, what: string) =>
    world.locationKind(location) === wanted
      ? undefined
      : refuse('wrong_location_kind', `${what} ${location} is a ${world.locationKind(location) ?? 'unknown place'}, not a ${wanted}`);
  switch (event.type) {
    case 'pick.held':
    case 'pick.short': {
      const p = event.payload;
      const line = view.pickLine(p.pickListId, p.lineId);
      if (!line) return refuse('unknown_pick_line', `pick list ${p.pickListId} has no line ${p.lineId}`);
      if (line.sku !== p.sku || line.location !== p.location) {
        return refuse('reference_mismatch', `line ${p.lineId} of ${p.pickListId} is ${line.sku} at ${line.location}, not ${p.sku} at ${p.location}`);
      }
      const qty = event.type === 'pick.held' ? event.payload.qty : event.payload.missingQty;
      if (qty > remainingOnLine(line)) {
        return refuse('exceeds_reference', `line ${p.lineId} of ${p.pickListId} wants ${Math.max(0, remainingOnLine(line))} more, not ${qty}`);
      }
      return undefined;
    }
    case 'pick.undone': {
      const p = event.payload;
      const pick = view.pick(p.corrects.toLowerCase());
      if (!pick) return refuse('unknown_pick', `no applied pick ${p.corrects} to undo`);
      if (pick.sku !== p.sku || pick.location !== p.location) {
        return refuse('reference_mismatch', `pick ${p.corrects} was ${pick.sku} at ${pick.location}, not ${p.sku} at ${p.location}`);
      }
      if (p.qty > pick.qty - pick.undone) {
        return refuse('exceeds_reference', `pick ${p.corrects} held ${pick.qty}, of which ${pick.undone} are undone already: ${p.qty} cannot be undone`);
      }
      return undefined;
    }
    case 'pick.short_undone': {
      const p = event.payload;
      const short = view.short(p.corrects.toLowerCase());
      if (!short) return refuse('unknown_short', `no applied short ${p.corrects} to undo`);
      if (short.pickListId !== p.pickListId || short.lineId !== p.lineId) {
        return refuse('reference_mismatch', `short ${p.corrects} is on line ${short.lineId} of ${short.pickListId}, not line ${p.lineId} of ${p.pickListId}`);
      }
      if (short.sku !== p.sku || short.location !== p.location) {
        return refuse('reference_mismatch', `short ${p.corrects} was ${short.sku} at ${short.location}, not ${p.sku} at ${p.location}`);
      }
      if (short.undone > 0) return refuse('already_undone', `short ${p.corrects} is undone already: a short is undone once`);
      if (p.qty > short.missing) return refuse('exceeds_reference', `short ${p.corrects} reported ${short.missing} missing: ${p.qty} cannot be undone`);
      return undefined;
    }
    case 'receipt.received':
      if (!world.receiptKnown(event.payload.receiptId)) return refuse('unknown_receipt', `no receipt ${event.payload.receiptId}`);
      return kind(event.payload.location, 'dock', 'goods are received at a dock:');
    case 'qc.released':
      return kind(event.payload.from, 'dock', 'QC is released from a dock:') ?? kind(event.payload.to, 'bin', 'goods are put away into a bin:');
    case 'return.quarantined':
      if (view.returnOf(event.payload.returnId)) return refuse('duplicate_return', `return ${event.payload.returnId} is already recorded`);
      return kind(event.payload.location, 'returns', 'returns are quarantined in a returns area:');
    case 'return.resolved': {
      const p = event.payload;
      const r = view.returnOf(p.returnId);
      if (!r) return refuse('unknown_return', `no return ${p.returnId} in quarantine`);
      const open = r.qty - r.resolved;
      if (open <= 0) return refuse('exceeds_reference', `return ${p.returnId} is already decided`);
      if (r.sku !== p.sku || r.location !== p.from)
        return refuse('reference_mismatch', `return ${p.returnId} is ${r.sku} at ${r.location}, not ${p.sku} at ${p.from}`);
      if (p.qty > open) return refuse('exceeds_reference', `return ${p.returnId} has ${open} open, not ${p.qty}`);
      return p.decision === 'resale' ? kind(p.to, 'bin', 'a resale goes into a bin:') : undefined;
    }
    case 'count.started':
    case 'count.recorded': {
      const task = view.countTask(event.payload.countTaskId);
      if (task && closed(task)) return refuse('task_closed', `count task ${task.id} is ${task.status}: it posts once`);
      if (task && task.location !== event.payload.location)
        return refuse('reference_mismatch', `count task ${task.id} is for ${task.location}, not ${event.payload.location}`);
      return undefined;
    }
    case 'count.approved': {
      const task = view.countTask(event.payload.countTaskId);
      if (!task || task.status !== 'awaiting_approval' || !task.held) {
        return refuse('not_awaiting_approval', `count task ${event.payload.countTaskId} is ${task ? task.status : 'unknown'}: nothing awaits a decision`);
      }
      return undefined;
    }
    default:
      return assertNever(event, 'event');
  }
}

/** The first move that would push a bucket above `BUCKET_CAP`, if any. */
function overCap(effect: Effect, view: CentralView): Move | undefined {
  const totals = new Map<string, number>();
  for (const m of effect.moves) {
    const k = `${stockKey(m.sku, m.location)}\u0000${m.bucket}`;
    const next = (totals.get(k) ?? view.buckets(m.sku, m.location)[m.bucket]) + m.delta;
    totals.set(k, next);
    if (m.delta > 0 && next > BUCKET_CAP) return m;
  }
  return undefined;
}

/** Checks and plans one event: its effect, or why it must be rejected (nothing applied). */
export function decideEvent(event: FloorEvent, view: CentralView, world: World): { ok: true; effect: Effect } | { ok: false; refusal: Refusal } {
  const refusal = checkEvent(event, view, world);
  if (refusal) return { ok: false, refusal };
  const effect = planEvent(event, view);
  const over = overCap(effect, view);
  if (over) {
    return { ok: false, refusal: { code: 'limit_exceeded', message: `${over.bucket} of ${over.sku} at ${over.location} would exceed ${BUCKET_CAP} units` } };
  }
  return { ok: true, effect };
}

function recountTask(id: TaskId, location: LocationId, reason: string, view: CentralView): CountTask[] {
  const existing = view.countTask(id);
  if (existing && !closed(existing)) return [];
  return [{ id, location, reason, status: 'open' }];
}

/** Moves `qty` units (already clamped by the caller) from one bucket to another. */
function move(
  effect: Effect,
  sku: Sku,
  from: { location: LocationId; bucket: Bucket },
  to: { location: LocationId; bucket: Bucket } | null,
  qty: number,
): void {
  if (qty <= 0) return;
  effect.moves.push({ sku, location: from.location, bucket: from.bucket, delta: -qty });
  if (to) effect.moves.push({ sku, location: to.location, bucket: to.bucket, delta: qty });
}

/**
 * What one event does to the central figures, given that `checkEvent` accepted it (replay plans
 * applied events only). A movement takes `min(asked, held at the source)`; the rest is a claim.
 */
export function planEvent(event: FloorEvent, view: CentralView): Effect {
  const effect = noEffect();
  effect.movements.push(...movementsOf(event));
  const claim = (d: Discrepancy) => {
    effect.discrepancies.push(d);
    effect.countTasks.push(...recountTask(discrepancyTaskId(event.id), d.location, d.message, view));
  };
  switch (event.type) {
    case 'pick.held': {
      const p = event.payload;
      const had = view.buckets(p.sku, p.location).available;
      const taken = Math.min(had, p.qty);
      move(effect, p.sku, { location: p.location, bucket: 'available' }, { location: p.location, bucket: 'committed' }, taken);
      if (taken < p.qty) {
        claim({
          kind: 'pick_exceeds_available',
          sku: p.sku,
          location: p.location,
          expected: had,
          reported: p.qty,
          claimed: p.qty - taken,
          message: `picked ${p.qty} of ${p.sku} at ${p.location}, but only ${had} were available`,
        });
      }
      effect.picks.push({
        eventId: event.id,
        pickListId: p.pickListId,
        lineId: p.lineId,
        sku: p.sku,
        location: p.location,
        qty: p.qty,
        taken,
        undone: 0,
        returned: 0,
      });
      effect.lines.push({ pickListId: p.pickListId, lineId: p.lineId, picked: p.qty, short: 0 });
      return effect;
    }
    case 'pick.short': {
      const p = event.payload;
      // Only units the figures hold can become suspect.
      const had = view.buckets(p.sku, p.location).available;
      const moved = Math.min(had, p.missingQty);
      move(effect, p.sku, { location: p.location, bucket: 'available' }, { location: p.location, bucket: 'suspect' }, moved);
      effect.discrepancies.push({
        kind: 'short_pick',
        sku: p.sku,
        location: p.location,
        expected: had,
        reported: had - moved,
        claimed: 0,
        message: `short pick: ${p.missingQty} of ${p.sku} missing at ${p.location}`,
      });
      effect.countTasks.push(...recountTask(p.countTaskId, p.location, `short pick of ${p.sku}`, view));
      effect.lines.push({ pickListId: p.pickListId, lineId: p.lineId, picked: 0, short: p.missingQty });
      effect.shorts.push({
        eventId: event.id,
        pickListId: p.pickListId,
        lineId: p.lineId,
        sku: p.sku,
        location: p.location,
        missing: p.missingQty,
        moved,
        undone: 0,
        returned: 0,
      });
      return effect;
    }
    case 'pick.short_undone': {
      const p = event.payload;
      const short = view.short(p.corrects.toLowerCase());
      if (!short) return effect;
      // Back to available goes at most what that short moved and is still suspect: a count that
      // settled the bin in between already made the shelf what the counter found.
      const suspect = view.buckets(p.sku, p.location).suspect;
      const back = Math.max(0, Math.min(p.qty, short.moved - short.returned, suspect));
      move(effect, p.sku, { location: p.location, bucket: 'suspect' }, { location: p.location, bucket: 'available' }, back);
      effect.shorts.push({ ...short, undone: short.undone + p.qty, returned: short.returned + back });
      effect.lines.push({ pickListId: short.pickListId, lineId: short.lineId, picked: 0, short: -p.qty });
      return effect;
    }
    case 'pick.undone': {
      const p = event.payload;
      const pick = view.pick(p.corrects.toLowerCase());
      if (!pick) return effect;
      // Back to the shelf goes at most what this pick moved and has not returned yet.
      const committed = view.buckets(p.sku, p.location).committed;
      const back = Math.max(0, Math.min(p.qty, pick.taken - pick.returned, committed));
      move(effect, p.sku, { location: p.location, bucket: 'committed' }, { location: p.location, bucket: 'available' }, back);
      if (back < p.qty) {
        claim({
          kind: 'undo_exceeds_committed',
          sku: p.sku,
          location: p.location,
          expected: back,
          reported: p.qty,
          claimed: p.qty - back,
          message: `undo of ${p.qty} ${p.sku} at ${p.location}, but that pick committed only ${back} still held`,
        });
      }
      effect.picks.push({ ...pick, undone: pick.undone + p.qty, returned: pick.returned + back });
      effect.lines.push({ pickListId: pick.pickListId, lineId: pick.lineId, picked: -p.qty, short: 0 });
      return effect;
    }
    case 'receipt.received': {
      const p = event.payload;
      effect.moves.push({ sku: p.sku, location: p.location, bucket: 'qc', delta: p.qty });
      return effect;
    }
    case 'qc.released': {
      const p = event.payload;
      const had = view.buckets(p.sku, p.from).qc;
      const taken = Math.min(had, p.qty);
      move(effect, p.sku, { location: p.from, bucket: 'qc' }, { location: p.to, bucket: 'available' }, taken);
      if (taken < p.qty) {
        claim({
          kind: 'release_exceeds_qc',
          sku: p.sku,
          location: p.from,
          expected: had,
          reported: p.qty,
          claimed: p.qty - taken,
          message: `released ${p.qty} of ${p.sku} from QC at ${p.from}, but only ${had} were in QC`,
        });
      }
      return effect;
    }
    case 'return.quarantined': {
      const p = event.payload;
      effect.moves.push({ sku: p.sku, location: p.location, bucket: 'quarantine', delta: p.qty });
      effect.returns.push({ returnId: p.returnId, sku: p.sku, location: p.location, qty: p.qty, resolved: 0 });
      return effect;
    }
    case 'return.resolved': {
      const p = event.payload;
      const had = view.buckets(p.sku, p.from).quarantine;
      const taken = Math.min(had, p.qty);
      move(effect, p.sku, { location: p.from, bucket: 'quarantine' }, p.decision === 'resale' ? { location: p.to, bucket: 'available' } : null, taken);
      if (taken < p.qty) {
        claim({
          kind: 'resolve_exceeds_quarantine',
          sku: p.sku,
          location: p.from,
          expected: had,
          reported: p.qty,
          claimed: p.qty - taken,
          message: `resolved ${p.qty} of ${p.sku} from quarantine at ${p.from}, but only ${had} were there`,
        });
      }
      const r = view.returnOf(p.returnId);
      if (r) effect.returns.push({ ...r, resolved: r.resolved + p.qty });
      return effect;
    }
    case 'count.started': {
      const p = event.payload;
      const task = view.countTask(p.countTaskId) ?? { id: p.countTaskId, location: p.location, reason: 'counter started a count', status: 'open' as const };
      // A recount of a held count keeps it in front of the supervisor until it is recorded.
      const status = task.status === 'awaiting_approval' ? 'awaiting_approval' : 'started';
      effect.countTasks.push({
        ...task,
        location: p.location,
        status,
        snapshot: currentShelf(view, p.location),
        started: { eventId: event.id, actor: event.actor },
      });
      return effect;
    }
    case 'count.recorded':
      return recordCount(effect, event, view);
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

/**
 * A count posts by itself only when it is unambiguous: nothing moved at the bin between its
 * `count.started` and its record, every variance is within tolerance, and no earlier count of
 * another counter disagrees with it. Otherwise it waits for a supervisor with the movements
 * listed. Its variance is measured against the shelf at the record's place in the ledger (the
 * bin at the start plus the movements since), so a pick made during the count is never
 * subtracted twice; posting (now or on approval) adds that variance to the shelf as it is then.
 */
function recordCount(effect: Effect, event: Extract<FloorEvent, { type: 'count.recorded' }>, view: CentralView): Effect {
  const p = event.payload;
  const task = view.countTask(p.countTaskId) ?? { id: p.countTaskId, location: p.location, reason: 'unplanned count', status: 'open' as const };
  const movements = task.started ? view.movementsSince(task.id).filter((m) => m.location === p.location) : [];
  const lines = countLines(p.lines, view, p.location);
  const recorded: RecordedCount = { actor: event.actor, eventId: event.id, lines, movements };
  const first = task.status === 'awaiting_approval' ? task.held : undefined;
  let needsSupervisor = movements.length > 0 || lines.some(varianceNeedsApproval);
  if (first) {
    // A second opinion settles a count awaiting approval only when another counter finds the same.
    const agree = first.actor !== event.actor && countsAgree(first.lines, lines);
    needsSupervisor = movements.length > 0 || !agree;
    if (needsSupervisor) recorded.previous = { actor: first.actor, lines: first.lines };
  }
  const { started: _closedWindow, ...rest } = task;
  if (needsSupervisor) {
    effect.countTasks.push({ ...rest, location: p.location, status: 'awaiting_approval', held: recorded });
    return effect;
  }
  postCount(effect, lines, p.location, view);
  effect.countTasks.push({ ...rest, location: p.location, status: 'posted', held: recorded });
  return effect;
}

/** Two counts agree when no SKU differs between them beyond the count tolerance. */
function countsAgree(a: readonly CountLine[], b: readonly CountLine[]): boolean {
  const skus = new Set([...a.map((l) => l.sku), ...b.map((l) => l.sku)]);
  for (const sku of skus) {
    const x = a.find((l) => l.sku === sku);
    const y = b.find((l) => l.sku === sku);
    if (varianceNeedsApproval({ expected: y?.expected ?? x?.expected ?? 0, variance: (y?.counted ?? 0) - (x?.counted ?? 0) })) return false;
  }
  return true;
}

function currentShelf(view: CentralView, location: LocationId): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sku of view.skusAt(location)) out[sku] = shelf(view.buckets(sku, location));
  return out;
}

/** Compares a blind count with the shelf now; SKUs on the shelf but not counted count as zero. */
function countLines(counted: readonly { sku: Sku; qty: number }[], view: CentralView, location: LocationId): CountLine[] {
  const totals = new Map<Sku, number>();
  for (const l of counted) totals.set(l.sku, (totals.get(l.sku) ?? 0) + l.qty);
  for (const sku of view.skusAt(location)) if (!totals.has(sku)) totals.set(sku, 0);
  return [...totals].map(([sku, c]) => {
    const expected = shelf(view.buckets(sku, location));
    return { sku, expected, counted: c, variance: c - expected };
  });
}

/** Posts a count as a correction: the shelf becomes (shelf now) + variance, and `suspect` is resolved into it. */
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
        claimed: 0,
        message: `count of ${line.sku} at ${location}: expected ${line.expected}, counted ${line.counted}`,
      });
    }
  }
}

export const stockKey = (sku: string, location: string): string => `${sku}\u0000${location}`;
const lineKey = (pickListId: string, lineId: string): string => `${pickListId}\u0000${lineId}`;

/** Central state held in memory: the working set of one push, and what a ledger replay folds into. */
export class MemoryCentral implements CentralView {
  readonly stock = new Map<string, { sku: Sku; location: LocationId; buckets: Buckets }>();
  readonly tasks = new Map<string, CountTask>();
  readonly picks = new Map<string, PickRecord>();
  readonly shorts = new Map<string, ShortRecord>();
  readonly lines = new Map<string, PickLineRecord>();
  readonly returns = new Map<string, ReturnRecord>();
  /** Movements per started task since its start; only tasks with a list collect them. */
  readonly movements = new Map<string, Movement[]>();

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

  pick(eventId: string): PickRecord | undefined {
    return this.picks.get(eventId);
  }

  short(eventId: string): ShortRecord | undefined {
    return this.shorts.get(eventId);
  }

  pickLine(pickListId: string, lineId: string): PickLineRecord | undefined {
    const l = this.lines.get(lineKey(pickListId, lineId));
    return l && { ...l };
  }

  addPickLine(line: PickLineRecord): void {
    this.lines.set(lineKey(line.pickListId, line.lineId), { ...line });
  }

  returnOf(returnId: string): ReturnRecord | undefined {
    return this.returns.get(returnId);
  }

  movementsSince(taskId: TaskId): Movement[] {
    return [...(this.movements.get(taskId) ?? [])];
  }

  /** Adds units straight to a bucket: opening balances and loaded rows. */
  credit(sku: Sku, location: LocationId, bucket: Bucket, qty: number): void {
    const key = stockKey(sku, location);
    const row = this.stock.get(key) ?? { sku, location, buckets: emptyBuckets() };
    row.buckets[bucket] += qty;
    this.stock.set(key, row);
  }

  /** Applies an effect computed by `planEvent`. */
  apply(effect: Effect): void {
    for (const m of effect.moves) this.credit(m.sku, m.location, m.bucket, m.delta);
    for (const p of effect.picks) this.picks.set(p.eventId, p);
    for (const r of effect.shorts) this.shorts.set(r.eventId, r);
    for (const d of effect.lines) {
      const l = this.lines.get(lineKey(d.pickListId, d.lineId));
      if (l) {
        l.picked += d.picked;
        l.short += d.short;
      }
    }
    for (const r of effect.returns) this.returns.set(r.returnId, r);
    for (const t of effect.countTasks) {
      const before = this.tasks.get(t.id);
      // A new counting window starts with no movements; a closed one stops collecting.
      if (!t.started) this.movements.delete(t.id);
      else if (before?.started?.eventId !== t.started.eventId) this.movements.set(t.id, []);
      this.tasks.set(t.id, t);
    }
    for (const m of effect.movements) {
      for (const [id, list] of this.movements) if (this.tasks.get(id)?.location === m.location) list.push(m);
    }
  }
}
