/**
 * One owner per embedded database: an exclusive lock on DATA_DIR, taken before PGlite opens the
 * folder and held until it is closed. Two processes on one PGlite folder each keep their own
 * view of its files and overwrite each other's checkpoints; the database then loses what one of
 * them acknowledged, or does not start again at all.
 *
 * The lock is `proper-lockfile`'s (an atomic mkdir of `<DATA_DIR>.lock` beside the folder, its
 * mtime refreshed while held, so a lock whose owner vanished goes stale). Beside it we write the
 * owner's pid and host: a lock left by a process killed on this host is taken over at once
 * rather than after the stale period, so a restart after a crash is not delayed.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** A lock not refreshed for this long belongs to nobody (an owner on another host, a reused pid). */
const STALE_MS = 30_000;
const UPDATE_MS = 5_000;

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

type Owner = { pid: number; host: string; since: string };

const ownerFile = (dir: string) => `${path.resolve(dir)}.lock-owner.json`;

function readOwner(dir: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(ownerFile(dir), 'utf8')) as Partial<Owner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host, since: String(o.since ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/** True unless the pid is certainly gone (ESRCH); a pid we may not signal (EPERM) is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Takes the exclusive lock on `dir` or throws `DataDirLockedError` naming the process holding it.
 * Resolves to the release function. `onLost` is called if the lock is taken from under us
 * (its refresh failed for the whole stale period): the caller must stop writing at once.
 */
export async function lockDataDir(dir: string, onLost: (err: Error) => void): Promise<() => Promise<void>> {
  const target = path.resolve(dir);
  const take = () => lockfile.lock(target, { realpath: false, stale: STALE_MS, update: UPDATE_MS, retries: 0, onCompromised: onLost });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    const owner = readOwner(target);
    // Our own pid in the file is a lock this process still holds (a second app in one process).
    if (owner && owner.host === hostname() && owner.pid !== process.pid && !alive(owner.pid)) {
      // The owner was killed (kill -9, power loss): its lock is ours to take over.
      rmSync(`${target}.lock`, { recursive: true, force: true });
      release = await take().catch((again: unknown) => {
        throw refusal(target, readOwner(target), again);
      });
    } else {
      throw refusal(target, owner, err);
    }
  }
  writeFileSync(ownerFile(target), JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies Owner));
  return async () => {
    rmSync(ownerFile(target), { force: true });
    await release();
  };
}

function refusal(dir: string, owner: Owner | undefined, cause: unknown): DataDirLockedError {
  const who = owner ? `process ${owner.pid} on ${owner.host} (since ${owner.since})` : 'another process';
  return new DataDirLockedError(
    `the database folder ${dir} is in use by ${who}. One API process owns an embedded database: stop the other one, ` +
      `or give this one another DATA_DIR (or a DATABASE_URL, where many processes may share one PostgreSQL). ` +
      `If no such process runs, the lock ${dir}.lock frees itself within ${STALE_MS / 1000} s.`,
    { cause },
  );
}
