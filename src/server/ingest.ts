/**
 * Push (wire protocol v1): a device's events, applied in its seq order, exactly once.
 * The stock rules come only from `decideEvent`: a push loads (and locks) the records and rows its
 * events name into a `MemoryCentral`, checks and plans event after event on it, and writes the
 * differences back in one go. Round trips: the device lock, the context (ids, sessions, records
 * and stock rows, locked), two more when a stock row is missing, the count windows when the batch records a
 * count, the write: a handful per push, however many events it carries.
 */
import { afterFloorPush, type FloorTouch } from './channels/floor.ts';
import { EnvelopeSchema, describeIssues, parseEvent, rolesFor, type FloorEvent } from '../domain/events.ts';
import { EventIdSchema, SeqSchema, assertNever, type LocationId, type Sku } from '../domain/ids.ts';
import { factEvent, type LedgerFact as LedgerFactRow } from '../domain/replay.ts';
import { hasRole } from '../domain/roles.ts';
import {
  MOVING_TYPES,
  MemoryCentral,
  decideEvent,
  discrepancyTaskId,
  movementsOf,
  placesOf,
  stockKey,
  type Buckets,
  type CountTask,
  type Effect,
  type ShortRecord,
  type World,
} from '../domain/stock.ts';
import { PushRequestSchema, type PushResponse, type Rejection, type ResendWarning, type SeqConflict } from '../domain/protocol.ts';
import { MAX_PAYLOAD_DEPTH, clockSkew, depthOf } from '../domain/text.ts';
import { MAX_STORED_TEXT, canonicalJson, envelopeHash, storedCopy, storedText } from './payload.ts';
import type { Database, Procedure, Sql } from './db.ts';
import type { SessionContext } from './identity/storage.ts';
// shift (issue 13): short records, for pick.short_undone.
import { lockShorts, writeShorts } from './shift/short-records.ts';
// shift (issue 13): offline sign-in grants.
import { checkGrant, claimedGrantId, grantContext, type GrantContext } from './shift/grants.ts';
import {
  countWindows,
  storedSeqs,
  lockDevice,
  addMissingStock,
  pushContext,
  recordResendConflicts,
  releaseSavepoint,
  rollbackToSavepoint,
  savepoint,
  touchDevice,
  writePush,
  type Change,
  type LedgerWrite,
  type PushContext,
  type PushWrite,
  type ResendConflict,
  type StockRow,
  type StockDelta,
} from './storage/index.ts';

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

type PushCtx = { deviceId: string; channel: string; now: () => Date };

/**
 * Applies a readable batch for one device in one transaction that holds the device's row lock.
 * When the set-based write fails in a way confined to some event (an overflow, a constraint,
 * text the database refuses), the batch is applied again one event at a time, each in a
 * savepoint, and the failing event is recorded as rejected (`unstorable`): one poison event
 * never turns every retry of its batch into a 500. Any other failure is the server's: a 5xx.
 */
export async function pushEvents(db: Database, ctx: PushCtx, events: readonly ReadableEvent[]): Promise<PushOutcome> {
  try {
    return await db.transaction((tx) => pushIn(tx, ctx, events, false));
  } catch (err) {
    if (!confinedToEvents(err)) throw err;
  }
  return db.transaction((tx) => pushIn(tx, ctx, events, true));
}

/** Deeper than this, an event's envelope crosses threads as JSON text (see `carried`). */
const CLONE_DEPTH = 64;

/** An event on its way to the database thread. */
export type CarriedEvent = ReadableEvent | { seq: number; id: string; rawJson: string };

/**
 * The event in a form that survives `postMessage`: structured cloning recurses and overflows
 * the stack on hostile nesting that the body parser (which does not recurse) accepted, so such
 * an envelope goes as JSON text built without recursion. It is refused for its depth either
 * way; its hash is of the same canonical JSON.
 */
export const carried = (e: ReadableEvent): CarriedEvent =>
  depthOf(e.raw, CLONE_DEPTH) > CLONE_DEPTH ? { seq: e.seq, id: e.id, rawJson: canonicalJson(e.raw) } : e;

const uncarried = (c: CarriedEvent): ReadableEvent => ('rawJson' in c ? { seq: c.seq, id: c.id, raw: JSON.parse(c.rawJson) as Record<string, unknown> } : c);

/**
 * `pushEvents` as a procedure (db.ts): on PGlite's thread the whole push, its transaction and
 * its planning, runs beside the database. The API's clock is read before it is sent.
 */
export const pushProcedure: Procedure<{ deviceId: string; channel: string; now: number; events: readonly CarriedEvent[] }, PushOutcome> = {
  name: 'push',
  run: (db, { deviceId, channel, now, events }) => pushEvents(db, { deviceId, channel, now: () => new Date(now) }, events.map(uncarried)),
};

/**
 * SQLSTATE classes a single event's data can cause: 22 data exception (overflow, bad text or
 * JSON), 23 integrity constraint, 54 program limit (too deep, too long); and a JavaScript
 * stack overflow or range error while planning. Connection, serialization, deadlock, missing
 * tables and the like are the server's fault and stay a 5xx.
 */
function confinedToEvents(err: unknown): boolean {
  if (err instanceof RangeError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

async function pushIn(tx: Sql, ctx: PushCtx, events: readonly ReadableEvent[], oneByOne: boolean): Promise<PushOutcome> {
  const now = ctx.now();
  const lastSeq = await lockDevice(tx, ctx.deviceId);

  const old = events.filter((e) => e.seq <= lastSeq);
  const conflicts: ResendWarning[] = [];
  if (old.length > 0) {
    const stored = await storedSeqs(
      tx,
      ctx.deviceId,
      old.map((e) => e.seq),
    );
    const reused = old.find((e) => stored.get(e.seq)?.id !== e.id);
    if (reused) {
      return {
        status: 409,
        body: {
          error: 'seq_conflict',
          message: `seq ${reused.seq} is already stored for another event (${stored.get(reused.seq)?.id ?? 'unknown'}); a stored event is never re-sent under another number`,
          seq: reused.seq,
          ackedSeq: lastSeq,
        },
      };
    }
    // Same number, same id, other content: the ledger keeps the first; the resend is flagged, not applied.
    const differing: ResendConflict[] = [];
    for (const e of old) {
      const storedHash = stored.get(e.seq)?.hash;
      const sentHash = envelopeHash(e.raw);
      if (storedHash && storedHash !== sentHash) {
        differing.push({
          seq: e.seq,
          eventId: e.id,
          storedHash,
          sentHash,
          sent: storedCopy({ type: e.raw.type, actor: e.raw.actor, occurredAt: e.raw.occurredAt, payload: e.raw.payload }),
        });
        conflicts.push({
          seq: e.seq,
          id: e.id,
          message: `seq ${e.seq} (${e.id}) was delivered before with other content; the first delivery stands and this one was not applied`,
        });
      }
    }
    await recordResendConflicts(tx, ctx.deviceId, now, differing);
  }
  const run: ReadableEvent[] = [];
  for (const e of events) {
    if (e.seq <= lastSeq) continue;
    if (e.seq !== lastSeq + run.length + 1) break;
    run.push(e);
  }
  const gap = events.some((e) => e.seq > lastSeq + run.length);
  const ackedSeq = lastSeq + run.length;
  const answer = (rejected: Rejection[]): PushOutcome => ({
    status: 200,
    body: { ackedSeq, rejected, ...(gap ? { expectedSeq: ackedSeq + 1 } : {}), ...(conflicts.length > 0 ? { conflicts } : {}) },
  });
  if (run.length === 0) {
    await touchDevice(tx, ctx.deviceId, now);
    return answer([]);
  }
  // channels (issue 11): order states and every channel's ATP of what this push moved, in its transaction.
  const settled = async ({ rejected, touched }: RunOutcome) => (await afterFloorPush(tx, ctx.deviceId, touched, now), answer(rejected));
  if (!oneByOne) return settled(await applyRun(tx, ctx, run, now));

  const rejected: Rejection[] = [];
  const touched = { skus: [] as string[], pickListIds: [] as string[] };
  for (const e of run) {
    await savepoint(tx, 'one_event');
    try {
      const one = await applyRun(tx, ctx, [e], now);
      rejected.push(...one.rejected);
      touched.skus.push(...one.touched.skus);
      touched.pickListIds.push(...one.touched.pickListIds);
      await releaseSavepoint(tx, 'one_event');
    } catch (err) {
      if (!confinedToEvents(err)) throw err;
      await rollbackToSavepoint(tx, 'one_event');
      const rejection: Rejection = {
        seq: e.seq,
        id: e.id,
        code: 'unstorable',
        message: `the API could not apply this event: ${storedText(errorText(err), 300, 'database error')}`,
      };
      await writePush(tx, {
        ...emptyWrite(),
        ledger: [ledgerRow(e, now, rejection)],
        deviceId: ctx.deviceId,
        lastSeq: e.seq,
        receivedAt: now,
        channel: ctx.channel,
      });
      rejected.push(rejection);
    }
  }
  return settled({ rejected, touched });
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A run's rejections, and what its applied events touched (for the channels). */
type RunOutcome = { rejected: Rejection[]; touched: FloorTouch };

/** Checks, plans and writes a gapless run of new events; answers their rejections and what the applied ones touched. */
async function applyRun(tx: Sql, ctx: PushCtx, run: readonly ReadableEvent[], now: Date): Promise<RunOutcome> {
  const parsed: Parsed[] = run.map((e) => ({ e, ...readEvent(e) }));
  const readable = parsed.flatMap((p) => (p.event ? [p.event] : []));
  const prints = readable.map(footprint);
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  const context = await pushContext(tx, {
    deviceId: ctx.deviceId,
    actors: uniq(readable.map((ev) => ev.actor as string)),
    eventIds: run.map((e) => e.id),
    taskIds: uniq(prints.flatMap((p) => p.tasks)),
    pickIds: uniq(prints.flatMap((p) => p.picks)),
    pickLines: prints.flatMap((p) => p.lines),
    returnIds: uniq(prints.flatMap((p) => p.returns)),
    skus: uniq(prints.flatMap((p) => p.keys.map((k) => k.sku))),
    locations: uniq(prints.flatMap((p) => [...p.keys.map((k) => k.location), ...p.locations])),
    receiptIds: uniq(prints.flatMap((p) => p.receipts)),
    sessionIds: uniq(readable.flatMap((ev) => (ev.session ? [ev.session] : []))),
    legacyActors: uniq(readable.flatMap((ev) => (ev.session ? [] : [ev.actor as string]))),
    stockKeys: prints.flatMap((p) => p.keys),
    stockLocations: uniq(prints.flatMap((p) => p.locations)),
    approvedTaskIds: uniq(readable.flatMap((ev) => (ev.type === 'count.approved' ? [ev.payload.countTaskId as string] : []))),
  });
  // shift (issue 13): the offline sign-in grants the events carry (no round trip when none does).
  const grants = await grantContext(tx, uniq(readable.flatMap((ev) => (ev.grant ? [claimedGrantId(ev.grant) ?? ''] : [])).filter(Boolean)));
  const checked = authorize(parsed, context, context.sessions, { deviceId: ctx.deviceId, grants });
  const { rejected, ...write } = await planBatch(tx, checked, context, now);
  const last = run[run.length - 1] as ReadableEvent;
  await writePush(tx, { ...write, deviceId: ctx.deviceId, lastSeq: last.seq, receivedAt: now, channel: ctx.channel });
  const applied = write.ledger.filter((l) => l.status === 'applied');
  return {
    rejected,
    touched: {
      skus: applied.flatMap((l) => l.touches.map((t) => t.sku)),
      pickListIds: applied.flatMap((l) => {
        const list = (l.payload as { pickListId?: unknown } | null)?.pickListId;
        return typeof list === 'string' ? [list] : [];
      }),
    },
  };
}

const emptyWrite = (): Omit<PushWrite, 'deviceId' | 'lastSeq' | 'receivedAt' | 'channel'> => ({
  ledger: [],
  stock: [],
  discrepancies: [],
  countTasks: [],
  pickLines: [],
  picks: [],
  receipts: [],
  returnsIn: [],
  returnsResolved: [],
  changes: [],
});

/** The ledger row of an event: what it said (sanitized; a refused payload capped) and what became of it. */
function ledgerRow(e: ReadableEvent, receivedAt: Date, outcome: Rejection | { payload: unknown; touches: Key[] }): LedgerWrite {
  const raw = e.raw;
  const occurredAt = storedText(raw.occurredAt, 40, '');
  const skew = clockSkew(occurredAt, receivedAt);
  const base = {
    id: e.id,
    seq: e.seq,
    type: storedText(raw.type, 64, '(none)'),
    schemaVersion:
      typeof raw.schemaVersion === 'number' && Number.isInteger(raw.schemaVersion) && Math.abs(raw.schemaVersion) < 2 ** 31 ? raw.schemaVersion : null,
    actor: storedText(raw.actor, 64, '(none)'),
    occurredAt,
    payloadHash: envelopeHash(raw),
    ...(skew ? { clockSkew: skew } : {}),
  };
  if ('code' in outcome) {
    return {
      ...base,
      status: 'rejected',
      code: outcome.code,
      message: storedText(outcome.message, MAX_STORED_TEXT, ''),
      payload: storedCopy(raw.payload),
      touches: [],
    };
  }
  return { ...base, status: 'applied', payload: outcome.payload, touches: outcome.touches };
}

type Parsed = { e: ReadableEvent; event?: FloorEvent; rejection?: Rejection };

/** Envelope and payload checks, which need no database. */
function readEvent(e: ReadableEvent): { event: FloorEvent } | { rejection: Rejection } {
  const reject = (code: Rejection['code'], message: string) => ({ rejection: { seq: e.seq, id: e.id, code, message } });
  // Counted without recursion before any schema walks it: depth is bounded before parsing.
  if (depthOf(e.raw.payload, MAX_PAYLOAD_DEPTH) > MAX_PAYLOAD_DEPTH) return reject('invalid_payload', `payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  if (depthOf(e.raw, MAX_PAYLOAD_DEPTH + 1) > MAX_PAYLOAD_DEPTH + 1)
    return reject('invalid_envelope', `the envelope nests deeper than ${MAX_PAYLOAD_DEPTH + 1} levels`);
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
 * sessions existed. Roles are the actor's as of now. An actor an admin disabled holds their
 * roles only for what they recorded before the disable (its `occurredAt`, as a grant's expiry is
 * judged): the disable ends their sessions like a sign-out, and what they did before it stays true.
 */
function authorize(
  parsed: readonly Parsed[],
  context: PushContext,
  sessions: SessionContext,
  offline: { deviceId: string; grants: GrantContext | undefined },
): Checked[] {
  const seen = new Set<string>();
  return parsed.map(({ e, event, rejection }): Checked => {
    if (rejection || !event) return { e, rejection: rejection as Rejection };
    const reject = (code: Rejection['code'], message: string): Checked => ({ e, rejection: { seq: e.seq, id: e.id, code, message } });
    const actor = context.actors.get(event.actor);
    if (!actor) return reject('forbidden', `unknown user "${event.actor}"`);
    if (event.grant) {
      // shift (issue 13): recorded under an offline sign-in: the grant vouches instead of an online session.
      const why = checkGrant(event, offline.deviceId, offline.grants);
      if (why) return reject(why.code, why.message);
    } else if (event.session) {
      const s = sessions.sessions.get(event.session);
      if (!s || s.userId !== event.actor || !s.onDevice) {
        const why = !s ? 'is unknown' : s.userId !== event.actor ? `belongs to another user, not "${event.actor}"` : 'was opened on another device';
        return reject('session_mismatch', `session ${event.session} ${why}: the event is not recorded as "${event.actor}"`);
      }
      if (s.revoked) return reject('session_revoked', `session ${event.session} was revoked by a supervisor; events recorded under it are refused`);
    } else if (!sessions.legacyActors.has(event.actor)) {
      return reject(
        'session_mismatch',
        `the event names no session (schemaVersion ${event.schemaVersion}); only a handheld "${event.actor}" signed in on before sessions existed may still send those`,
      );
    }
    // A disabled person's events count up to the disable (by when they were recorded), not after,
    // nor in their last disabled window once enabled again.
    const at = Date.parse(event.occurredAt);
    if (actor.disabledAt !== null && at >= actor.disabledAt)
      return reject('user_disabled', `user "${event.actor}" was disabled by an admin before this event was recorded (${event.occurredAt})`);
    if (actor.wasDisabled && at >= actor.wasDisabled.from && at < actor.wasDisabled.until)
      return reject('user_disabled', `user "${event.actor}" was disabled by an admin when this event was recorded (${event.occurredAt})`);
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
type Footprint = {
  keys: Key[];
  locations: string[];
  tasks: string[];
  picks: string[];
  lines: { pickListId: string; lineId: string }[];
  returns: string[];
  receipts: string[];
  /** shift (issue 13): the shorts an event undoes. */
  shorts: string[];
};

/** What an event reads: stock keys, whole locations (counts), and the records it names. */
function footprint(event: FloorEvent): Footprint {
  const print: Footprint = {
    keys: placesOf(event),
    locations: [],
    tasks: [discrepancyTaskId(event.id)],
    picks: [],
    lines: [],
    returns: [],
    receipts: [],
    shorts: [],
  };
  switch (event.type) {
    case 'pick.held':
      print.lines.push({ pickListId: event.payload.pickListId, lineId: event.payload.lineId });
      return print;
    case 'pick.short':
      print.lines.push({ pickListId: event.payload.pickListId, lineId: event.payload.lineId });
      print.tasks.push(event.payload.countTaskId);
      return print;
    case 'pick.undone':
      print.picks.push(event.payload.corrects.toLowerCase());
      return print;
    // shift (issue 13): a short undo reads its short and the line it names.
    case 'pick.short_undone':
      print.lines.push({ pickListId: event.payload.pickListId, lineId: event.payload.lineId });
      print.shorts.push(event.payload.corrects.toLowerCase());
      return print;
    case 'receipt.received':
      print.receipts.push(event.payload.receiptId);
      return print;
    case 'return.quarantined':
    case 'return.resolved':
      print.returns.push(event.payload.returnId);
      return print;
    case 'qc.released':
      return print;
    case 'count.started':
    case 'count.recorded':
      print.locations.push(event.payload.location);
      print.tasks.push(event.payload.countTaskId);
      return print;
    case 'count.approved':
      // The task's location and lines are found once the task is loaded.
      print.tasks.push(event.payload.countTaskId);
      return print;
    default:
      return assertNever(event, 'event');
  }
}

type Planned = Omit<PushWrite, 'deviceId' | 'lastSeq' | 'receivedAt' | 'channel'> & { rejected: Rejection[] };

/** Checks and plans a batch on its locked rows, event after event; an event refused here is recorded as rejected. */
async function planBatch(tx: Sql, checked: readonly Checked[], context: PushContext, receivedAt: Date): Promise<Planned> {
  const valid = checked.flatMap((c) => ('event' in c ? [c.event] : []));
  const world: World = {
    skuKnown: (sku) => context.skus.has(sku),
    locationKind: (location) => context.locations.get(location),
    receiptKnown: (id) => context.receipts.has(id),
  };
  const taskById = new Map(context.tasks.map((t) => [t.id as string, t]));
  const { rows, windows } = await lockBatch(tx, valid, world, taskById, context.stock);
  const view = loadView(rows, context, windows);
  // shift (issue 13): the shorts the batch undoes, locked after the stock rows.
  for (const r of await lockShorts(tx, [...new Set(valid.flatMap((ev) => footprint(ev).shorts))].sort())) view.shorts.set(r.eventId, r);
  const before = new Map(rows.map((r) => [stockKey(r.sku, r.location), r.buckets]));
  const planned = planEvents(checked, view, world, taskById, receivedAt);
  const { shorts, ...work } = projectWork(planned.applied);
  await writeShorts(tx, shorts); // shift (issue 13)
  const { stock, changes } = stockDeltas(view, before);
  if (work.countTasks.length + work.pickLines.length + work.receipts.length + work.returnsIn.length + work.returnsResolved.length > 0)
    changes.unshift({ kind: 'work' });
  return { ledger: planned.ledger, rejected: planned.rejected, discrepancies: planned.discrepancies, stock, changes, ...work };
}

/**
 * Locking: the context locked the stock rows that exist (those the events name, and every row at
 * the bins they count or approve); the keys of valid events without a row (only of SKUs and places
 * that exist: an unknown one is refused anyway, and an approved task's lines) are created and
 * locked here. Then each recorded count's window, what moved at its bin since its start, read after the locks.
 */
async function lockBatch(
  tx: Sql,
  valid: readonly FloorEvent[],
  world: World,
  taskById: Map<string, CountTask>,
  locked: readonly StockRow[],
): Promise<{ rows: StockRow[]; windows: Map<string, LedgerFactRow[]> }> {
  const keys: Key[] = [];
  const exists = (k: Key) => world.skuKnown(k.sku) && world.locationKind(k.location) !== undefined;
  for (const ev of valid) {
    keys.push(...footprint(ev).keys.filter(exists));
    if (ev.type === 'count.approved') {
      const t = taskById.get(ev.payload.countTaskId);
      if (t) keys.push(...(t.held?.lines ?? []).map((l) => ({ sku: l.sku, location: t.location })));
    }
  }
  // The rows that exist were locked with the context; those of new keys are created and locked now.
  const rows = await addMissingStock(tx, locked, keys);
  const windows = await countWindows(
    tx,
    valid.flatMap((ev) => {
      if (ev.type !== 'count.recorded') return [];
      const t = taskById.get(ev.payload.countTaskId);
      return t?.started ? [{ taskId: t.id, location: t.location, startedBy: t.started.eventId }] : [];
    }),
    MOVING_TYPES,
  );
  return { rows, windows };
}

type Applied = { event: FloorEvent; effect: Effect };

/**
 * Stock planning: each event decided by `decideEvent` on the view as the events before it left
 * it, in seq order; a refusal becomes the event's rejection. Answers the ledger rows, the
 * discrepancies and the applied events with their effects (already applied to `view`).
 */
function planEvents(
  checked: readonly Checked[],
  view: MemoryCentral,
  world: World,
  taskById: Map<string, CountTask>,
  receivedAt: Date,
): { ledger: LedgerWrite[]; rejected: Rejection[]; discrepancies: PushWrite['discrepancies']; applied: Applied[] } {
  const ledger: LedgerWrite[] = [];
  const rejected: Rejection[] = [];
  const discrepancies: PushWrite['discrepancies'] = [];
  const applied: Applied[] = [];
  for (const c of checked) {
    const decided = 'event' in c ? decideEvent(c.event, view, world) : undefined;
    if ('rejection' in c || !decided?.ok) {
      const rejection =
        'rejection' in c
          ? c.rejection
          : { seq: c.e.seq, id: c.e.id, ...(decided && !decided.ok ? decided.refusal : { code: 'invalid_payload' as const, message: 'not plannable' }) };
      rejected.push(rejection);
      ledger.push(ledgerRow(c.e, receivedAt, rejection));
      continue;
    }
    const ev = c.event;
    const effect = decided.effect;
    view.apply(effect);
    applied.push({ event: ev, effect });
    for (const d of effect.discrepancies) discrepancies.push({ ...d, eventId: ev.id, seq: ev.seq });
    const counted =
      ev.type === 'count.started' || ev.type === 'count.recorded'
        ? ev.payload.location
        : ev.type === 'count.approved'
          ? taskById.get(ev.payload.countTaskId)?.location
          : undefined;
    const touches: Key[] = [
      ...effect.moves.map((m) => ({ sku: m.sku, location: m.location })),
      ...footprint(ev).keys,
      // A count concerns every SKU on the shelf of its bin.
      ...(ev.type === 'count.started' && counted ? Object.keys(effect.countTasks[0]?.snapshot ?? {}).map((sku) => ({ sku, location: counted })) : []),
    ];
    ledger.push({ ...ledgerRow(c.e, receivedAt, { payload: ev.payload, touches }), ...(counted ? { places: [counted] } : {}) });
  }
  return { ledger, rejected, discrepancies, applied };
}

type WorkWrite = Pick<PushWrite, 'countTasks' | 'pickLines' | 'picks' | 'receipts' | 'returnsIn' | 'returnsResolved'>;

/** Work projections: what the applied events change in count tasks, pick lines and records, receipts and returns. */
function projectWork(applied: readonly Applied[]): WorkWrite & { shorts: ShortRecord[] } {
  const changedTasks = new Map<string, CountTask>();
  const picks = new Map<string, PushWrite['picks'][number]>();
  const pickLines = new Map<string, { pickListId: string; lineId: string; picked: number; short: number }>();
  const receipts: PushWrite['receipts'] = [];
  const returnsIn: PushWrite['returnsIn'] = [];
  const returnsResolved: PushWrite['returnsResolved'] = [];
  const shorts = new Map<string, ShortRecord>();
  for (const { event: ev, effect } of applied) {
    for (const t of effect.countTasks) changedTasks.set(t.id, t);
    for (const p of effect.picks) picks.set(p.eventId, p);
    for (const r of effect.shorts) shorts.set(r.eventId, r); // shift (issue 13)
    for (const l of effect.lines) {
      const k = `${l.pickListId}\u0000${l.lineId}`;
      const sum = pickLines.get(k) ?? { pickListId: l.pickListId, lineId: l.lineId, picked: 0, short: 0 };
      sum.picked += l.picked;
      sum.short += l.short;
      pickLines.set(k, sum);
    }
    switch (ev.type) {
      case 'receipt.received':
        receipts.push({
          receiptId: ev.payload.receiptId,
          lineId: ev.payload.lineId ?? null,
          sku: ev.payload.sku,
          gtin: ev.payload.gtin ?? null,
          qty: ev.payload.qty,
        });
        break;
      case 'return.quarantined':
        returnsIn.push({
          returnId: ev.payload.returnId,
          sku: ev.payload.sku,
          location: ev.payload.location,
          qty: ev.payload.qty,
          condition: ev.payload.condition,
          // The schema refused unstorable text already.
          note: ev.payload.note ?? null,
        });
        break;
      case 'return.resolved':
        returnsResolved.push({ returnId: ev.payload.returnId, qty: ev.payload.qty });
        break;
      case 'pick.held':
      case 'pick.short':
      case 'pick.undone':
      case 'pick.short_undone':
      case 'qc.released':
      case 'count.started':
      case 'count.recorded':
      case 'count.approved':
        break;
      default:
        assertNever(ev, 'event');
    }
  }
  return {
    countTasks: [...changedTasks.values()],
    pickLines: [...pickLines.values()],
    picks: [...picks.values()],
    receipts,
    returnsIn,
    returnsResolved,
    shorts: [...shorts.values()],
  };
}

/** The net change of every stock row the batch moved (against the rows as locked), and the feed's stock changes. */
function stockDeltas(view: MemoryCentral, before: Map<string, Buckets>): { stock: StockDelta[]; changes: Change[] } {
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
  return { stock, changes };
}

/** The working view of one push: its locked rows and records, and the count windows read from the ledger. */
function loadView(rows: readonly StockRow[], context: PushContext, windows: Map<string, LedgerFactRow[]>): MemoryCentral {
  const view = new MemoryCentral();
  for (const r of rows) view.stock.set(stockKey(r.sku, r.location), { sku: r.sku as Sku, location: r.location as LocationId, buckets: { ...r.buckets } });
  for (const t of context.tasks) view.tasks.set(t.id, t);
  for (const p of context.picks) view.picks.set(p.eventId, p);
  for (const l of context.lines) view.addPickLine(l);
  for (const r of context.returns) view.returns.set(r.returnId, r);
  for (const [taskId, facts] of windows) {
    const location = view.tasks.get(taskId)?.location;
    const moved = facts.flatMap((f) => {
      const event = factEvent(f);
      return event ? movementsOf(event).filter((m) => m.location === location) : [];
    });
    view.movements.set(taskId, moved);
  }
  return view;
}
