/**
 * Row conversions shared by the storage modules: numbers, instants and JSON parameters, and the
 * shapes of stock, count-task and ledger rows as PostgreSQL and PGlite return them.
 */
import type { Row } from '../db.ts';
import type { Buckets, CountTask } from '../../domain/stock.ts';
import type { LedgerFact } from '../../domain/replay.ts';

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
export const json = (v: unknown): string => JSON.stringify(v);

export const touchKey = (sku: string, location: string): string => `${sku} ${location}`;

export const bucketsOf = (r: Row): Buckets => ({
  available: num(r.available),
  committed: num(r.committed),
  qc: num(r.qc),
  quarantine: num(r.quarantine),
  suspect: num(r.suspect),
});

export type CountTaskRow = { id: string; location: string; reason: string; status: string; snapshot: unknown; held: unknown; started?: unknown };
export const toCountTask = (r: CountTaskRow): CountTask =>
  ({
    id: r.id,
    location: r.location,
    reason: r.reason,
    status: r.status,
    ...(r.snapshot ? { snapshot: r.snapshot } : {}),
    ...(r.held ? { held: r.held } : {}),
    ...(r.started ? { started: r.started } : {}),
  }) as CountTask;

export type FactRow = {
  id: string;
  device_id: string;
  seq: number;
  type: string;
  schema_version: number | null;
  actor: string;
  occurred_at: string;
  status: 'applied' | 'rejected';
  payload: unknown;
};
export const toFact = (r: FactRow): LedgerFact => ({
  id: r.id,
  deviceId: r.device_id,
  seq: num(r.seq),
  type: r.type,
  schemaVersion: r.schema_version === null ? null : num(r.schema_version),
  actor: r.actor,
  occurredAt: r.occurred_at,
  status: r.status,
  payload: r.payload,
});
