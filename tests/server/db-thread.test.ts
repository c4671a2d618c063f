/**
 * PGlite on its own thread (src/server/db-thread.ts) keeps the `Database` contract the API
 * relies on: errors keep their SQLSTATE, a transaction whose code throws leaves nothing behind,
 * statements outside a transaction wait for it, NOTIFY arrives only after COMMIT, and a closed
 * database says so instead of hanging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/server/db.ts';
import { openPgliteThread } from '../../src/server/db-thread.ts';

describe('PGlite on its database thread', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openPgliteThread('memory://');
    await db.exec('CREATE TABLE t (k text PRIMARY KEY, n int NOT NULL)');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('answers rows, typed as PGlite parses them, and prepared statements alike', async () => {
    await db.query('INSERT INTO t VALUES ($1, $2)', ['a', 1]);
    expect(await db.query('SELECT k, n FROM t WHERE k = $1', ['a'])).toEqual([{ k: 'a', n: 1 }]);
    expect(await db.query('SELECT k, n FROM t WHERE k = $1', ['a'], { prepared: true })).toEqual([{ k: 'a', n: 1 }]);
    const [row] = await db.query<{ at: Date; big: bigint | number }>(`SELECT '2026-11-30T10:00:00Z'::timestamptz AS at, 1::int8 AS big`);
    expect(row?.at).toBeInstanceOf(Date);
  });

  it('keeps the database error fields: the SQLSTATE and the constraint', async () => {
    const err = await db.query('INSERT INTO t VALUES ($1, $2)', ['a', 2]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '23505', constraint: 't_pkey' });
  });

  it('rolls back a transaction whose code throws, and commits one that returns', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1, $2)', ['b', 1]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await db.query('SELECT k FROM t WHERE k = $1', ['b'])).toEqual([]);
    const answer = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1, $2)', ['b', 1]);
      return (await tx.query<{ n: number }>('SELECT n FROM t WHERE k = $1', ['b']))[0]?.n;
    });
    expect(answer).toBe(1);
  });

  it('makes a statement outside a transaction wait for its end', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (sql) => {
      await sql.query('UPDATE t SET n = 10 WHERE k = $1', ['a']);
      await held;
    });
    await new Promise((r) => setTimeout(r, 50));
    const outside = db.query<{ n: number }>('SELECT n FROM t WHERE k = $1', ['a']);
    let answered = false;
    void outside.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    release();
    await tx;
    expect(await outside).toEqual([{ n: 10 }]);
  });

  it('delivers NOTIFY to a listener after COMMIT, and never for a rollback', async () => {
    const heard: string[] = [];
    const stop = await db.listen('changes', (p) => heard.push(p));
    await db
      .transaction(async (tx) => {
        await tx.query(`SELECT pg_notify('changes', 'lost')`);
        throw new Error('no');
      })
      .catch(() => undefined);
    await db.transaction(async (tx) => void (await tx.query(`SELECT pg_notify('changes', 'kept')`)));
    await expect.poll(() => heard).toEqual(['kept']);
    await stop();
  });

  it('refuses statements after close instead of hanging', async () => {
    const other = await openPgliteThread('memory://');
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/database thread stopped/);
  });
});
