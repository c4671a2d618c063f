import { z } from 'zod';
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
    .trim()
    .min(1, `${what} is empty`)
    .max(64, `${what} is longer than 64 characters`)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, `${what} may hold only letters, digits and . _ : / -`);

const uuid = (what: string) => z.string({ error: `${what} must be text` }).uuid(`${what} is not a UUID`);

export const SkuSchema = code('sku').transform((s) => s as Sku);
export const LocationIdSchema = code('location').transform((s) => s as LocationId);
export const ToteIdSchema = code('tote').transform((s) => s as ToteId);
export const TaskIdSchema = code('task id').transform((s) => s as TaskId);
export const UserIdSchema = code('user').transform((s) => s as UserId);
/**
 * Device ids starting with this are the API's own (the seed's opening balances use the nil
 * UUID); no handheld makes one, since a v7 UUID starts with its timestamp.
 */
export const RESERVED_DEVICE_PREFIX = '00000000-';
/** True for a device id no handheld may sign in or push under. */
export const isReservedDeviceId = (id: string): boolean => id.toLowerCase().startsWith(RESERVED_DEVICE_PREFIX);
/** Any device id as written in the ledger, reserved ones included: for filters of reads. */
export const AnyDeviceIdSchema = uuid('deviceId').transform((s) => s as DeviceId);
export const DeviceIdSchema = uuid('deviceId')
  .refine((s) => !isReservedDeviceId(s), `deviceId may not start with ${RESERVED_DEVICE_PREFIX}: those ids are reserved for the API`)
  .transform((s) => s as DeviceId);
export const EventIdSchema = uuid('id').transform((s) => s as EventId);
export const GtinSchema = z
  .string()
  .regex(/^\d{14}$/, 'gtin must be 14 digits')
  .transform((s) => s as Gtin);
export const QtySchema = z
  .number({ error: 'qty must be a number' })
  .int('qty must be a whole number')
  .min(1, 'qty must be at least 1')
  .max(MAX_QTY, `qty must be at most ${MAX_QTY}`)
  .transform((n) => n as Qty);
/** A counted quantity may be zero: an empty bin is a valid count. */
export const CountQtySchema = z
  .number({ error: 'qty must be a number' })
  .int('qty must be a whole number')
  .min(0, 'qty cannot be negative')
  .max(MAX_QTY, `qty must be at most ${MAX_QTY}`)
  .transform((n) => n as Qty);
export const SeqSchema = z
  .number({ error: 'seq must be a number' })
  .int('seq must be a whole number')
  .min(1, 'seq starts at 1')
  .max(Number.MAX_SAFE_INTEGER)
  .transform((n) => n as Seq);
