/**
 * Schema: migrations and the NOTIFY channel of the schema.
 */
import type { Database, Sql } from '../db.ts';
import { MIGRATIONS } from '../migrations.ts';
import { num } from './rows.ts';

/** Advisory lock key (any 64-bit number, fixed for the life of the schema). */
const MIGRATION_LOCK = 7_270_001;

/** Applies missing migrations; safe when several processes start at once (they queue on an advisory lock). */
export async function migrate(db: Database): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => num(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** The NOTIFY channel of this schema: schemas sharing a database must not hear each other. */
export async function changeChannel(db: Sql): Promise<string> {
  const [row] = await db.query<{ s: string }>('SELECT current_schema() AS s');
  return `floor_changes_${row?.s ?? 'public'}`.slice(0, 63);
}
