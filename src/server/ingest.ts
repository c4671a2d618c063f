/**
 * Push (wire protocol v1): a device's events, applied in its seq order, exactly once.
 * The stock rules come only from `planEvent`: a push loads the rows its events touch into a
 * `MemoryCentral`, plans event after event on it, and writes the differences back in one go.
 */
import { EnvelopeSchema, describeIssues, parseEvent, rolesFor, type FloorEvent } from '../domain/events.ts';
import { EventIdSchema, SeqSchema, assertNever } from '../domain/ids.ts';
import { hasRole } from '../domain/roles.ts';
import { MemoryCentral, discrepancyTaskId, planEvent, stockKey, type Buckets, type CountTask } from '../domain/stock.ts';
import { PushRequestSchema, type PushResponse, type Rejection, type SeqConflict } from '../domain/protocol.ts';
import type { Database, Sql } from './db.ts';
import { sessionContext, type SessionContext } from './identity/storage.ts';
import {
  heldIds,
  lockDevice,
  lockStock,
  pushContext,
  touchDevice,
  writePush,
  type Change,
  type LedgerWrite,
  type PushContext,
  type PushWrite,
  type StockDelta,
} from './storage.ts';

/** An envelope readable enough to be ordered and deduplicated; the rest is checked per event. */
export type ReadableEvent = { seq: number; id: string; raw: Record<string, unknown> };
export type BatchProblem = { field: string; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks that a push body can be read at all: an `events` array of objects with a valid seq and id,
 * this device's id, in strictly ascending seq order. Anything else is a 400 with nothing applied.
 */
export function readBatch(deviceId: string, body: unknown): { ok: true; events: ReadableEvent[] } | { ok: false; problem: BatchProblem } {
  if (!isObject(body)) return { ok: false, problem: { field: 'body', message: 'body must be a JSON object { events: [...] }' } };
  const req = PushRequestSchema.safeParse(body);
  if (!req.success) {
    const issue = req.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'events';
    const message = issue?.code === 'unrecognized_keys' ? `unexpected field(s) ${issue.keys.join(', ')}` : describeIssues(req.error);
    return { ok: false, problem: { field, message } };
  }
  const events: ReadableEvent[] = [];
  let prev = 0;
  for (const [i, raw] of req.data.events.entries()) {
    const at = `events[${i}]`;
    if (!isObject(raw)) return { ok: false, problem: { field: at, message: `${at} is not an object` } };
    const seq = SeqSchema.safeParse(raw.seq);
    if (!seq.success) return { ok: false, problem: { field: `${at}.seq`, message: `${at}.seq: ${seq.error.issues[0]?.message ?? 'invalid'}` } };
    const id = EventIdSchema.safeParse(raw.id);
    if (!id.success) return { ok: false, problem: { field: `${at}.id`, message: `${at}.id: ${id.error.issues[0]?.message ?? 'invalid'}` } };
    if (typeof raw.deviceId !== 'string' || raw.deviceId.toLowerCase() !== deviceId) {
      return { ok: false, problem: { field: `${at}.deviceId`, message: `${at}.deviceId must be the device in the URL (${deviceId})` } };
    }
    if (seq.data === prev) return { ok: false, problem: { field: `${at}.seq`, message: `seq ${seq.data} appears twice in one batch` } };
    if (seq.data < prev) return { ok: false, problem: { field: `${at}.seq`, message: `seq ${seq.data} after ${prev}: events must be in ascending seq order` } };
    prev = seq.data;
    events.push({ seq: seq.data, id: id.data.toLowerCase(), raw });
  }
  return { ok: true, events };
}

export type PushOutcome = { status: 200; body: PushResponse } | { status: 409; body: SeqConflict };

type Checked = { e: ReadableEvent; event: FloorEvent } | { e: ReadableEvent; rejection: Rejection };

/** Applies a readable batch for one device in one transaction that holds the device's row lock. */
export async function pushEvents(db: Database, ctx: { deviceId: string; channel: string; now: () => Date }, events: readonly ReadableEvent[]): Promise<PushOutcome> {
  return db.transaction(async (tx) => {
    const now = ctx.now();
    const lastSeq = await lockDevice(tx, ctx.deviceId);

    const old = events.filter((e) => e.seq <= lastSeq);
    if (old.length > 0) {
      const held = await heldIds(tx, ctx.deviceId, old.map((e) => e.seq));
      const reused = old.find((e) => held.get(e.seq) !== e.id);
      if (reused) {
        return {
          status: 409,
          body: {
            error: 'seq_conflict',
            message: `seq ${reused.seq} is already held for another event (${held.get(reused.seq) ?? 'unknown'}); a stored event is never re-sent under another number`,
            seq: reused.seq,
            ackedSeq: lastSeq,
          },
        };
      }
    }
    const run: ReadableEvent[] = [];
    for (const e of events) {
      if (e.seq <= lastSeq) continue;
      if (e.seq !== lastSeq + run.length + 1) break;
      run.push(e);
    }
    const gap = events.some((e) => e.seq > lastSeq + run.length);
    const ackedSeq = lastSeq + run.length;
    if (run.length === 0) {
      await touchDevice(tx, ctx.deviceId, now);
      return { status: 200, body: { ackedSeq, rejected: [], ...(gap ? { expectedSeq: ackedSeq + 1 } : {}) } };
    }

    const parsed: Parsed[] = run.map((e) => ({ e, ...readEvent(e) }));
    const readable = parsed.flatMap((p) => (p.event ? [p.event] : []));
    const context = await pushContext(tx, {
      deviceId: ctx.deviceId,
      actors: [...new Set(readable.map((ev) => ev.actor as string))],
      eventIds: run.map((e) => e.id),
      taskIds: [...new Set(readable.flatMap((ev) => footprint(ev).tasks))].sort(),
      pickIds: readable.flatMap((ev) => (ev.type === 'pick.undone' ? [ev.payload.corrects as string] : [])),
    });
    const sessions = await sessionContext(tx, {
      deviceId: ctx.deviceId,
      sessionIds: [...new Set(readable.flatMap((ev) => (ev.session ? [ev.session] : [])))],
      legacyActors: [...new Set(readable.flatMap((ev) => (ev.session ? [] : [ev.actor as string])))],
    });
    const checked = authorize(parsed, context, sessions);
    const write = await planBatch(tx, checked, context);
    await writePush(tx, { ...write, deviceId: ctx.deviceId, lastSeq: ackedSeq, receivedAt: now, channel: ctx.channel });
    const rejected = checked.flatMap((c) => ('rejection' in c ? [c.rejection] : []));
    return { status: 200, body: { ackedSeq, rejected, ...(gap ? { expectedSeq: ackedSeq + 1 } : {}) } };
  });
}

type Parsed = { e: ReadableEvent; event?: FloorEvent; rejection?: Rejection };

/** Envelope and payload checks, which need no database. */
function readEvent(e: ReadableEvent): { event: FloorEvent } | { rejection: Rejection } {
  const reject = (code: Rejection['code'], message: string) => ({ rejection: { seq: e.seq, id: e.id, code, message } });
  const env = EnvelopeSchema.safeParse(e.raw);
  if (!env.success) return reject('invalid_envelope', describeIssues(env.error));
  const parsed = parseEvent(env.data);
  if (!parsed.ok) return reject(parsed.problem.code, parsed.problem.message);
  return { event: { ...parsed.event, id: e.id } as FloorEvent };
}

/**
 * Actor, session, role and id checks: a failing event becomes a recorded rejection that
 * consumes its number, never an effect. An event counts only as its actor's when it names a
 * session that actor opened on this device (or on a registration this device replaced after a
 * supervisor's reset) and that no supervisor revoked; a session that ended at sign-out or
 * expired still vouches for what was recorded under it. An event without a session (schema
 * v1, from an older app's queue) counts only when its actor signed in on this device before
 * sessions existed. Roles are the actor's as of now.
 */
function authorize(parsed: readonly Parsed[], context: PushContext, sessions: SessionContext): Checked[] {
  const seen = new Set<string>();
  return parsed.map(({ e, event, rejection }): Checked => {
    if (rejection || !event) return { e, rejection: rejection as Rejection };
    const reject = (code: Rejection['code'], message: string): Checked => ({ e, rejection: { seq: e.seq, id: e.id, code, message } });
    const actor = context.actors.get(event.actor);
    if (!actor) return reject('forbidden', `unknown user "${event.actor}"`);
    if (event.session) {
      const s = sessions.sessions.get(event.session);
      if (!s || s.userId !== event.actor || !s.onDevice) {
        const why = !s ? 'is unknown' : s.userId !== event.actor ? `belongs to another user, not "${event.actor}"` : 'was opened on another device';
        return reject('session_mismatch', `session ${event.session} ${why}: the event is not recorded as "${event.actor}"`);
      }
      if (s.revoked) return reject('session_revoked', `session ${event.session} was revoked by a supervisor; events recorded under it are refused`);
    } else if (!sessions.legacyActors.has(event.actor)) {
      return reject('session_mismatch', `the event names no session (schemaVersion ${event.schemaVersion}); only a handheld "${event.actor}" signed in on before sessions existed may still send those`);
    }
    const needed = rolesFor(event.type);
    if (!hasRole(actor.roles, needed)) {
      return reject('forbidden', `user "${event.actor}" (${actor.roles.join(', ')}) may not record ${event.type}; it needs ${needed.join(' or ')}`);
    }
    if (context.knownIds.has(e.id) || seen.has(e.id)) return reject('duplicate_id', `event id ${e.id} is already recorded under another seq`);
    seen.add(e.id);
    return { e, event };
  });
}

type Key = { sku: string; location: string };

/** What an event reads: stock keys, whole locations (counts), and count tasks. */
function footprint(event: FloorEvent): { keys: Key[]; locations: string[]; tasks: string[] } {
  const tasks = [discrepancyTaskId(event.id)];
  switch (event.type) {
    case 'pick.held':
    case 'pick.undone':
    case 'receipt.received':
    case 'return.quarantined':
      return { keys: [{ sku: event.payload.sku, location: event.payload.location }], locations: [], tasks };
    case 'pick.short':
      return { keys: [{ sku: event.payload.sku, location: event.payload.location }], locations: [], tasks: [...tasks, event.payload.countTaskId] };
    case 'qc.released':
      return { keys: [{ sku: event.payload.sku, location: event.payload.from }, { sku: event.payload.sku, location: event.payload.to }], locations: [], tasks };
    case 'return.resolved': {
      const p = event.payload;
      const keys = [{ sku: p.sku, location: p.from }];
      if (p.decision === 'resale') keys.push({ sku: p.sku, location: p.to });
      return { keys, locations: [], tasks };
    }
    case 'count.started':
      return { keys: [], locations: [event.payload.location], tasks: [...tasks, event.payload.countTaskId] };
    case 'count.recorded':
      return {
        keys: event.payload.lines.map((l) => ({ sku: l.sku, location: event.payload.location })),
        locations: [event.payload.location],
        tasks: [...tasks, event.payload.countTaskId],
      };
    case 'count.approved':
      // The task's location is found once the task is loaded.
      return { keys: [], locations: [], tasks: [...tasks, event.payload.countTaskId] };
    default:
      return assertNever(event, 'event');
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Postgres text and jsonb cannot hold NUL or lone surrogates; a garbled event must still be recordable. */
function storable(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll(String.fromCharCode(0), '\ufffd').replace(LONE_SURROGATE, '\ufffd');
  if (Array.isArray(v)) return v.map(storable);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [storable(k) as string, storable(x)]));
  return v;
}
const text = (v: unknown, max: number, fallback: string): string => (typeof v === 'string' ? (storable(v.slice(0, max)) as string) : fallback);

async function planBatch(tx: Sql, checked: readonly Checked[], context: PushContext): Promise<Omit<PushWrite, 'deviceId' | 'lastSeq' | 'receivedAt' | 'channel'>> {
  const valid = checked.flatMap((c) => ('event' in c ? [c.event] : []));
  const prints = valid.map(footprint);
  const tasks = context.tasks;
  const taskById = new Map(tasks.map((t) => [t.id as string, t]));
  const keys = new Map<string, Key>();
  const locations = new Set<string>();
  for (const [i, p] of prints.entries()) {
    for (const k of p.keys) keys.set(stockKey(k.sku, k.location), k);
    for (const l of p.locations) locations.add(l);
    const ev = valid[i];
    if (ev?.type === 'count.approved') {
      const t = taskById.get(ev.payload.countTaskId);
      if (t) locations.add(t.location);
    }
  }
  const rows = await lockStock(tx, [...keys.values()], [...locations].sort());
  const earlierPicks = context.picks;

  const view = new MemoryCentral();
  const before = new Map<string, Buckets>();
  for (const r of rows) {
    view.stock.set(stockKey(r.sku, r.location), { sku: r.sku as never, location: r.location as never, buckets: { ...r.buckets } });
    before.set(stockKey(r.sku, r.location), r.buckets);
  }
  for (const t of tasks) view.tasks.set(t.id, t);

  const ledger: LedgerWrite[] = [];
  const discrepancies: PushWrite['discrepancies'] = [];
  const changedTasks = new Map<string, CountTask>();
  const pickLines = new Map<string, { pickListId: string; lineId: string; picked: number; short: number }>();
  const picksInBatch = new Map<string, { pickListId: string; lineId: string }>();
  const receipts: PushWrite['receipts'] = [];
  const returnsIn: PushWrite['returnsIn'] = [];
  const returnsResolved: PushWrite['returnsResolved'] = [];
  const line = (pickListId: string, lineId: string) => {
    const k = `${pickListId}\u0000${lineId}`;
    const l = pickLines.get(k) ?? { pickListId, lineId, picked: 0, short: 0 };
    pickLines.set(k, l);
    return l;
  };

  for (const c of checked) {
    const raw = c.e.raw;
    const base = {
      id: c.e.id,
      seq: c.e.seq,
      type: text(raw.type, 64, '(none)'),
      schemaVersion: typeof raw.schemaVersion === 'number' && Number.isInteger(raw.schemaVersion) && Math.abs(raw.schemaVersion) < 2 ** 31 ? raw.schemaVersion : null,
      actor: text(raw.actor, 64, '(none)'),
      occurredAt: text(raw.occurredAt, 40, ''),
    };
    if ('rejection' in c) {
      ledger.push({ ...base, status: 'rejected', code: c.rejection.code, message: storable(c.rejection.message) as string, payload: storable(raw.payload ?? null), touches: [] });
      continue;
    }
    const ev = c.event;
    const effect = planEventOn(view, ev);
    for (const d of effect.discrepancies) discrepancies.push({ ...d, eventId: ev.id, seq: ev.seq });
    for (const t of effect.countTasks) changedTasks.set(t.id, t);
    const touches: Key[] = [...effect.moves.map((m) => ({ sku: m.sku, location: m.location })), ...footprint(ev).keys];
    ledger.push({ ...base, status: 'applied', payload: ev.payload, touches });
    switch (ev.type) {
      case 'pick.held':
        line(ev.payload.pickListId, ev.payload.lineId).picked += ev.payload.qty;
        picksInBatch.set(ev.id, { pickListId: ev.payload.pickListId, lineId: ev.payload.lineId });
        break;
      case 'pick.short':
        line(ev.payload.pickListId, ev.payload.lineId).short += ev.payload.missingQty;
        break;
      case 'pick.undone': {
        const corrected = picksInBatch.get(ev.payload.corrects) ?? earlierPicks.get(ev.payload.corrects);
        if (corrected) line(corrected.pickListId, corrected.lineId).picked -= ev.payload.qty;
        break;
      }
      case 'receipt.received':
        receipts.push({ receiptId: ev.payload.receiptId, lineId: ev.payload.lineId ?? null, sku: ev.payload.sku, gtin: ev.payload.gtin ?? null, qty: ev.payload.qty });
        break;
      case 'return.quarantined':
        returnsIn.push({
          returnId: ev.payload.returnId,
          sku: ev.payload.sku,
          location: ev.payload.location,
          qty: ev.payload.qty,
          condition: ev.payload.condition,
          note: ev.payload.note ? (storable(ev.payload.note) as string) : null,
        });
        break;
      case 'return.resolved':
        returnsResolved.push({ returnId: ev.payload.returnId, qty: ev.payload.qty });
        break;
      case 'qc.released':
      case 'count.started':
      case 'count.recorded':
      case 'count.approved':
        break;
      default:
        assertNever(ev, 'event');
    }
  }

  const stock: StockDelta[] = [];
  const changes: Change[] = [];
  for (const [key, row] of view.stock) {
    const was = before.get(key);
    const d = {
      available: row.buckets.available - (was?.available ?? 0),
      committed: row.buckets.committed - (was?.committed ?? 0),
      qc: row.buckets.qc - (was?.qc ?? 0),
      quarantine: row.buckets.quarantine - (was?.quarantine ?? 0),
      suspect: row.buckets.suspect - (was?.suspect ?? 0),
    };
    if (Object.values(d).some((x) => x !== 0)) {
      stock.push({ sku: row.sku, location: row.location, ...d });
      changes.push({ kind: 'stock', sku: row.sku, location: row.location });
    }
  }
  const touchedWork = changedTasks.size + pickLines.size + receipts.length + returnsIn.length + returnsResolved.length > 0;
  if (touchedWork) changes.unshift({ kind: 'work' });
  return {
    ledger,
    stock,
    discrepancies,
    countTasks: [...changedTasks.values()],
    pickLines: [...pickLines.values()],
    receipts,
    returnsIn,
    returnsResolved,
    changes,
  };
}

/** Plans one event on the working view and applies it there, so the next event sees its effect. */
function planEventOn(view: MemoryCentral, event: FloorEvent) {
  const effect = planEvent(event, view);
  view.apply(effect);
  return effect;
}
