/**
 * The procedures PGlite's database thread can run (see `Procedure` in db.ts): a procedure is
 * found there by its name, so each one the API calls through `db.procedure` is listed here.
 */
import type { Procedure } from './db.ts';
import { pushProcedure } from './ingest.ts';

export const PROCEDURES: ReadonlyMap<string, Procedure<never, unknown>> = new Map([pushProcedure].map((p) => [p.name, p as Procedure<never, unknown>]));
