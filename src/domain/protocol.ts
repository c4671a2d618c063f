import { AnyDeviceIdSchema, DeviceIdSchema, EventIdSchema, LocationIdSchema, MAX_QTY, SkuSchema, TaskIdSchema, UserIdSchema } from './ids.ts';
import { RoleSchema } from './roles.ts';
import { z } from './schema.ts';
import { freeText } from './text.ts';

/**
 * Wire protocol version 1: one schema per request and answer, shared by the device and the API.
 * The API's handlers return these types; the device parses every answer with these schemas
 * (src/device/api/client.ts), so an answer it cannot read is a clear error, never a cast. Ids are
 * branded and normalised where they are parsed (a device id is lower case after parsing).
 * Answers are parsed loosely (unknown fields are kept and ignored), requests strictly.
 */
export const API_PREFIX = '/api/v1';
/** Most events one push may carry; the device sends at most this many. */
export const MAX_BATCH = 500;
/** Largest request body the API reads (bytes). */
export const MAX_BODY_BYTES = 1_048_576;
/**
 * Deepest nesting of a request body the API reads; deeper is a 400 before parsing. Well above any
 * real push (about 6 levels), so a deep but readable envelope is a rejected event, not a blocked device.
 */
export const MAX_BODY_DEPTH = 16_384;

/** The secret a handheld got at its first sign-in (base64url): proves it is that device. */
export const DeviceSecretSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{20,128}$/, 'deviceSecret must be the secret the API gave this device'));

/**
 * A handheld's public key: ECDSA P-256, SPKI (DER), base64url (91 bytes). Its private key was made
 * non-extractable on the device and never leaves it; the device proves itself by signing challenges.
 */
export const DevicePublicKeySchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{100,200}$/, 'publicKey must be an ECDSA P-256 public key (SPKI, base64url)'));
/** A one-time sign-in challenge from `POST /sessions/challenge` (32 random bytes, base64url). */
export const SignInChallengeSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'challenge must be one from POST /sessions/challenge'));
/** An ECDSA P-256 / SHA-256 signature as WebCrypto makes it (r and s, 64 bytes), base64url. */
export const DeviceSignatureSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{86}$/, 'signature must be an ECDSA P-256 signature (64 bytes, base64url)'));

/** What a device signs to prove it holds its key: the purpose, the device id and the challenge, so a signature proves nothing else. */
export const signInMessage = (deviceId: string, challenge: string): string => `floor-scanner sign-in v1\n${deviceId.toLowerCase()}\n${challenge}`;

const bothOrNeither = (r: { challenge?: unknown; signature?: unknown }) => (r.challenge === undefined) === (r.signature === undefined);
const proofMessage = 'challenge and signature go together';

export const SignInRequestSchema = z
  .strictObject({
    user: freeText('user', 64, { emptyMessage: 'user is empty' }),
    pin: z.string().check(z.regex(/^\d{4,8}$/, 'pin must be 4 to 8 digits')),
    deviceId: DeviceIdSchema,
    /** A device registered with a secret: required once the API knows `deviceId`; absent on a device's first sign-in. */
    deviceSecret: z.optional(DeviceSecretSchema),
    /** A device with a key: registers it (first sign-in, or replacing a secret the request proves). */
    publicKey: z.optional(DevicePublicKeySchema),
    /** A device registered with a key: a fresh challenge for `deviceId` and its signature of `signInMessage`. */
    challenge: z.optional(SignInChallengeSchema),
    signature: z.optional(DeviceSignatureSchema),
    /** A device reset by a supervisor re-registers under a fresh id and proves it was `previous` (with its secret, or its key). */
    previous: z.optional(
      z
        .strictObject({
          deviceId: DeviceIdSchema,
          deviceSecret: z.optional(DeviceSecretSchema),
          challenge: z.optional(SignInChallengeSchema),
          signature: z.optional(DeviceSignatureSchema),
        })
        .check(
          z.refine(bothOrNeither, { error: proofMessage, path: ['signature'] }),
          z.refine((p) => (p.deviceSecret === undefined) !== (p.challenge === undefined), {
            error: 'previous proves the old registration with its deviceSecret or with challenge and signature (one of them)',
            path: ['deviceSecret'],
          }),
        ),
    ),
  })
  .check(z.refine(bothOrNeither, { error: proofMessage, path: ['signature'] }));
export type SignInRequest = z.input<typeof SignInRequestSchema>;

export const UserSchema = z.looseObject({ id: z.string(), name: z.string(), roles: z.array(RoleSchema) });
export type User = z.output<typeof UserSchema>;
/**
 * `session` is the public id every event recorded under this sign-in carries; `deviceSecret`
 * comes only when this sign-in registered the device (keep it: it is never sent again).
 */
/** `POST /sessions/challenge` `{ deviceId }`: a challenge for that device's next sign-in, usable once, until `expiresAt`. */
export const ChallengeRequestSchema = z.strictObject({ deviceId: DeviceIdSchema });
export const ChallengeResponseSchema = z.looseObject({ challenge: z.string().check(z.minLength(1)), expiresAt: z.string() });
export type ChallengeResponse = z.output<typeof ChallengeResponseSchema>;

export const SignInResponseSchema = z.looseObject({
  token: z.string().check(z.minLength(1)),
  session: z.string().check(z.minLength(1)),
  expiresAt: z.string(),
  user: UserSchema,
  deviceSecret: z.optional(z.string()),
});
export type SignInResponse = z.output<typeof SignInResponseSchema>;

/**
 * Sign-in refusals besides `bad_credentials` (401) and `rate_limited` (429), all 403:
 * `device_not_proven` (the device id is registered and this request lacks its secret, or the valid signature of a fresh challenge when it was registered with a key),
 * `device_revoked` (a supervisor revoked the handheld), `device_reset` (a supervisor reset it:
 * re-register under a fresh id with `previous`), `previous_not_proven`, `reserved_device`, `user_disabled`
 * (the PIN was right but an admin disabled the person).
 */
export type SignInRefusal = 'device_not_proven' | 'device_revoked' | 'device_reset' | 'previous_not_proven' | 'reserved_device' | 'user_disabled';

/** Ids no handheld may sign in on: the ledger's own writers (opening balances). */
export const RESERVED_DEVICE_IDS: readonly string[] = ['00000000-0000-0000-0000-000000000000'];

/** A single-use ticket for `GET /stream?ticket=`: EventSource cannot send a header, and a token never goes in a URL. */
export const StreamTicketSchema = z.looseObject({ ticket: z.string().check(z.minLength(1)), expiresAt: z.string() });
export type StreamTicket = z.output<typeof StreamTicketSchema>;

/** One message of the live feed (`GET /stream`, event `change`): something to pull again. */
export const ChangeMessageSchema = z.looseObject({
  kind: z.enum(['work', 'stock']),
  sku: z.optional(z.string()),
  location: z.optional(z.string()),
});
export type ChangeMessage = z.output<typeof ChangeMessageSchema>;

/** One row of `GET /api/v1/sessions` (supervisors). */
export const SessionViewSchema = z.looseObject({
  id: z.string(),
  userId: z.string(),
  deviceId: AnyDeviceIdSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
  endedAt: z.nullable(z.string()),
  revokedAt: z.nullable(z.string()),
  active: z.boolean(),
});
export type SessionView = z.output<typeof SessionViewSchema>;
export const SessionsAnswerSchema = z.looseObject({ sessions: z.array(SessionViewSchema) });
export type SessionsAnswer = z.output<typeof SessionsAnswerSchema>;
/** `POST /sessions/:id/revoke`, `/devices/:id/revoke`, `/devices/:id/reset`, `/users/:id/unlock`. */
export const RevokeSessionAnswerSchema = z.looseObject({ revoked: z.string() });
export const RevokeDeviceAnswerSchema = z.looseObject({ revoked: AnyDeviceIdSchema, sessions: z.array(z.string()) });
export const ResetDeviceAnswerSchema = z.looseObject({ reset: AnyDeviceIdSchema });
export const UnlockAnswerSchema = z.looseObject({ unlocked: z.string(), wasLocked: z.boolean() });

/** Envelopes are checked for readability here; payloads are checked per event, so one bad event is rejected, not the batch. */
export const PushRequestSchema = z.strictObject({
  events: z.array(z.unknown()).check(z.minLength(1, 'events is empty'), z.maxLength(MAX_BATCH, `at most ${MAX_BATCH} events per push`)),
});

/**
 * Why an event was rejected: `invalid_envelope` (a field of the envelope other than id/seq/deviceId is bad),
 * `forbidden` (unknown actor, actor never signed in on this device, or a role that may not record this fact),
 * `duplicate_id` (the id is already in the ledger under another number). What exists (src/domain/stock.ts
 * `checkEvent`): `unknown_sku`, `unknown_location`, `wrong_location_kind` (a receipt outside a dock...),
 * `unknown_pick_line`, `unknown_pick`, `unknown_short`, `unknown_receipt`, `unknown_return` (a reference to nothing),
 * `already_undone` (a short is undone once),
 * `reference_mismatch` (the reference is of another SKU or place), `exceeds_reference` (more than the
 * line wants, the pick held or the return has open), `duplicate_return`, `task_closed` (a count task
 * posts once), `not_awaiting_approval` (a decision on a count nobody holds), `limit_exceeded` (a bucket
 * would pass `BUCKET_CAP`), `session_mismatch` (the event's session is unknown, of another user or of another device; or a
 * v1 event without a session from a handheld that was not signed in before sessions existed),
 * `session_revoked` (a supervisor revoked the session the event was recorded under, or its offline grant),
 * `grant_expired` (recorded under an offline sign-in grant after the grant's expiry),
 * `user_disabled` (recorded, by its `occurredAt`, at or after an admin disabled its actor),
 * `unstorable` (the event was valid but the database could not apply it: an overflow, a constraint).
 */
export const REJECTION_CODES = [
  'actor_mismatch',
  'already_undone',
  'duplicate_id',
  'duplicate_return',
  'exceeds_reference',
  'forbidden',
  'grant_expired',
  'invalid_envelope',
  'invalid_payload',
  'limit_exceeded',
  'not_awaiting_approval',
  'reference_mismatch',
  'session_mismatch',
  'session_revoked',
  'task_closed',
  'unknown_location',
  'unknown_pick',
  'unknown_pick_line',
  'unknown_receipt',
  'unknown_return',
  'unknown_short',
  'unknown_sku',
  'unknown_type',
  'unstorable',
  'unsupported_version',
  'user_disabled',
  'wrong_location_kind',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];
export const RejectionCodeSchema = z.enum(REJECTION_CODES);

const seqNumber = z.int().check(z.gte(0));
export const RejectionSchema = z.looseObject({ seq: seqNumber, id: z.string(), code: RejectionCodeSchema, message: z.string() });
export type Rejection = z.output<typeof RejectionSchema>;
/** A resend of a stored seq and id whose content differs from the ledger's copy: not applied, recorded for a supervisor. */
export const ResendWarningSchema = z.looseObject({ seq: seqNumber, id: z.string(), message: z.string() });
export type ResendWarning = z.output<typeof ResendWarningSchema>;
export const PushResponseSchema = z.looseObject({
  ackedSeq: seqNumber,
  rejected: z.array(RejectionSchema),
  expectedSeq: z.optional(seqNumber),
  conflicts: z.optional(z.array(ResendWarningSchema)),
});
export type PushResponse = z.output<typeof PushResponseSchema>;
/** 409: the device reused a number for a different event. */
export const SeqConflictSchema = z.looseObject({ error: z.literal('seq_conflict'), message: z.string(), seq: seqNumber, ackedSeq: seqNumber });
export type SeqConflict = z.output<typeof SeqConflictSchema>;

/** Every refusal of the API: a code, words for people, and the field it is about. */
export const ApiErrorSchema = z.looseObject({ error: z.string(), message: z.string(), field: z.optional(z.string()) });
export type ApiError = { error: string; message: string; field?: string };

/** A case's own GTIN (not derived from the unit's) and how many units it holds. */
export const CatalogCaseSchema = z.looseObject({ gtin: z.string(), units: z.number() });
export type CatalogCase = z.output<typeof CatalogCaseSchema>;
export const CatalogItemSchema = z.looseObject({
  sku: z.string(),
  gtin: z.string(),
  name: z.string(),
  unitsPerCase: z.optional(z.number()),
  /** The case GTINs of the master data (`catalog_cases`); a scan of one is that many units. */
  cases: z.optional(z.array(CatalogCaseSchema)),
});
export type CatalogItem = z.output<typeof CatalogItemSchema>;
/** The catalog changes after a device's catalog cursor: SKUs to put (new or changed) and SKUs gone. */
export const CatalogDeltaSchema = z.looseObject({ since: z.number(), upserts: z.array(CatalogItemSchema), removed: z.array(z.string()) });
export type CatalogDelta = z.output<typeof CatalogDeltaSchema>;
/** `picked` sums pick.held less pick.undone; `short` sums pick.short. A list is done when picked + short covers every line. */
export const PickLineSchema = z.looseObject({
  lineId: z.string(),
  sku: z.string(),
  location: z.string(),
  qty: z.number(),
  picked: z.number(),
  short: z.optional(z.number()),
});
export type PickLine = z.output<typeof PickLineSchema>;
export const PickListSchema = z.looseObject({ id: z.string(), orderRef: z.string(), status: z.enum(['open', 'done']), lines: z.array(PickLineSchema) });
export type PickList = z.output<typeof PickListSchema>;
/** `flag` compares received with expected; a line the receipt did not expect has expectedQty 0 (an over). */
export const ReceiptLineSchema = z.looseObject({
  lineId: z.string(),
  sku: z.string(),
  gtin: z.string(),
  expectedQty: z.number(),
  receivedQty: z.number(),
  flag: z.optional(z.enum(['under', 'exact', 'over'])),
});
export type ReceiptLine = z.output<typeof ReceiptLineSchema>;
export const ReceiptSchema = z.looseObject({
  id: z.string(),
  supplier: z.string(),
  dock: z.string(),
  ssccs: z.array(z.string()),
  lines: z.array(ReceiptLineSchema),
  status: z.enum(['open', 'done']),
});
export type Receipt = z.output<typeof ReceiptSchema>;
/** A blind count task: never carries the expected quantity. */
export const CountTaskViewSchema = z.looseObject({ id: z.string(), location: z.string(), reason: z.string(), status: z.string() });
export type CountTaskView = z.output<typeof CountTaskViewSchema>;
export const QuarantinedReturnSchema = z.looseObject({
  returnId: z.string(),
  sku: z.string(),
  location: z.string(),
  qty: z.number(),
  condition: z.string(),
  note: z.optional(z.string()),
  receivedAt: z.string(),
  resolved: z.boolean(),
});
export type QuarantinedReturn = z.output<typeof QuarantinedReturnSchema>;
export const LOCATION_KINDS = ['bin', 'dock', 'qc', 'returns'] as const;
export const LocationViewSchema = z.looseObject({ id: z.string(), kind: z.enum(LOCATION_KINDS) });
export type LocationView = z.output<typeof LocationViewSchema>;

/**
 * The work answer (`GET /devices/:id/work`) is always complete (the device replaces its cache
 * with it); `cursor` marks the central state it reflects, so a device that sends it back can
 * tell whether anything moved. `unchanged` is true when the request's cursor already matched;
 * `lastSeq` is the highest seq the API holds for this device (0 if none): it heals a lost push answer.
 */
export const PullResponseSchema = z.looseObject({
  cursor: z.string(),
  unchanged: z.optional(z.boolean()),
  lastSeq: seqNumber,
  /** The whole catalog; empty when `catalogDelta` answers instead. */
  catalog: z.array(CatalogItemSchema),
  /** The catalog's own cursor: send it back as `?catalogSince=` to get only what changed. */
  catalogCursor: z.optional(z.number()),
  /** Present when the request had `catalogSince`: the SKUs changed since, instead of `catalog`. */
  catalogDelta: z.optional(CatalogDeltaSchema),
  locations: z.array(LocationViewSchema),
  pickLists: z.array(PickListSchema),
  receipts: z.array(ReceiptSchema),
  countTasks: z.array(CountTaskViewSchema),
  returns: z.array(QuarantinedReturnSchema),
});
export type PullResponse = z.output<typeof PullResponseSchema>;

export { MAX_QTY };

/** One row of `GET /api/v1/stock`: every bucket, on hand and ATP of a SKU at a location. */
export const StockFigureSchema = z.looseObject({
  sku: z.string(),
  location: z.string(),
  available: z.number(),
  committed: z.number(),
  qc: z.number(),
  quarantine: z.number(),
  suspect: z.number(),
  onHand: z.number(),
  atp: z.number(),
});
export type StockFigure = z.output<typeof StockFigureSchema>;
export const StockAnswerSchema = z.looseObject({ rows: z.array(StockFigureSchema) });
export type StockAnswer = z.output<typeof StockAnswerSchema>;

/** One event of `GET /api/v1/ledger`: who, which device, when, and what became of it. */
export const LedgerEntrySchema = z.looseObject({
  position: z.int(),
  id: z.string(),
  deviceId: AnyDeviceIdSchema,
  seq: seqNumber,
  type: z.string(),
  actor: z.string(),
  occurredAt: z.string(),
  receivedAt: z.string(),
  status: z.enum(['applied', 'rejected']),
  /** A rejection's code: one of `REJECTION_CODES` from this build or a newer one. */
  code: z.optional(z.string()),
  message: z.optional(z.string()),
  /** The device clock was far from the API's at receipt: `ahead` of it, or `behind` by more than the offline allowance. */
  clockSkew: z.optional(z.enum(['ahead', 'behind'])),
  payload: z.unknown(),
});
export type LedgerEntry = z.output<typeof LedgerEntrySchema>;
export const LedgerAnswerSchema = z.looseObject({ events: z.array(LedgerEntrySchema) });
export type LedgerAnswer = z.output<typeof LedgerAnswerSchema>;

/** One row of `GET /api/v1/devices`. `lastContactAt` is null for a device registered that never pulled or pushed. */
export const DeviceHealthSchema = z.looseObject({
  deviceId: AnyDeviceIdSchema,
  lastSeq: seqNumber,
  lastContactAt: z.nullable(z.string()),
  rejectedCount: z.number(),
  /** Registration: when the device got its key or secret; revoked or reset (retired) by a supervisor. */
  registeredAt: z.nullable(z.string()),
  /** How the device proves itself at sign-in: a non-extractable key, or a secret (a browser without WebCrypto); null: never registered. */
  proof: z.optional(z.nullable(z.enum(['key', 'secret']))),
  revokedAt: z.nullable(z.string()),
  resetAt: z.nullable(z.string()),
  /** The registration this one replaced after a reset, and the one that replaced it. */
  replaces: z.nullable(z.string()),
  replacedBy: z.nullable(z.string()),
  /** Users with an open session on the device. */
  signedIn: z.array(z.string()),
});
export type DeviceHealth = z.output<typeof DeviceHealthSchema>;
export const DevicesAnswerSchema = z.looseObject({ devices: z.array(DeviceHealthSchema) });
export type DevicesAnswer = z.output<typeof DevicesAnswerSchema>;

/** One row of `GET /api/v1/conflicts`: a resend whose content differed from what the ledger holds. */
export const ResendConflictViewSchema = z.looseObject({
  deviceId: AnyDeviceIdSchema,
  seq: seqNumber,
  eventId: z.string(),
  sent: z.unknown(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  times: z.number(),
});
export type ResendConflictView = z.output<typeof ResendConflictViewSchema>;
export const ConflictsAnswerSchema = z.looseObject({ conflicts: z.array(ResendConflictViewSchema) });
export type ConflictsAnswer = z.output<typeof ConflictsAnswerSchema>;

/** One row of `GET /api/v1/discrepancies`: a shelf that did not hold what a scan claimed. */
export const DiscrepancyViewSchema = z.looseObject({
  id: z.number(),
  /** The ledger position of the event that found it (0 when that row is gone). */
  position: z.number(),
  eventId: z.string(),
  deviceId: AnyDeviceIdSchema,
  seq: seqNumber,
  kind: z.string(),
  sku: z.string(),
  location: z.string(),
  expected: z.number(),
  reported: z.number(),
  claimed: z.number(),
  message: z.string(),
  createdAt: z.string(),
});
export type DiscrepancyView = z.output<typeof DiscrepancyViewSchema>;
export const DiscrepanciesAnswerSchema = z.looseObject({ discrepancies: z.array(DiscrepancyViewSchema) });
export type DiscrepanciesAnswer = z.output<typeof DiscrepanciesAnswerSchema>;

const CountLineSchema = z.looseObject({ sku: SkuSchema, expected: z.number(), counted: z.number(), variance: z.number() });
const MovementSchema = z.looseObject({
  eventId: EventIdSchema,
  type: z.string(),
  actor: UserIdSchema,
  sku: SkuSchema,
  location: z.optional(LocationIdSchema),
  qty: z.number(),
});
/**
 * One row of `GET /api/v1/count-tasks`. A supervisor's rows add `snapshot` (the shelf at the
 * count's start) and `held` (the count awaiting approval, with expected quantities); a counter's
 * rows never carry them: the count stays blind.
 */
export const CountTaskRowSchema = z.looseObject({
  id: TaskIdSchema,
  location: LocationIdSchema,
  reason: z.string(),
  status: z.string(),
  updatedAt: z.string(),
  snapshot: z.optional(z.record(z.string(), z.number())),
  held: z.optional(
    z.looseObject({
      actor: UserIdSchema,
      eventId: z.optional(EventIdSchema),
      lines: z.array(CountLineSchema),
      /** What moved at the bin while it was counted: why the count could not post by itself. */
      movements: z.optional(z.array(MovementSchema)),
      previous: z.optional(z.looseObject({ actor: UserIdSchema, lines: z.array(z.looseObject({ sku: SkuSchema, counted: z.number() })) })),
    }),
  ),
});
export type CountTaskRow = z.output<typeof CountTaskRowSchema>;
export const CountTasksAnswerSchema = z.looseObject({ countTasks: z.array(CountTaskRowSchema) });
export type CountTasksAnswer = z.output<typeof CountTasksAnswerSchema>;

export const ReturnsAnswerSchema = z.looseObject({ returns: z.array(QuarantinedReturnSchema) });
export type ReturnsAnswer = z.output<typeof ReturnsAnswerSchema>;
