/** One flusher per device: whoever holds the lock named for the device may push or pull. */
export interface SyncLock {
  /** Runs `fn` holding the exclusive lock `name`, waiting for it if another holder has it. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** Web Locks API: shared by every tab of the origin, released if a tab dies. */
export function webLocks(locks: LockManager = navigator.locks): SyncLock {
  return { withLock: (name, fn) => locks.request(name, { mode: 'exclusive' }, fn) };
}

/**
 * An in-process lock with the same semantics, for Node and for browsers without Web Locks
 * (where a second tab is then not excluded). Engines sharing one instance exclude each other.
 */
export function processLock(): SyncLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock(name, fn) {
      const before = tails.get(name) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = before.then(() => mine);
      tails.set(name, tail);
      await before;
      try {
        return await fn();
      } finally {
        release();
        if (tails.get(name) === tail) tails.delete(name);
      }
    },
  };
}

/** Web Locks where the browser has them, else the in-process lock. */
export function defaultLock(): SyncLock {
  return typeof navigator !== 'undefined' && navigator.locks ? webLocks(navigator.locks) : processLock();
}
