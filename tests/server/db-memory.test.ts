/**
 * An in-memory PGlite starts from a fresh cluster kept in the temp folder (initdb once per
 * machine, not once per database): every such database is still empty and its own, and a cache
 * that cannot be read is made anew rather than failing the open.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/server/db.ts';

describe('in-memory PGlite from the cached fresh cluster', () => {
  const outerTmp = process.env.TMPDIR;
  let tmp: string;
  const cached = () => readdirSync(path.join(tmp, 'floor-scanner')).filter((f) => f.endsWith('-fresh-cluster.tar'));
  beforeAll(() => {
    // A temp folder of this test's own: the cache it writes and spoils is nobody else's.
    tmp = mkdtempSync(path.join(tmpdir(), 'pglite-cache-'));
    process.env.TMPDIR = tmp;
  });
  afterAll(() => {
    if (outerTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outerTmp;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('writes the cluster once, and a database opened from it is empty and its own', async () => {
    const first = await openPglite('memory://');
    expect(cached()).toHaveLength(1);
    await first.exec('CREATE TABLE mine (n int); INSERT INTO mine VALUES (1)');
    const second = await openPglite('memory://');
    // The cache is the cluster as initdb left it, not a copy of a database in use.
    expect(await second.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'mine'`)).toEqual([{ n: 0 }]);
    await second.exec('CREATE TABLE mine (n int)');
    expect(await second.query('SELECT count(*)::int AS n FROM mine')).toEqual([{ n: 0 }]);
    expect(await first.query('SELECT count(*)::int AS n FROM mine')).toEqual([{ n: 1 }]);
    await Promise.all([first.close(), second.close()]);
  });

  it('opens anyway when the cached cluster is spoiled, and writes it anew', async () => {
    const file = path.join(tmp, 'floor-scanner', cached()[0] as string);
    writeFileSync(file, 'not a tarball');
    const db = await openPglite('memory://');
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await db.close();
    expect(readFileSync(file).length).toBeGreaterThan(1_000_000);
  });
});
