/**
 * The thin adapter the storage module runs on: one interface over embedded PGlite and a real
 * PostgreSQL pool, so the same SQL serves both.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite, parse, protocol } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

export type QueryOptions = {
  /**
   * A hot statement (the push path's): prepared once per connection under a name derived from
   * its text and re-executed from then on, so the database parses it once (and PGlite plans it
   * once). Only for a bounded set of texts: never text that carries data.
   */
  prepared?: boolean;
};

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Sql {
  query<T extends Row = Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/**
 * Work that touches only the database, named so it can run where the database is: on PGlite's
 * own thread (db-thread.ts) the whole call crosses threads once, where its statements one by
 * one would each hold the transaction open for a round trip to the API thread. Its arguments
 * and answer must survive `structuredClone`; procedures the thread can run are listed in
 * procedures.ts.
 */
export type Procedure<A, R> = { readonly name: string; run(db: Database, args: A): Promise<R> };

export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `procedure` against this database, where the database lives. */
  procedure<A, R>(procedure: Procedure<A, R>, args: A): Promise<R>;
  /** Runs `fn` in one transaction; retried whole on a deadlock or serialization failure, so `fn` must only touch the database. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Calls `onPayload` for every NOTIFY on `channel` (from this or any other process on the same database). */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Most distinct texts prepared on one connection; past it a statement runs unnamed (a bug's texts cannot grow the server without end). */
const MAX_PREPARED = 256;
/** The name a prepared text gets on every connection. */
const statementName = (text: string): string => `q_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;

type PreparedPglite = { name: string; paramTypes: number[]; rowDescription: BackendMessage | undefined };
type BackendMessage = Awaited<ReturnType<PGlite['execProtocolStream']>>[number];

const joinMessages = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/**
 * Named statements on PGlite, through its wire-protocol entry (its `query` parses and plans every
 * time): Parse and Describe once per text, then Bind, Execute and Sync in one message per run.
 * Parameters are serialized and rows parsed by PGlite's own type handlers, as its `query` does.
 * The caller holds PGlite's query lock.
 */
function pglitePrepared(db: PGlite) {
  // A named statement is run on its generic plan: left to choose, PostgreSQL keeps planning the
  // push's statements anew (a custom plan for an array of 1 looks cheaper than one for any array).
  // SET is undone with the transaction when the statement fails; RESET runs when it does not.
  const FORCE_GENERIC = protocol.serialize.query('SET plan_cache_mode = force_generic_plan');
  const AUTO_PLAN = protocol.serialize.query('RESET plan_cache_mode');
  const prepared = new Map<string, PreparedPglite>();
  const send = (message: Uint8Array) => db.execProtocolStream(message, { syncToFs: false });
  const s = protocol.serialize;
  async function prepare(text: string): Promise<PreparedPglite> {
    const known = prepared.get(text);
    if (known) return known;
    // A fresh name per attempt: a Parse that succeeded before a failed Describe leaves its name taken.
    const name = `${statementName(text)}_${prepared.size}_${Math.random().toString(36).slice(2, 8)}`;
    const described = await send(joinMessages(s.parse({ name, text }), s.describe({ type: 'S', name }), s.sync()));
    const p = { name, paramTypes: parse.parseDescribeStatementResults(described), rowDescription: described.find((m) => m.name === 'rowDescription') };
    prepared.set(text, p);
    return p;
  }
  return {
    usable: (text: string) => prepared.has(text) || prepared.size < MAX_PREPARED,
    async run<T extends Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      const p = await prepare(text);
      const values = params.map((v, i) => {
        if (v === null || v === undefined) return null;
        const serialize = db.serializers[p.paramTypes[i] as number];
        return serialize ? serialize(v) : String(v);
      });
      try {
        const messages = await send(joinMessages(FORCE_GENERIC, s.bind({ statement: p.name, values }), s.execute({}), s.sync(), AUTO_PLAN));
        // The statement's own messages: from its BindComplete to its CommandComplete.
        const from = messages.findIndex((m) => m.name === 'bindComplete');
        const to = messages.findIndex((m, i) => i > from && m.name === 'commandComplete');
        const own = messages.slice(from + 1, to + 1);
        const [result] = parse.parseResults(p.rowDescription ? [p.rowDescription, ...own] : own, db.parsers);
        return (result?.rows ?? []) as T[];
      } catch (err) {
        if (err instanceof Error) Object.assign(err, { query: text, params });
        throw err;
      }
    },
  };
}

/** How many transactions PGlite runs between two looks at its tables' growth. */
const ANALYZE_EVERY = 50;

/**
 * PGlite runs no autovacuum, so without this its planner never learns how many rows a table
 * holds: it then takes `ledger.id = ANY(...)` for half the ledger and scans all of it on every
 * push, and a prepared statement keeps whatever plan it was given while the table was small.
 * As autovacuum would, a table that has grown by a fifth (in pages) since it was last analyzed
 * is analyzed again; that also makes the cached plans that read it be planned anew.
 */
function plannerStatistics(db: PGlite) {
  return {
    async refresh(): Promise<void> {
      const grown = await db.query<{ name: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND pg_relation_size(c.oid) / current_setting('block_size')::int > 1.2 * greatest(c.relpages, 0) + 4`,
      );
      // A small sample (3,000 rows, not 30,000): the plans here turn on how many rows a table
      // holds, not on fine histograms; the default made each ANALYZE of a growing ledger cost
      // about 0.4 s, a fifth of the push path's time in the ingest bench.
      if (grown.rows.length > 0)
        await db.exec(`SET default_statistics_target = 10; ANALYZE ${grown.rows.map((r) => r.name).join(', ')}; RESET default_statistics_target`);
    },
  };
}

/** Where a fresh cluster of this PGlite version is kept: the temp folder, named by the version. */
function clusterFile(): string {
  const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  const { version } = JSON.parse(readFileSync(path.join(dist, '..', 'package.json'), 'utf8')) as { version: string };
  return path.join(tmpdir(), 'floor-scanner', `pglite-${version}-fresh-cluster.tar`);
}

/**
 * An empty in-memory database (`memory://`: tests, benches, demos) runs initdb every time, about
 * 2.5 to 4.5 s on this 2-core machine; loading the same fresh cluster from a tarball takes about
 * 0.7 s. The first one in a machine's temp folder is written there (before anything else touches
 * its database) and every later one loads it; one that cannot be read is made anew.
 */
async function openInMemory(dataDir: string): Promise<PGlite> {
  let file: string;
  try {
    file = clusterFile();
  } catch {
    return PGlite.create(dataDir);
  }
  if (existsSync(file)) {
    try {
      return await PGlite.create({ dataDir, loadDataDir: new Blob([readFileSync(file)]) });
    } catch {
      rmSync(file, { force: true });
    }
  }
  const db = await PGlite.create(dataDir);
  try {
    const dump = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
    mkdirSync(path.dirname(file), { recursive: true });
    // Written whole under another name, then renamed: a concurrent reader never sees half of it.
    const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    writeFileSync(partial, dump);
    renameSync(partial, file);
  } catch {
    // Without a cache the next one runs initdb too.
  }
  return db;
}

/** Opens PGlite in a folder that survives restarts, or in memory for `memory://`. */
export async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = dataDir.startsWith('memory://') ? await openInMemory(dataDir) : await PGlite.create(dataDir);
  const named = pglitePrepared(db);
  const statistics = plannerStatistics(db);
  let transactions = 0;
  const q = async <T extends Row>(runner: Pick<PGlite, 'query'>, text: string, params?: readonly unknown[]) =>
    (await runner.query<T>(text, params as unknown[] | undefined)).rows;
  const self: Database = {
    kind: 'pglite',
    procedure: (p, args) => p.run(self, args),
    query: async (text, params, options) => {
      if (!options?.prepared || !named.usable(text)) return q(db, text, params);
      // What PGlite's own query does around a statement: both locks, and the files synced after it.
      const rows = await db._runExclusiveTransaction(() => db._runExclusiveQuery(() => named.run(text, params)));
      await db.syncToFs();
      return rows as never;
    },
    exec: async (script) => void (await db.exec(script)),
    // PGlite has one connection: its transactions run one at a time, so there is nothing to retry.
    transaction: async (fn) => {
      const result = await db.transaction((tx) =>
        fn({
          query: (text, params, options) =>
            options?.prepared && named.usable(text) ? db._runExclusiveQuery(() => named.run(text, params)) : q(tx, text, params),
          exec: async (script) => void (await tx.exec(script)),
        }),
      );
      if (++transactions % ANALYZE_EVERY === 0) await statistics.refresh();
      return result;
    },
    listen: async (channel, onPayload) => db.listen(channel, onPayload),
    close: () => db.close(),
  };
  return self;
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
  // node-postgres prepares a named statement on each pooled connection the first time it runs there.
  const names = new Map<string, string>();
  const nameOf = (text: string, options?: QueryOptions): string | undefined => {
    if (!options?.prepared) return undefined;
    const known = names.get(text);
    if (known || names.size >= MAX_PREPARED) return known;
    const name = statementName(text);
    names.set(text, name);
    return name;
  };
  const query = async <T extends Row>(runner: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[], options?: QueryOptions) => {
    const name = nameOf(text, options);
    const values = params as unknown[] | undefined;
    return (await (name ? runner.query<T>({ name, text, values }) : runner.query<T>(text, values))).rows;
  };
  await query(pool, 'SELECT 1');
  const self: Database = {
    kind: 'postgres',
    procedure: (p, args) => p.run(self, args),
    query: (text, params, options) => query(pool, text, params, options),
    exec: async (script) => void (await pool.query(script)),
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn({
            query: (text, params, options) => query(client, text, params, options),
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
  return self;
}

/**
 * The same database, telling `onStatement` the text of every statement sent through it, inside
 * transactions too (their BEGIN and COMMIT included): what a request costs in round trips.
 */
export function observeStatements(db: Database, onStatement: (text: string) => void): Database {
  const observed = (sql: Sql): Sql => ({
    query: (text, params, options) => {
      onStatement(text);
      return sql.query(text, params, options);
    },
    exec: (script) => {
      onStatement(script);
      return sql.exec(script);
    },
  });
  const self: Database = {
    ...observed(db),
    kind: db.kind,
    // Run here, on the observed statements: every statement it sends is seen and counted.
    procedure: (p, args) => p.run(self, args),
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
  return self;
}
