/**
 * The thin adapter the storage module runs on: one interface over embedded PGlite and a real
 * PostgreSQL pool, so the same SQL serves both.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Sql {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; retried whole on a deadlock or serialization failure, so `fn` must only touch the database. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Calls `onPayload` for every NOTIFY on `channel` (from this or any other process on the same database). */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Opens PGlite in a folder that survives restarts, or in memory for `memory://`. */
export async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const q = async <T extends Row>(runner: Pick<PGlite, 'query'>, text: string, params?: readonly unknown[]) =>
    (await runner.query<T>(text, params as unknown[] | undefined)).rows;
  return {
    kind: 'pglite',
    query: (text, params) => q(db, text, params),
    exec: async (script) => void (await db.exec(script)),
    // PGlite has one connection: its transactions run one at a time, so there is nothing to retry.
    transaction: (fn) => db.transaction((tx) => fn({ query: (text, params) => q(tx, text, params), exec: async (script) => void (await tx.exec(script)) })),
    listen: async (channel, onPayload) => db.listen(channel, onPayload),
    close: () => db.close(),
  };
}

const RETRYABLE = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);
const MAX_ATTEMPTS = 5;

/** Connects to PostgreSQL through a pool; a transaction holds one pooled connection from BEGIN to COMMIT. */
export async function openPostgres(databaseUrl: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on the next checkout.
  });
  const listeners: pg.Client[] = [];
  const query = async <T extends Row>(runner: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) =>
    (await runner.query<T>(text, params as unknown[] | undefined)).rows;
  await query(pool, 'SELECT 1');
  return {
    kind: 'postgres',
    query: (text, params) => query(pool, text, params),
    exec: async (script) => void (await pool.query(script)),
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn({
            query: (text, params) => query(client, text, params),
            exec: async (script) => void (await client.query(script)),
          });
          await client.query('COMMIT');
          client.release();
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          client.release();
          const code = (err as { code?: string }).code;
          if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
          throw err;
        }
      }
    },
    async listen(channel, onPayload) {
      // LISTEN needs a connection of its own that stays open outside the pool.
      const client = new pg.Client({ connectionString: databaseUrl });
      client.on('error', () => undefined);
      await client.connect();
      client.on('notification', (n) => {
        if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
      });
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      listeners.push(client);
      return async () => {
        listeners.splice(listeners.indexOf(client), 1);
        await client.end().catch(() => undefined);
      };
    },
    async close() {
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => undefined)));
      await pool.end();
    },
  };
}

/**
 * The same database, telling `onStatement` the text of every statement sent through it, inside
 * transactions too (their BEGIN and COMMIT included): what a request costs in round trips.
 */
export function observeStatements(db: Database, onStatement: (text: string) => void): Database {
  const observed = (sql: Sql): Sql => ({
    query: (text, params) => {
      onStatement(text);
      return sql.query(text, params);
    },
    exec: (script) => {
      onStatement(script);
      return sql.exec(script);
    },
  });
  return {
    ...observed(db),
    kind: db.kind,
    transaction: (fn) =>
      db.transaction(async (tx) => {
        onStatement('BEGIN');
        const result = await fn(observed(tx));
        onStatement('COMMIT');
        return result;
      }),
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    close: () => db.close(),
  };
}
