/**
 * The SQL of the API: every statement it sends lives in this folder, one module per seam.
 * Written for PostgreSQL and run unchanged on PGlite. Writes are set-based (one statement per
 * table per push, rows passed as a JSON array through `jsonb_to_recordset`) and sorted by key,
 * so pushes from different devices take row locks in the same order.
 */
export * from './schema.ts';
export * from './seed.ts';
export * from './users.ts';
export * from './devices.ts';
export * from './push-context.ts';
export * from './stock.ts';
export * from './ledger-write.ts';
export * from './reads.ts';
export * from './replay.ts';
export { touchKey } from './rows.ts';
