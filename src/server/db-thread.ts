/**
 * Embedded PGlite on a thread of its own, as a real PostgreSQL runs in a process of its own.
 * PGlite is single-threaded WebAssembly: on the API's thread every statement it runs stops the
 * HTTP parsing, sign-in checks and answers of other requests. On its own thread the two
 * overlap, so a second core does the database's share of every push. The API side keeps the
 * same `Database` interface: a statement is one message each way, and a transaction stays open
 * on the thread from `begin` to `end`, holding PGlite's one connection as it does in-process.
 * A transaction driven from here holds that connection across every round trip to this thread,
 * which may be busy with other requests; the hot path (the push) therefore runs as a procedure,
 * whole, on the database thread.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Database, Procedure, QueryOptions, Row, Sql } from './db.ts';

/** What the API thread asks of the database thread. */
export type DbRequest = { id: number } & (
  | { op: 'query'; tx?: number; text: string; params?: readonly unknown[]; prepared?: boolean }
  | { op: 'exec'; tx?: number; script: string }
  | { op: 'procedure'; name: string; args: unknown }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'listen'; channel: string }
  | { op: 'unlisten'; listen: number }
  | { op: 'close' }
);

/** An error as it crosses threads: its message and the database's own fields (code, detail, constraint...). */
export type WireError = { message: string; fields: Record<string, string | number | boolean | null> };

/** What the database thread answers: a reply to one request, a NOTIFY, or that it is open. */
export type DbReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: WireError }
  | { notify: number; payload: string }
  | { opened: true }
  | { opened: false; error: WireError };

/** The error's message and its primitive fields, so `err.code` and friends mean the same on both threads. */
export function toWire(err: unknown): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const fields: WireError['fields'] = {};
  for (const [k, v] of Object.entries(e)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v as string | number | boolean | null;
  }
  return { message: e.message, fields };
}

export function fromWire(w: WireError): Error {
  return Object.assign(new Error(w.message), w.fields);
}

type Pending = { resolve(value: unknown): void; reject(err: Error): void };

/** Opens PGlite (a folder, or `memory://`) on a database thread and answers a `Database` on this one. */
export async function openPgliteThread(dataDir: string): Promise<Database> {
  // The thread runs TypeScript: on Node 20 a loader given to the process does not reach its
  // threads, so the thread registers tsx's own before it imports its module.
  const tsx = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./db-worker.ts', import.meta.url).href;
  const worker = new Worker(`import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`, {
    eval: true,
    workerData: { dataDir },
    name: 'pglite',
  });
  const pending = new Map<number, Pending>();
  const listeners = new Map<number, (payload: string) => void>();
  let nextId = 1;
  let broken: Error | undefined;
  let openTransactions = 0;
  // The thread keeps the process alive only while something waits on it, as a socket would.
  const refresh = () => (pending.size > 0 || openTransactions > 0 || listeners.size > 0 ? worker.ref() : worker.unref());

  const opened = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: DbReply) => {
      if ('opened' in m) return m.opened ? resolve() : reject(fromWire(m.error));
      if ('notify' in m) return listeners.get(m.notify)?.(m.payload);
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      refresh();
      if (m.ok) p.resolve(m.value);
      else p.reject(fromWire(m.error));
    });
    const fail = (err: Error) => {
      broken ??= err;
      reject(err);
      for (const p of pending.values()) p.reject(broken);
      pending.clear();
      refresh();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the database thread stopped (exit code ${code})`)));
  });
  try {
    await opened;
  } catch (err) {
    await worker.terminate();
    throw err;
  }

  const call = <T>(req: DbRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (broken) return reject(broken);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      refresh();
      worker.postMessage({ ...req, id });
    });

  const sql = (tx?: number): Sql => ({
    query: <T extends Row>(text: string, params?: readonly unknown[], options?: QueryOptions) =>
      call<T[]>({ op: 'query', text, ...(tx !== undefined ? { tx } : {}), ...(params ? { params } : {}), ...(options?.prepared ? { prepared: true } : {}) }),
    exec: (script: string) => call<void>({ op: 'exec', script, ...(tx !== undefined ? { tx } : {}) }),
  });

  return {
    kind: 'pglite',
    ...sql(),
    procedure: <A, R>(p: Procedure<A, R>, args: A) => call<R>({ op: 'procedure', name: p.name, args }),
    async transaction(fn) {
      const tx = await call<number>({ op: 'begin' });
      openTransactions += 1;
      try {
        let result;
        try {
          result = await fn(sql(tx));
        } catch (err) {
          await call({ op: 'end', tx, commit: false }).catch(() => undefined);
          throw err;
        }
        await call({ op: 'end', tx, commit: true });
        return result;
      } finally {
        openTransactions -= 1;
        refresh();
      }
    },
    async listen(channel, onPayload) {
      const listen = await call<number>({ op: 'listen', channel });
      listeners.set(listen, onPayload);
      refresh();
      return async () => {
        listeners.delete(listen);
        refresh();
        await call({ op: 'unlisten', listen }).catch(() => undefined);
      };
    },
    async close() {
      if (!broken) await call({ op: 'close' });
      listeners.clear();
      await worker.terminate();
    },
  };
}
