/**
 * Casts to the branded ids (declared in ids.ts) and the quantity limit: plain TypeScript
 * without the schemas, so code that only needs a brand (the barcode parser on the first
 * screen) does not bring the validator into the first download. ids.ts re-exports them.
 */
import type { EventId, Gtin, LocationId, Qty, Sku, TaskId, ToteId, UserId } from './ids.ts';

/** Largest quantity one scan or line may carry; anything above is a typo, not a pallet. */
export const MAX_QTY = 100_000;

export const asSku = (s: string): Sku => s as Sku;
export const asLocation = (s: string): LocationId => s as LocationId;
export const asEventId = (s: string): EventId => s as EventId;
export const asUser = (s: string): UserId => s as UserId;
export const asTote = (s: string): ToteId => s as ToteId;
export const asTask = (s: string): TaskId => s as TaskId;
export const asGtin = (s: string): Gtin => s as Gtin;

/** Throws unless `n` is a valid quantity; for callers that hold a plain number. */
export function asQty(n: number): Qty {
  if (!Number.isInteger(n) || n < 0 || n > MAX_QTY) throw new RangeError(`not a quantity: ${n}`);
  return n as Qty;
}

/** Exhaustiveness guard for `switch` over closed unions. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
