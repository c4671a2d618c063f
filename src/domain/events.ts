import { z, type Issues } from './schema.ts';
import {
  CountQtySchema,
  DeviceIdSchema,
  EventIdSchema,
  GtinSchema,
  LocationIdSchema,
  QtySchema,
  SeqSchema,
  SkuSchema,
  TaskIdSchema,
  ToteIdSchema,
  UserIdSchema,
  assertNever,
} from './ids.ts';
import type { Role } from './roles.ts';
import { GrantTokenSchema } from './shift/protocol.ts';
import { InstantSchema, freeText } from './text.ts';

/**
 * The envelope version this build writes. The API accepts every version up to it.
 * v2 added `session`: the sign-in session the event was recorded under (v1 events, from queues
 * of older app versions, carry none and are accepted only from handhelds signed in before v2).
 */
export const CURRENT_SCHEMA_VERSION = 2;
export const SUPPORTED_SCHEMA_VERSIONS = [1, 2] as const;

/** A session's public id (not its token): random, made by the API at sign-in. */
export const SessionIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'session must be a session id from sign-in'));

// Every free-text field goes through `freeText`: bounded, and storable (no NUL, no lone surrogate).
const note = freeText('note', 500, { blank: true });
const ref = freeText('reference', 64);
/** GS1 lot (AI 10): up to 20 characters. */
const lot = freeText('lot', 20);
/** An expiry as an ISO date (YYYY-MM-DD). */
const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD'));

export const RETURN_CONDITIONS = ['sealed', 'opened', 'damaged', 'defective', 'wrong_item'] as const;
export type ReturnCondition = (typeof RETURN_CONDITIONS)[number];

/** Payload schemas by event type: the closed set of facts the floor can record. */
export const payloadSchemas = {
  /** A unit scanned into a tote: `available -> committed` at the bin. */
  'pick.held': z.strictObject({
    pickListId: TaskIdSchema,
    lineId: ref,
    sku: SkuSchema,
    location: LocationIdSchema,
    tote: ToteIdSchema,
    qty: QtySchema,
  }),
  /** The bin held fewer than the line asks: the missing units become `suspect`, a blind count is raised. */
  'pick.short': z.strictObject({
    pickListId: TaskIdSchema,
    lineId: ref,
    sku: SkuSchema,
    location: LocationIdSchema,
    missingQty: QtySchema,
    countTaskId: TaskIdSchema,
  }),
  /** Undo of a `pick.held`: `committed -> available`. Names the event it corrects. */
  'pick.undone': z.strictObject({
    corrects: EventIdSchema,
    sku: SkuSchema,
    location: LocationIdSchema,
    qty: QtySchema,
  }),
  /**
   * Undo of a confirmed `pick.short` on the same line, once: `suspect -> available` for at most
   * what that short moved, and the line wants the units again. Names the event it corrects.
   */
  'pick.short_undone': z.strictObject({
    corrects: EventIdSchema,
    pickListId: TaskIdSchema,
    lineId: ref,
    sku: SkuSchema,
    location: LocationIdSchema,
    qty: QtySchema,
  }),
  /** Goods counted in at the dock: `+ qc`. */
  'receipt.received': z.strictObject({
    receiptId: TaskIdSchema,
    lineId: z.optional(ref),
    sscc: z.optional(z.string().check(z.regex(/^\d{18}$/, 'sscc must be 18 digits'))),
    gtin: z.optional(GtinSchema),
    sku: SkuSchema,
    lot: z.optional(lot),
    expiry: z.optional(isoDate),
    location: LocationIdSchema,
    qty: QtySchema,
  }),
  /** Goods cleared out of QC into a bin: `qc -> available`. */
  'qc.released': z.strictObject({
    sku: SkuSchema,
    from: LocationIdSchema,
    to: LocationIdSchema,
    qty: QtySchema,
  }),
  /** A returned item received: `+ quarantine`, never available by itself. */
  'return.quarantined': z.strictObject({
    returnId: TaskIdSchema,
    sku: SkuSchema,
    location: LocationIdSchema,
    qty: QtySchema,
    condition: z.enum(RETURN_CONDITIONS),
    orderRef: z.optional(freeText('order reference', 64)),
    note: z.optional(note),
  }),
  /** A supervisor's decision on a quarantined return. */
  'return.resolved': z.discriminatedUnion('decision', [
    z.strictObject({
      returnId: TaskIdSchema,
      decision: z.literal('resale'),
      sku: SkuSchema,
      from: LocationIdSchema,
      to: LocationIdSchema,
      qty: QtySchema,
    }),
    z.strictObject({
      returnId: TaskIdSchema,
      decision: z.literal('write_off'),
      sku: SkuSchema,
      from: LocationIdSchema,
      qty: QtySchema,
      reason: freeText('reason', 500, { emptyMessage: 'a write-off needs a reason' }),
    }),
  ]),
  /** A counter began a blind count of a bin: the API snapshots the bin at this place in the ledger. */
  'count.started': z.strictObject({
    countTaskId: TaskIdSchema,
    location: LocationIdSchema,
  }),
  /** What a counter found in a bin, per SKU (zero included). */
  'count.recorded': z.strictObject({
    countTaskId: TaskIdSchema,
    location: LocationIdSchema,
    lines: z.array(z.strictObject({ sku: SkuSchema, qty: CountQtySchema })).check(z.minLength(1, 'a count needs at least one line'), z.maxLength(500)),
  }),
  /** A supervisor approves (posts) or rejects (asks for a recount of) a held count variance. */
  'count.approved': z.strictObject({
    countTaskId: TaskIdSchema,
    approve: z.boolean(),
  }),
} as const;

export type EventType = keyof typeof payloadSchemas;
export const EVENT_TYPES = Object.keys(payloadSchemas) as EventType[];
export type PayloadOf<T extends EventType> = z.output<(typeof payloadSchemas)[T]>;

/** Who may record each fact. A supervisor may record any of them. */
export function rolesFor(type: EventType): readonly Role[] {
  switch (type) {
    case 'pick.held':
    case 'pick.short':
    case 'pick.undone':
    case 'pick.short_undone':
      return ['picker'];
    case 'receipt.received':
    case 'qc.released':
      return ['receiver'];
    case 'return.quarantined':
      return ['returns', 'receiver'];
    case 'return.resolved':
    case 'count.approved':
      return ['supervisor'];
    case 'count.started':
    case 'count.recorded':
      return ['counter', 'picker', 'receiver', 'returns'];
    default:
      return assertNever(type, 'event type');
  }
}

/** The envelope fields every version carries, validated before the payload. */
export const EnvelopeSchema = z
  .object({
    id: EventIdSchema,
    deviceId: DeviceIdSchema,
    seq: SeqSchema,
    type: freeText('type', 64, { blank: true }),
    schemaVersion: z.int().check(z.gte(1)),
    /** The device clock, for people; must be a real instant (the API keeps its own receipt time). */
    occurredAt: InstantSchema,
    actor: UserIdSchema,
    session: z.optional(SessionIdSchema),
    /** Recorded under an offline sign-in: the grant the API signed (src/domain/shift/protocol.ts); `session` is its id. */
    grant: z.optional(GrantTokenSchema),
    payload: z.unknown(),
  })
  .check(z.refine((e) => e.schemaVersion < 2 || e.session !== undefined, { error: 'session is required from schemaVersion 2', path: ['session'] }));
export type Envelope = z.output<typeof EnvelopeSchema>;

type EventOf<T extends EventType> = Omit<Envelope, 'type' | 'payload'> & {
  type: T;
  payload: PayloadOf<T>;
};
/** The closed union of floor facts. */
export type FloorEvent = { [T in EventType]: EventOf<T> }[EventType];

export type EventProblem = { code: 'unknown_type' | 'unsupported_version' | 'invalid_payload'; message: string };

/** Formats zod issues as `field: message; field: message`. */
export function describeIssues(error: Issues): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export function isEventType(t: string): t is EventType {
  return Object.hasOwn(payloadSchemas, t);
}

/**
 * Validates the payload of a readable envelope, upgrading older schema versions.
 * Returns the typed event or the reason it must be rejected.
 */
export function parseEvent(env: Envelope): { ok: true; event: FloorEvent } | { ok: false; problem: EventProblem } {
  if (!isEventType(env.type)) {
    return { ok: false, problem: { code: 'unknown_type', message: `unknown event type "${env.type.slice(0, 64)}"` } };
  }
  if (!(SUPPORTED_SCHEMA_VERSIONS as readonly number[]).includes(env.schemaVersion)) {
    return {
      ok: false,
      problem: { code: 'unsupported_version', message: `schemaVersion ${env.schemaVersion} is not supported` },
    };
  }
  const result = payloadSchemas[env.type].safeParse(env.payload);
  if (!result.success) {
    return { ok: false, problem: { code: 'invalid_payload', message: `payload.${describeIssues(result.error)}` } };
  }
  return { ok: true, event: { ...env, type: env.type, payload: result.data } as FloorEvent };
}

/** Builds an envelope on the device; id, seq and time come from the caller (no clock or randomness here). */
export function makeEvent<T extends EventType>(
  type: T,
  payload: PayloadOf<T>,
  meta: { id: string; deviceId: string; seq: number; occurredAt: string; actor: string; session: string; grant?: string },
): EventOf<T> {
  return {
    ...meta,
    type,
    payload,
    schemaVersion: CURRENT_SCHEMA_VERSION,
  } as unknown as EventOf<T>;
}

/** An event as it is before its seq is allocated: the device's workflows produce these. */
export type DraftEvent = { [T in EventType]: { type: T; payload: PayloadOf<T> } }[EventType];
