/**
 * The stored session, read at every page start: kept apart from sign-in (session.ts), whose
 * wire and event-log code the first screen does not need until someone signs in.
 *
 * The page start reads it straight from IndexedDB (`readStartState`), without Dexie: the first
 * screen renders before the database library loads. That read is read-only and never creates
 * the database: a database made here would skip Dexie's first-open `populate` (the device id).
 */
import { DEFAULT_DB_NAME, getMeta } from './db-rows.ts';
import type { FloorDb, MetaRow, MetaValues, SettingRow } from './db.ts';

type StoredSession = MetaValues['session'];

/** A session from before session ids existed counts as none: sign in again. */
const usable = (s: unknown): s is StoredSession => typeof s === 'object' && s !== null && typeof (s as { id?: unknown }).id === 'string';

/** The stored session, if any. */
export async function currentSession(db: FloorDb): Promise<StoredSession | undefined> {
  const s = await getMeta(db, 'session');
  return usable(s) ? s : undefined;
}

/** What a page start needs before its first screen: the stored session and some of its user's settings. */
export type StartState = { session: StoredSession | undefined; settings: Map<string, unknown> };

/** Opens the database as it is, or answers undefined when this device has none yet (creating nothing). */
function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    let absent = false;
    const req = factory.open(name);
    req.onupgradeneeded = () => {
      // Only a database that does not exist gets here (no version asked): abort, so none is made.
      absent = true;
      req.transaction?.abort();
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = (e) => {
      if (!absent) return reject(req.error ?? new Error(`IndexedDB: cannot open ${name}`));
      e.preventDefault();
      resolve(undefined);
    };
  });
}

/**
 * Reads the stored session and, when there is one, the settings `settingKeys` names for its user,
 * in one read-only transaction. The connection is closed before it answers, so Dexie may open
 * (and upgrade) the database next.
 */
export async function readStartState(
  settingKeys: (userId: string) => string[],
  factory: IDBFactory = indexedDB,
  name: string = DEFAULT_DB_NAME,
): Promise<StartState> {
  const settings = new Map<string, unknown>();
  const idb = await openExisting(factory, name);
  if (!idb) return { session: undefined, settings };
  try {
    if (!idb.objectStoreNames.contains('meta') || !idb.objectStoreNames.contains('settings')) return { session: undefined, settings };
    const tx = idb.transaction(['meta', 'settings'], 'readonly');
    let session: StoredSession | undefined;
    // Requests chained in their handlers, not across awaits: the transaction stays active throughout.
    const sessionRead = tx.objectStore('meta').get('session');
    sessionRead.onsuccess = () => {
      const row = sessionRead.result as MetaRow | undefined;
      session = usable(row?.value) ? row.value : undefined;
      if (!session) return;
      for (const key of settingKeys(session.user.id)) {
        const settingRead = tx.objectStore('settings').get(key);
        settingRead.onsuccess = () => {
          const setting = settingRead.result as SettingRow | undefined;
          if (setting !== undefined) settings.set(key, setting.value);
        };
      }
    };
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB: the start read failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB: the start read was aborted'));
    });
    return { session, settings };
  } finally {
    idb.close();
  }
}
