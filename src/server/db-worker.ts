/**
 * The database thread (see db-thread.ts): PGlite opened here, answering the API thread's
 * statements. A transaction opened by `begin` holds PGlite's connection until its `end`, so
 * statements outside it wait as they would in-process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openPglite, type Database, type Sql } from './db.ts';
import { toWire, type DbReply, type DbRequest } from './db-thread.ts';
import { PROCEDURES } from './procedures.ts';

const port = parentPort;
if (!port) throw new Error('db-worker.ts runs only as a worker thread');
const post = (m: DbReply) => port.postMessage(m);

/** Thrown into a transaction the API side gave up on, so PGlite rolls it back. */
class RolledBack extends Error {}

type Open = { sql: Sql; end(commit: boolean): void; settled: Promise<void> };

let db: Database;
try {
  db = await openPglite((workerData as { dataDir: string }).dataDir);
} catch (err) {
  post({ opened: false, error: toWire(err) });
  process.exit(1);
}

const transactions = new Map<number, Open>();
const unlisten = new Map<number, () => Promise<void>>();
let nextTx = 1;
let nextListen = 1;

function begin(): Promise<number> {
  const id = nextTx++;
  return new Promise<number>((opened, failed) => {
    let end: (commit: boolean) => void = () => undefined;
    const ended = new Promise<void>((resolve, reject) => {
      end = (commit) => (commit ? resolve() : reject(new RolledBack('rolled back')));
    });
    let began = false;
    const settled = db.transaction(async (sql) => {
      transactions.set(id, { sql, end, settled });
      began = true;
      opened(id);
      await ended;
    });
    settled.then(
      () => transactions.delete(id),
      (err: unknown) => {
        transactions.delete(id);
        if (!began) failed(err);
      },
    );
  });
}

async function end(tx: number, commit: boolean): Promise<void> {
  const open = transactions.get(tx);
  if (!open) throw new Error(`no open transaction ${tx}`);
  open.end(commit);
  try {
    await open.settled;
  } catch (err) {
    if (!(err instanceof RolledBack)) throw err;
  }
}

function runner(tx: number | undefined): Sql {
  if (tx === undefined) return db;
  const open = transactions.get(tx);
  if (!open) throw new Error(`no open transaction ${tx}`);
  return open.sql;
}

async function answer(m: DbRequest): Promise<unknown> {
  switch (m.op) {
    case 'query':
      return runner(m.tx).query(m.text, m.params, m.prepared ? { prepared: true } : undefined);
    case 'exec':
      return runner(m.tx).exec(m.script);
    case 'procedure': {
      const p = PROCEDURES.get(m.name);
      if (!p) throw new Error(`no procedure ${m.name} on the database thread`);
      return p.run(db, m.args as never);
    }
    case 'begin':
      return begin();
    case 'end':
      return end(m.tx, m.commit);
    case 'listen': {
      const id = nextListen++;
      unlisten.set(id, await db.listen(m.channel, (payload) => post({ notify: id, payload })));
      return id;
    }
    case 'unlisten':
      await unlisten.get(m.listen)?.();
      unlisten.delete(m.listen);
      return undefined;
    case 'close':
      await db.close();
      return undefined;
  }
}

port.on('message', (m: DbRequest) => {
  answer(m).then(
    (value) => post({ id: m.id, ok: true, value }),
    (err: unknown) => post({ id: m.id, ok: false, error: toWire(err) }),
  );
});
post({ opened: true });
