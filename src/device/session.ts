/**
 * Sign-in on the handheld: the session lives in the database so a reload keeps it, and
 * the events queued under an expired session are kept for the next sign-in.
 */
import { API_PREFIX, type SignInResponse } from '../domain/protocol.ts';
import { deleteMeta, deviceIdOf, getMeta, setMeta, type FloorDb, type MetaValues } from './db.ts';
import { requestPersistence, type StorageApi } from './storage.ts';
import type { HttpClient } from './sync/http.ts';

export type SignInResult = { ok: true; session: MetaValues['session'] } | { ok: false; message: string };

/**
 * Signs a user in for this device, stores the session and asks for persistent storage.
 * Never throws for a refused PIN or a network failure: the result says what went wrong.
 */
export async function signIn(
  db: FloorDb,
  http: HttpClient,
  creds: { user: string; pin: string },
  now: Date,
  opts: { storage?: StorageApi } = {},
): Promise<SignInResult> {
  const deviceId = await deviceIdOf(db);
  let status: number;
  let text: string;
  try {
    const res = await http.send({
      method: 'POST',
      path: `${API_PREFIX}/sessions`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: creds.user, pin: creds.pin, deviceId }),
    });
    status = res.status;
    text = res.text;
  } catch (err) {
    return { ok: false, message: `cannot reach the server to sign in (${err instanceof Error ? err.message : String(err)})` };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status !== 200) {
    const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : `sign-in failed (${status})`;
    return { ok: false, message };
  }
  const answer = body as Partial<SignInResponse> | undefined;
  if (!answer || typeof answer.token !== 'string' || !answer.user) return { ok: false, message: 'the server sent an unreadable sign-in answer' };
  const session = { token: answer.token, user: answer.user, signedInAt: now.toISOString() };
  await setMeta(db, 'session', session);
  await requestPersistence(db, now, opts.storage);
  return { ok: true, session };
}

/** The stored session, if any. */
export function currentSession(db: FloorDb): Promise<MetaValues['session'] | undefined> {
  return getMeta(db, 'session');
}

/** Forgets the session; queued events stay and are sent after the next sign-in. */
export function signOut(db: FloorDb): Promise<void> {
  return deleteMeta(db, 'session');
}
