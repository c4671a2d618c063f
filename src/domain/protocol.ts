import { z } from 'zod';
import { DeviceIdSchema, MAX_QTY } from './ids.ts';
import { RoleSchema } from './roles.ts';
import { freeText } from './text.ts';

/** Wire protocol version 1: request and answer shapes shared by the device and the API. */
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
export const DeviceSecretSchema = z.string().regex(/^[A-Za-z0-9_-]{20,128}$/, 'deviceSecret must be the secret the API gave this device');

export const SignInRequestSchema = z.strictObject({
  user: freeText('user', 64, { emptyMessage: 'user is empty' }),
  pin: z.string().regex(/^\d{4,8}$/, 'pin must be 4 to 8 digits'),
  deviceId: DeviceIdSchema,
  /** Required once the API knows `deviceId`; absent on a device's first sign-in. */
  deviceSecret: DeviceSecretSchema.optional(),
  /** A device reset by a supervisor re-registers under a fresh id and proves it was `previous`. */
  previous: z.strictObject({ deviceId: DeviceIdSchema, deviceSecret: DeviceSecretSchema }).optional(),
});
export type SignInRequest = z.input<typeof SignInRequestSchema>;

export const UserSchema = z.object({ id: z.string(), name: z.string(), roles: z.array(RoleSchema) });
export type User = z.output<typeof UserSchema>;
/**
 * `session` is the public id every event recorded under this sign-in carries; `deviceSecret`
 * comes only when this sign-in registered the device (keep it: it is never sent again).
 */
export type SignInResponse = { token: string; session: string; expiresAt: string; user: User; deviceSecret?: string };

/**
 * Sign-in refusals besides `bad_credentials` (401) and `rate_limited` (429), all 403:
 * `device_not_proven` (the device id is registered and this request lacks its secret),
 * `device_revoked` (a supervisor revoked the handheld), `device_reset` (a supervisor reset it:
 * re-register under a fresh id with `previous`), `previous_not_proven`, `reserved_device`.
 */
export type SignInRefusal = 'device_not_proven' | 'device_revoked' | 'device_reset' | 'previous_not_proven' | 'reserved_device';

/** Ids no handheld may sign in on: the ledger's own writers (opening balances). */
export const RESERVED_DEVICE_IDS: readonly string[] = ['00000000-0000-0000-0000-000000000000'];

/** A single-use ticket for `GET /stream?ticket=`: EventSource cannot send a header, and a token never goes in a URL. */
export type StreamTicket = { ticket: string; expiresAt: string };

/** One row of `GET /api/v1/sessions` (supervisors). */
export type SessionView = {
  id: string;
  userId: string;
  deviceId: string;
  createdAt: string;
  expiresAt: string;
  endedAt: string | null;
  revokedAt: string | null;
  active: boolean;
};

/** Envelopes are checked for readability here; payloads are checked per event, so one bad event is rejected, not the batch. */
export const PushRequestSchema = z.strictObject({
  events: z.array(z.unknown()).min(1, 'events is empty').max(MAX_BATCH, `at most ${MAX_BATCH} events per push`),
});

export type Rejection = { seq: number; id: string; code: RejectionCode; message: string };
/**
 * Why an event was rejected: `invalid_envelope` (a field of the envelope other than id/seq/deviceId is bad),
 * `forbidden` (unknown actor, actor never signed in on this device, or a role that may not record this fact),
 * `duplicate_id` (the id is already in the ledger under another number). What exists (src/domain/stock.ts
 * `checkEvent`): `unknown_sku`, `unknown_location`, `wrong_location_kind` (a receipt outside a dock...),
 * `unknown_pick_line`, `unknown_pick`, `unknown_receipt`, `unknown_return` (a reference to nothing),
 * `reference_mismatch` (the reference is of another SKU or place), `exceeds_reference` (more than the
 * line wants, the pick held or the return has open), `duplicate_return`, `task_closed` (a count task
 * posts once), `not_awaiting_approval` (a decision on a count nobody holds), `limit_exceeded` (a bucket
 * would pass `BUCKET_CAP`), `session_mismatch` (the event's session is unknown, of another user or of another device; or a
 * v1 event without a session from a handheld that was not signed in before sessions existed),
 * `session_revoked` (a supervisor revoked the session the event was recorded under),
 * `unstorable` (the event was valid but the database could not apply it: an overflow, a constraint).
 */
export type RejectionCode =
  | 'actor_mismatch'
  | 'duplicate_id'
  | 'duplicate_return'
  | 'exceeds_reference'
  | 'forbidden'
  | 'invalid_envelope'
  | 'invalid_payload'
  | 'limit_exceeded'
  | 'not_awaiting_approval'
  | 'reference_mismatch'
  | 'session_mismatch'
  | 'session_revoked'
  | 'task_closed'
  | 'unknown_location'
  | 'unknown_pick'
  | 'unknown_pick_line'
  | 'unknown_receipt'
  | 'unknown_return'
  | 'unknown_sku'
  | 'unknown_type'
  | 'unstorable'
  | 'unsupported_version'
  | 'wrong_location_kind';
/** A resend of a held seq and id whose content differs from what the ledger holds: not applied, recorded for a supervisor. */
export type ResendWarning = { seq: number; id: string; message: string };
export type PushResponse = { ackedSeq: number; rejected: Rejection[]; expectedSeq?: number; conflicts?: ResendWarning[] };
/** 409: the device reused a number for a different event. */
export type SeqConflict = { error: 'seq_conflict'; message: string; seq: number; ackedSeq: number };

export type ApiError = { error: string; message: string; field?: string };

export type CatalogItem = { sku: string; gtin: string; name: string; unitsPerCase?: number };
/** The catalog changes after a device's catalog cursor: SKUs to put (new or changed) and SKUs gone. */
export type CatalogDelta = { since: number; upserts: CatalogItem[]; removed: string[] };
/** `picked` sums pick.held less pick.undone; `short` sums pick.short. A list is done when picked + short covers every line. */
export type PickLine = { lineId: string; sku: string; location: string; qty: number; picked: number; short?: number };
export type PickList = { id: string; orderRef: string; status: 'open' | 'done'; lines: PickLine[] };
/** `flag` compares received with expected; a line the receipt did not expect has expectedQty 0 (an over). */
export type ReceiptLine = { lineId: string; sku: string; gtin: string; expectedQty: number; receivedQty: number; flag?: 'under' | 'exact' | 'over' };
export type Receipt = { id: string; supplier: string; dock: string; ssccs: string[]; lines: ReceiptLine[]; status: 'open' | 'done' };
/** A blind count task: never carries the expected quantity. */
export type CountTaskView = { id: string; location: string; reason: string; status: string };
export type QuarantinedReturn = { returnId: string; sku: string; location: string; qty: number; condition: string; note?: string; receivedAt: string; resolved: boolean };

/**
 * The work answer is always complete (the device replaces its cache with it); `cursor` marks the
 * central state it reflects, so a device that sends it back can tell whether anything moved.
 */
export type PullResponse = {
  cursor: string;
  /** True when the request's cursor already matched: nothing changed since the device last pulled. */
  unchanged?: boolean;
  /** The highest seq the API holds for this device (0 if none): heals a lost push answer. */
  lastSeq: number;
  /** The whole catalog; empty when `catalogDelta` answers instead. */
  catalog: CatalogItem[];
  /** (masterdata) The catalog's own cursor: send it back as `?catalogSince=` to get only what changed. */
  catalogCursor?: number;
  /** (masterdata) Present when the request had `catalogSince`: the SKUs changed since, instead of `catalog`. */
  catalogDelta?: CatalogDelta;
  locations: { id: string; kind: 'bin' | 'dock' | 'qc' | 'returns' }[];
  pickLists: PickList[];
  receipts: Receipt[];
  countTasks: CountTaskView[];
  returns: QuarantinedReturn[];
};

export { MAX_QTY };

/** One row of `GET /api/v1/stock`: every bucket, on hand and ATP of a SKU at a location. */
export type StockFigure = {
  sku: string;
  location: string;
  available: number;
  committed: number;
  qc: number;
  quarantine: number;
  suspect: number;
  onHand: number;
  atp: number;
};
/** One event of `GET /api/v1/ledger`: who, which device, when, and what became of it. */
export type LedgerEntry = {
  position: number;
  id: string;
  deviceId: string;
  seq: number;
  type: string;
  actor: string;
  occurredAt: string;
  receivedAt: string;
  status: 'applied' | 'rejected';
  code?: string;
  message?: string;
  /** The device clock was far from the API's at receipt: `ahead` of it, or `behind` by more than the offline allowance. */
  clockSkew?: 'ahead' | 'behind';
  payload: unknown;
};
/** One row of `GET /api/v1/devices`. */
export type DeviceHealth = {
  deviceId: string;
  lastSeq: number;
  lastContactAt: string;
  rejectedCount: number;
  pendingHint?: number;
  /** Registration: when the device got its secret; revoked or reset (retired) by a supervisor. */
  registeredAt?: string | null;
  revokedAt?: string | null;
  resetAt?: string | null;
  /** The registration this one replaced after a reset, and the one that replaced it. */
  replaces?: string | null;
  replacedBy?: string | null;
  /** Users with an open session on the device. */
  signedIn?: string[];
};
