/**
 * The stored session, read at every page start: kept apart from sign-in (session.ts), whose
 * wire and event-log code the first screen does not need until someone signs in.
 */
import { getMeta, type FloorDb, type MetaValues } from './db.ts';

/** The stored session, if any (one from before session ids existed counts as none: sign in again). */
export async function currentSession(db: FloorDb): Promise<MetaValues['session'] | undefined> {
  const s = await getMeta(db, 'session');
  return s && typeof s.id === 'string' ? s : undefined;
}
