import { z } from './schema.ts';
import { MAX_QTY } from './brands.ts';

// The casts and limits without the schemas, for code that needs no validator (see brands.ts).
export * from './brands.ts';

/** A nominal type: a `Sku` cannot be passed where a `LocationId` belongs. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

export type Sku = Brand<string, 'Sku'>;
export type LocationId = Brand<string, 'LocationId'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type EventId = Brand<string, 'EventId'>;
export type UserId = Brand<string, 'UserId'>;
export type ToteId = Brand<string, 'ToteId'>;
export type TaskId = Brand<string, 'TaskId'>;
export type Gtin = Brand<string, 'Gtin'>;
/** A whole, positive number of units. */
export type Qty = Brand<number, 'Qty'>;
/** A device's event number: 1, 2, 3... without gaps. */
export type Seq = Brand<number, 'Seq'>;

const code = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .check(
      z.trim(),
      z.minLength(1, `${what} is empty`),
      z.maxLength(64, `${what} is longer than 64 characters`),
      z.regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, `${what} may hold only letters, digits and . _ : / -`),
    );

const uuid = (what: string) => z.uuid({ error: (iss) => (iss.code === 'invalid_type' ? `${what} must be text` : `${what} is not a UUID`) });
/** Parses with `base`, then gives the value its brand (a cast made once, at the edge). */
const branded = <T extends string>(base: z.ZodMiniType<string, unknown>, as: (s: string) => T) => z.pipe(base, z.transform<string, T>(as));
const wholeNumber = (what: string, min: number, minMessage: string, max: number, maxMessage?: string) =>
  z.number({ error: `${what} must be a number` }).check(
    z.refine((n) => Number.isInteger(n), `${what} must be a whole number`),
    z.gte(min, minMessage),
    z.lte(max, maxMessage),
  );

export const SkuSchema = branded(code('sku'), (s) => s as Sku);
export const LocationIdSchema = branded(code('location'), (s) => s as LocationId);
export const ToteIdSchema = branded(code('tote'), (s) => s as ToteId);
export const TaskIdSchema = branded(code('task id'), (s) => s as TaskId);
export const UserIdSchema = branded(code('user'), (s) => s as UserId);
/**
 * Device ids starting with this are the API's own (the seed's opening balances use the nil
 * UUID); no handheld makes one, since a v7 UUID starts with its timestamp.
 */
export const RESERVED_DEVICE_PREFIX = '00000000-';
/** True for a device id no handheld may sign in or push under. */
export const isReservedDeviceId = (id: string): boolean => id.toLowerCase().startsWith(RESERVED_DEVICE_PREFIX);
/**
 * A device id, normalised: a UUID in lower case, however the device or a URL wrote it. Parsed
 * once where it enters (a route parameter, a request body, an answer), compared as is after.
 */
const normalDeviceId = (s: string) => s.toLowerCase() as DeviceId;
/** Any device id as written in the ledger, reserved ones included: for filters of reads. */
export const AnyDeviceIdSchema = branded(uuid('deviceId'), normalDeviceId);
export const DeviceIdSchema = branded(
  uuid('deviceId').check(z.refine((s) => !isReservedDeviceId(s), `deviceId may not start with ${RESERVED_DEVICE_PREFIX}: those ids are reserved for the API`)),
  normalDeviceId,
);
export const EventIdSchema = branded(uuid('id'), (s) => s as EventId);
export const GtinSchema = branded(z.string().check(z.regex(/^\d{14}$/, 'gtin must be 14 digits')), (s) => s as Gtin);
export const QtySchema = z.pipe(
  wholeNumber('qty', 1, 'qty must be at least 1', MAX_QTY, `qty must be at most ${MAX_QTY}`),
  z.transform((n: number) => n as Qty),
);
/** A counted quantity may be zero: an empty bin is a valid count. */
export const CountQtySchema = z.pipe(
  wholeNumber('qty', 0, 'qty cannot be negative', MAX_QTY, `qty must be at most ${MAX_QTY}`),
  z.transform((n: number) => n as Qty),
);
export const SeqSchema = z.pipe(
  wholeNumber('seq', 1, 'seq starts at 1', Number.MAX_SAFE_INTEGER),
  z.transform((n: number) => n as Seq),
);
