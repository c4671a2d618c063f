/**
 * Pick-to-hold: bind a tote to the order, then line by line scan the bin and each item into
 * the tote. Every accepted item is a `pick.held` at once; "fewer here" records what was found
 * and a `pick.short` that raises the blind count for the bin; undo records `pick.undone` for a
 * pick and `pick.short_undone` for a confirmed short (from the same list).
 */
import type { DraftEvent } from '../events.ts';
import { asLocation, asSku, asTask, asTote, asEventId, asQty, MAX_QTY, type LocationId, type Sku, type TaskId, type ToteId } from '../ids.ts';
import type { CatalogItem, PickList } from '../protocol.ts';
import {
  describeScan,
  duplicate,
  lookupGtin,
  nameOf,
  needsSupervisor,
  ok,
  parseQuantity,
  refuse,
  unreadable,
  wrong,
  type Feedback,
  type FeedbackCode,
  type FeedbackParams,
  type Step,
  type WorkflowScan,
} from './common.ts';

export type PickLineState = { lineId: string; sku: Sku; location: LocationId; qty: number; picked: number; short: number };
/** One `pick.held` of this list; `eventId` arrives once the event log has stored it. */
export type HeldPick = { eventId?: string; lineId: string; sku: Sku; location: LocationId; qty: number; undone: boolean };
/** One confirmed `pick.short` of this list; `eventId` arrives once the event log has stored it. */
export type ShortTaken = { eventId?: string; lineId: string; sku: Sku; location: LocationId; missing: number; undone: boolean };

export type PickState = {
  pickListId: TaskId;
  orderRef: string;
  lines: PickLineState[];
  tote: ToteId | null;
  /** Index of the line being picked; -1 once every line is picked or short. */
  current: number;
  /** The current line's bin has been scanned. */
  atBin: boolean;
  /** Units keyed for the next item scan. */
  pendingQty: number | null;
  /**
   * A short the worker reported and has not confirmed yet: nothing is recorded until they do.
   * `hold` units are still taken from the bin; `missing` become the short.
   */
  pendingShort: { lineId: string; hold: number; missing: number } | null;
  held: HeldPick[];
  shorts: ShortTaken[];
};

/** An event the device's log holds (or has just stored), as the workflow needs it. */
export type LoggedEvent = { id: string; type: string; payload: unknown };

export type PickInput =
  | { type: 'scan'; scan: WorkflowScan }
  | { type: 'quantity'; text: string }
  /**
   * "Fewer here": the bin held `found` units for this line in all, counting those already
   * scanned from it (text as keyed; "0" for "none here"). Asks for a confirmation.
   */
  | { type: 'short'; found: string }
  /** The worker confirms (or cancels) the short the reducer asked about. */
  | { type: 'confirmShort' }
  | { type: 'cancelShort' }
  /** Undo a held pick: the named one, or the last one. */
  | { type: 'undo'; eventId?: string }
  /** Take back a confirmed short (a mistaken "none here"): the line wants the units again. */
  | { type: 'undoShort'; eventId: string }
  /** The event log stored these events: picks get their ids, so they can be undone. */
  | { type: 'logged'; events: LoggedEvent[] };

export type PickContext = { catalog: readonly CatalogItem[] };

const resolved = (l: PickLineState) => l.picked + l.short >= l.qty;
const remaining = (l: PickLineState) => Math.max(0, l.qty - l.picked - l.short);
const firstOpen = (lines: readonly PickLineState[]) => lines.findIndex((l) => !resolved(l));

/** The count task a short pick raises: made from the line, so a second short on it joins the same task. */
export function shortCountTaskId(pickListId: string, lineId: string): TaskId {
  const safeLine = lineId.replace(/[^A-Za-z0-9._:/-]/g, '_');
  return asTask(`short-${pickListId}-${safeLine}`.slice(0, 64));
}

type HeldPayload = { pickListId: string; lineId: string; sku: string; location: string; qty: number; tote: string };
type ShortPayload = { pickListId: string; lineId: string; sku: string; location: string; missingQty: number };
type UndonePayload = { corrects: string };
type ShortUndonePayload = { corrects: string; qty: number };

/**
 * Starts (or resumes) a pick list. `history` is what this device's log holds for the list, so a
 * reload resumes where the worker was: the API's `picked` and the log are not added twice.
 */
export function startPick(list: PickList, history: readonly LoggedEvent[] = []): PickState {
  const held: HeldPick[] = [];
  const shorts: ShortTaken[] = [];
  let tote: ToteId | null = null;
  for (const e of history) {
    if (e.type === 'pick.held') {
      const p = e.payload as HeldPayload;
      if (p.pickListId !== list.id) continue;
      held.push({ eventId: e.id, lineId: p.lineId, sku: asSku(p.sku), location: asLocation(p.location), qty: p.qty, undone: false });
      tote = asTote(p.tote);
    } else if (e.type === 'pick.short') {
      const p = e.payload as ShortPayload;
      if (p.pickListId === list.id)
        shorts.push({ eventId: e.id, lineId: p.lineId, sku: asSku(p.sku), location: asLocation(p.location), missing: p.missingQty, undone: false });
    } else if (e.type === 'pick.undone') {
      const p = e.payload as UndonePayload;
      const h = held.find((x) => x.eventId === p.corrects);
      if (h) h.undone = true;
    } else if (e.type === 'pick.short_undone') {
      const p = e.payload as ShortUndonePayload;
      const s = shorts.find((x) => x.eventId === p.corrects);
      if (s) s.undone = true;
    }
  }
  const lines = list.lines.map((l) => {
    const local = held.filter((h) => h.lineId === l.lineId && !h.undone).reduce((n, h) => n + h.qty, 0);
    const mine = shorts.filter((s) => s.lineId === l.lineId);
    const shortHere = mine.filter((s) => !s.undone).reduce((n, s) => n + s.missing, 0);
    // The API's figure may not know this device's undos yet: they are taken off it, never below what this device still holds short.
    const takenBack = mine.filter((s) => s.undone).reduce((n, s) => n + s.missing, 0);
    return {
      lineId: l.lineId,
      sku: asSku(l.sku),
      location: asLocation(l.location),
      qty: l.qty,
      picked: Math.max(l.picked, local),
      short: Math.max(0, (l.short ?? 0) - takenBack, shortHere),
    };
  });
  return {
    pickListId: asTask(list.id),
    orderRef: list.orderRef,
    lines,
    tote,
    current: firstOpen(lines),
    atBin: false,
    pendingQty: null,
    pendingShort: null,
    held,
    shorts,
  };
}

/** What is on the tote: units per SKU from the held picks not undone. */
export function toteContents(state: PickState): { sku: Sku; qty: number }[] {
  const by = new Map<Sku, number>();
  for (const h of state.held) if (!h.undone) by.set(h.sku, (by.get(h.sku) ?? 0) + h.qty);
  return [...by].map(([sku, qty]) => ({ sku, qty }));
}

/** Held picks that can be undone now (stored, not undone yet), newest first. */
export function undoablePicks(state: PickState): (HeldPick & { eventId: string })[] {
  return state.held.filter((h): h is HeldPick & { eventId: string } => h.eventId !== undefined && !h.undone).reverse();
}

/** Confirmed shorts that can be taken back now (stored, not undone yet), newest first. */
export function undoableShorts(state: PickState): (ShortTaken & { eventId: string })[] {
  return state.shorts.filter((s): s is ShortTaken & { eventId: string } => s.eventId !== undefined && !s.undone).reverse();
}

/** What the screen asks the worker for next, as a code with parameters. */
export function pickPrompt(state: PickState, ctx: PickContext): { code: FeedbackCode; params: FeedbackParams } {
  if (state.tote === null) return { code: 'prompt.pickTote', params: { order: state.orderRef } };
  const line = state.lines[state.current];
  if (!line) return { code: 'prompt.pickDone', params: { order: state.orderRef, tote: state.tote } };
  if (!state.atBin) return { code: 'prompt.goToBin', params: { bin: line.location } };
  return { code: 'prompt.pick', params: { qty: remaining(line), name: nameOf(ctx.catalog, line.sku), sku: line.sku } };
}

/** The pick-to-hold reducer. */
export function pickStep(state: PickState, input: PickInput, ctx: PickContext): Step<PickState> {
  switch (input.type) {
    case 'scan':
      return onScan(state, input.scan, ctx);
    case 'quantity':
      return onQuantity(state, input.text, ctx);
    case 'short':
      return onShort(state, input.found, ctx);
    case 'confirmShort':
      return onConfirmShort(state, ctx);
    case 'cancelShort':
      if (!state.pendingShort) return refuse(state, wrong('pick.shortNone'));
      return { state: { ...state, pendingShort: null }, events: [], feedback: [ok('pick.shortCancelled')] };
    case 'undo':
      return onUndo(state, input.eventId, ctx);
    case 'undoShort':
      return onUndoShort(state, input.eventId, ctx);
    case 'logged':
      return { state: onLogged(state, input.events), events: [], feedback: [] };
  }
}

function onScan(state: PickState, scan: WorkflowScan, ctx: PickContext): Step<PickState> {
  if (scan.kind === 'unreadable') return refuse(state, unreadable(scan));
  if (state.pendingShort) return refuse(state, wrong('pick.shortPending'));
  if (state.tote === null) {
    if (scan.kind !== 'tote') return refuse(state, wrong('pick.toteFirst', describeScan(scan)));
    return { state: { ...state, tote: asTote(scan.tote) }, events: [], feedback: [ok('pick.toteBound', { tote: scan.tote, order: state.orderRef })] };
  }
  if (scan.kind === 'tote') {
    if (scan.tote === state.tote) return refuse(state, duplicate('pick.toteAlready', { tote: scan.tote }));
    return refuse(state, wrong('pick.wrongTote', { order: state.orderRef, tote: state.tote }));
  }
  const line = state.lines[state.current];
  if (!line) return refuse(state, wrong('pick.complete', { order: state.orderRef }));
  if (scan.kind === 'location') {
    if (scan.location !== line.location) return refuse(state, wrong('pick.wrongBin', { scanned: scan.location, bin: line.location }));
    if (state.atBin) return refuse(state, duplicate('pick.alreadyAtBin', { bin: line.location }));
    return {
      state: { ...state, atBin: true },
      events: [],
      feedback: [ok('pick.atBin', { bin: line.location, qty: remaining(line), name: nameOf(ctx.catalog, line.sku) })],
    };
  }
  if (scan.kind !== 'goods') return refuse(state, wrong('pick.notExpected', describeScan(scan)));
  if (!state.atBin) return refuse(state, wrong('pick.binFirst', { bin: line.location }));
  const match = lookupGtin(ctx.catalog, scan.gtin);
  if (!match) return refuse(state, wrong('item.unknown', { gtin: scan.gtin }));
  if (match.sku !== line.sku) {
    return refuse(state, wrong('pick.wrongItem', { name: match.name, sku: match.sku, wantName: nameOf(ctx.catalog, line.sku), wantSku: line.sku }));
  }
  const units = state.pendingQty ?? match.units * (scan.count ?? 1);
  if (units > remaining(line)) {
    return refuse({ ...state, pendingQty: null }, wrong('pick.tooMany', { qty: units, need: remaining(line) }));
  }
  return hold(state, line, units, ctx, []);
}

function hold(state: PickState, line: PickLineState, units: number, ctx: PickContext, before: DraftEvent[]): Step<PickState> {
  const tote = state.tote as ToteId;
  const event: DraftEvent = {
    type: 'pick.held',
    payload: { pickListId: state.pickListId, lineId: line.lineId, sku: line.sku, location: line.location, tote, qty: asQty(units) },
  };
  const lines = state.lines.map((l) => (l === line ? { ...l, picked: l.picked + units } : l));
  const held = [...state.held, { lineId: line.lineId, sku: line.sku, location: line.location, qty: units, undone: false }];
  const moved = advance({ ...state, lines, held, pendingQty: null }, line.location);
  const updated = moved.lines[state.current] as PickLineState;
  const said = { qty: units, name: nameOf(ctx.catalog, line.sku), tote };
  const feedback: Feedback[] = [resolved(updated) ? ok('pick.held', said) : ok('pick.heldToGo', { ...said, left: remaining(updated) })];
  return { state: moved, events: [...before, event], feedback };
}

/** Moves to the first open line; the worker stays "at the bin" if the next line is in the same one. */
function advance(state: PickState, location: LocationId): PickState {
  const current = firstOpen(state.lines);
  const next = state.lines[current];
  return { ...state, current, atBin: next !== undefined && state.atBin && next.location === location };
}

function onQuantity(state: PickState, text: string, ctx: PickContext): Step<PickState> {
  const line = state.lines[state.current];
  if (!line || state.tote === null || !state.atBin) return refuse(state, wrong('pick.quantityFirst'));
  const q = parseQuantity(text);
  if (!q.ok) return refuse(state, q.feedback);
  if (q.qty > remaining(line)) return refuse(state, wrong('pick.tooManyKeyed', { need: remaining(line), qty: q.qty }));
  return { state: { ...state, pendingQty: q.qty }, events: [], feedback: [ok('pick.qtySet', { qty: q.qty, name: nameOf(ctx.catalog, line.sku) })] };
}

/**
 * "Fewer here": `found` is what the bin held for this line, counting the units already
 * scanned from it. Nothing is recorded yet: the worker is asked "Short N of ...?".
 */
function onShort(state: PickState, foundText: string, ctx: PickContext): Step<PickState> {
  const line = state.lines[state.current];
  if (!line || state.tote === null || !state.atBin) return refuse(state, wrong('pick.shortFirst'));
  const q = parseQuantity(foundText, { allowZero: true });
  if (!q.ok) return refuse(state, q.feedback);
  const scanned = line.picked;
  if (q.qty < scanned) return refuse(state, wrong('pick.foundBelowScanned', { scanned }));
  const open = line.qty - line.short;
  if (q.qty >= open) return refuse(state, wrong('pick.notShort', { found: q.qty, qty: open }));
  const missing = open - q.qty;
  return {
    state: { ...state, pendingShort: { lineId: line.lineId, hold: q.qty - scanned, missing }, pendingQty: null },
    events: [],
    feedback: [needsSupervisor('pick.shortAsk', { missing, name: nameOf(ctx.catalog, line.sku), bin: line.location })],
  };
}

/** The confirmed short: what is still in the bin is held, the rest recorded short (one step, one transaction). */
function onConfirmShort(state: PickState, ctx: PickContext): Step<PickState> {
  const pending = state.pendingShort;
  const line = state.lines[state.current];
  if (!pending || !line || line.lineId !== pending.lineId) return refuse({ ...state, pendingShort: null }, wrong('pick.shortNone'));
  const shortEvent: DraftEvent = {
    type: 'pick.short',
    payload: {
      pickListId: state.pickListId,
      lineId: line.lineId,
      sku: line.sku,
      location: line.location,
      missingQty: asQty(Math.min(pending.missing, MAX_QTY)),
      countTaskId: shortCountTaskId(state.pickListId, line.lineId),
    },
  };
  const shorted = {
    ...state,
    pendingShort: null,
    lines: state.lines.map((l) => (l === line ? { ...l, short: l.short + pending.missing } : l)),
    shorts: [...state.shorts, { lineId: line.lineId, sku: line.sku, location: line.location, missing: pending.missing, undone: false }],
  };
  const said = ok('pick.shorted', { missing: pending.missing, name: nameOf(ctx.catalog, line.sku), bin: line.location });
  if (pending.hold === 0) {
    const next = advance({ ...shorted, pendingQty: null }, line.location);
    return { state: next, events: [shortEvent], feedback: [said] };
  }
  const step = hold(shorted, shorted.lines[state.current] as PickLineState, pending.hold, ctx, []);
  return { state: step.state, events: [...step.events, shortEvent], feedback: [said, ...step.feedback] };
}

function onUndo(state: PickState, eventId: string | undefined, ctx: PickContext): Step<PickState> {
  const candidates = state.held.filter((h) => eventId === undefined || h.eventId === eventId);
  const target = eventId === undefined ? [...candidates].reverse().find((h) => !h.undone) : candidates[0];
  if (!target) return refuse(state, wrong(eventId === undefined ? 'pick.nothingToUndo' : 'pick.notOnTote'));
  if (target.undone) return refuse(state, duplicate('pick.alreadyUndone'));
  if (target.eventId === undefined) return refuse(state, wrong('pick.stillSaving'));
  const event: DraftEvent = {
    type: 'pick.undone',
    payload: { corrects: asEventId(target.eventId), sku: target.sku, location: target.location, qty: asQty(target.qty) },
  };
  const held = state.held.map((h) => (h === target ? { ...h, undone: true } : h));
  const lines = state.lines.map((l) => (l.lineId === target.lineId ? { ...l, picked: Math.max(0, l.picked - target.qty) } : l));
  const current = firstOpen(lines);
  const stay = current === state.current && state.atBin;
  return {
    state: { ...state, held, lines, current, atBin: stay, pendingQty: null },
    events: [event],
    feedback: [ok('pick.undone', { qty: target.qty, name: nameOf(ctx.catalog, target.sku), bin: target.location })],
  };
}

/** Takes back a confirmed short: its units are in the bin after all, so the line wants them again. */
function onUndoShort(state: PickState, eventId: string, ctx: PickContext): Step<PickState> {
  const target = state.shorts.find((s) => s.eventId === eventId);
  if (!target) return refuse(state, wrong('pick.noSuchShort'));
  if (target.undone) return refuse(state, duplicate('pick.shortAlreadyUndone'));
  const event: DraftEvent = {
    type: 'pick.short_undone',
    payload: {
      corrects: asEventId(eventId),
      pickListId: state.pickListId,
      lineId: target.lineId,
      sku: target.sku,
      location: target.location,
      qty: asQty(Math.min(target.missing, MAX_QTY)),
    },
  };
  const shorts = state.shorts.map((s) => (s === target ? { ...s, undone: true } : s));
  const lines = state.lines.map((l) => (l.lineId === target.lineId ? { ...l, short: Math.max(0, l.short - target.missing) } : l));
  const current = firstOpen(lines);
  const stay = current === state.current && state.atBin;
  return {
    state: { ...state, shorts, lines, current, atBin: stay, pendingQty: null },
    events: [event],
    feedback: [ok('pick.shortUndone', { missing: target.missing, name: nameOf(ctx.catalog, target.sku), bin: target.location })],
  };
}

function onLogged(state: PickState, events: readonly LoggedEvent[]): PickState {
  let shorts = state.shorts;
  for (const e of events) {
    if (e.type !== 'pick.short') continue;
    const p = e.payload as ShortPayload;
    if (p.pickListId !== state.pickListId || shorts.some((s) => s.eventId === e.id)) continue;
    const i = shorts.findIndex((s) => s.eventId === undefined && s.lineId === p.lineId && s.missing === p.missingQty);
    if (i >= 0) shorts = shorts.map((s, j) => (j === i ? { ...s, eventId: e.id } : s));
  }
  const withShorts = shorts === state.shorts ? state : { ...state, shorts };
  return onLoggedPicks(withShorts, events);
}

function onLoggedPicks(state: PickState, events: readonly LoggedEvent[]): PickState {
  let held = state.held;
  for (const e of events) {
    if (e.type !== 'pick.held') continue;
    const p = e.payload as HeldPayload;
    if (p.pickListId !== state.pickListId || held.some((h) => h.eventId === e.id)) continue;
    const i = held.findIndex((h) => h.eventId === undefined && h.lineId === p.lineId && h.qty === p.qty);
    if (i >= 0) held = held.map((h, j) => (j === i ? { ...h, eventId: e.id } : h));
  }
  return held === state.held ? state : { ...state, held };
}
