/**
 * Sign-in on the handheld: the session lives in the database so a reload keeps it, and
 * the events queued under an ended session are kept (with the session they were recorded
 * under) for the next sign-in to deliver.
 *
 * Device binding: the API registers the device at its first sign-in and answers a secret,
 * kept here and sent with every later sign-in. When a supervisor resets the device (stuck
 * behind a sequence conflict, or revoked), the next sign-in is told so; the device then
 * re-registers under a fresh id, proving it was the old one with the old secret, and its
 * undelivered events go again under the new id as seq 1, 2, 3... in their original order,
 * each keeping its id, actor and session (see `reRegister`).
 */
import { v7 as uuidv7 } from 'uuid';
import type { SignInRequest, SignInResponse } from '../domain/protocol.ts';
import type { Answer, ApiClient } from './api/client.ts';
import { deleteMeta, deviceIdOf, getMeta, setMeta, type FloorDb, type MetaRow, type MetaValues, type StoredEvent } from './db.ts';
import { pendingEvents } from './event-log.ts';
import { requestPersistence, type StorageApi } from './storage.ts';

export type SignInResult =
  | { ok: true; session: MetaValues['session'] }
  /** `reset`: a supervisor reset this device; `reRegister` continues with the same credentials. */
  | { ok: false; message: string; code?: string; reset?: boolean; network?: boolean };

/** A sign-in's refusal in words: the API's message, a network failure, or an answer this build cannot read. */
function refusal(answer: Exclude<Answer<SignInResponse>, { ok: true }>, what: string): { message: string; code?: string; network?: boolean } {
  const f = answer.failure;
  // No answer at all: the handheld may sign in offline instead (offline-signin.ts).
  if (f.kind === 'retry' && f.status === undefined)
    return { message: `cannot reach the server to ${what} (${f.message.replace(/^network error: /, '')})`, network: true };
  const code = f.kind === 'bad' || f.kind === 'auth' || f.kind === 'retry' ? f.code : f.kind === 'reset' ? 'device_reset' : undefined;
  return { message: f.message, ...(code ? { code } : {}) };
}

const sessionOf = (answer: SignInResponse, now: Date): MetaValues['session'] => ({
  token: answer.token,
  id: answer.session,
  user: answer.user,
  signedInAt: now.toISOString(),
  ...(answer.expiresAt ? { expiresAt: answer.expiresAt } : {}),
});

/**
 * Signs a user in for this device, stores the session (and the device secret on the first
 * sign-in) and asks for persistent storage. Never throws for a refused PIN or a network
 * failure: the result says what went wrong.
 */
export async function signIn(
  db: FloorDb,
  api: ApiClient,
  creds: { user: string; pin: string },
  now: Date,
  opts: { storage?: StorageApi } = {},
): Promise<SignInResult> {
  const deviceId = await deviceIdOf(db);
  const secret = await getMeta(db, 'deviceSecret');
  const answer = await api.signIn({ user: creds.user, pin: creds.pin, deviceId, ...(secret ? { deviceSecret: secret } : {}) } satisfies SignInRequest);
  if (!answer.ok) {
    const r = refusal(answer, 'sign in');
    if (r.code === 'device_reset') await setMeta(db, 'reset', { at: now.toISOString() });
    return { ok: false, ...r, ...(r.code === 'device_reset' ? { reset: true } : {}) };
  }
  return keep(db, answer.value, now, opts);
}

async function keep(db: FloorDb, answer: SignInResponse, now: Date, opts: { storage?: StorageApi }): Promise<SignInResult> {
  const session = sessionOf(answer, now);
  await db.transaction('rw', db.meta, async () => {
    if (answer.deviceSecret) await setMeta(db, 'deviceSecret', answer.deviceSecret);
    await setMeta(db, 'session', session);
  });
  await requestPersistence(db, now, opts.storage);
  return { ok: true, session };
}

/** Undelivered events of this device: what a reset device sends again under its new id. */
export function undeliveredEvents(db: FloorDb): Promise<StoredEvent[]> {
  return pendingEvents(db);
}

/**
 * After a supervisor's reset: registers this handheld under a fresh device id (proving the old
 * registration with its secret) and, in one transaction once the API has accepted it, moves the
 * old log to `retired` and puts the undelivered events back in `events` as seq 1, 2, 3... of
 * the new id, in their original order, each with its own id, actor, session and time. The API
 * refuses as a duplicate any of them that did land under the old id, so nothing applies twice.
 */
export async function reRegister(
  db: FloorDb,
  api: ApiClient,
  creds: { user: string; pin: string },
  now: Date,
  opts: { storage?: StorageApi; newDeviceId?: () => string } = {},
): Promise<SignInResult> {
  const oldId = await deviceIdOf(db);
  const oldSecret = await getMeta(db, 'deviceSecret');
  if (!oldSecret) return { ok: false, message: 'this handheld holds no device secret to prove its old registration; a supervisor must revoke it' };
  // The new id is kept before it is sent, so a retry after a lost answer names the same one
  // (the API lets the proven old registration re-register its replacement).
  const reset = await getMeta(db, 'reset');
  const newId = reset?.newDeviceId ?? (opts.newDeviceId ?? (() => uuidv7({ msecs: now.getTime() })))();
  await setMeta(db, 'reset', { at: reset?.at ?? now.toISOString(), newDeviceId: newId });
  const answer = await api.signIn({
    user: creds.user,
    pin: creds.pin,
    deviceId: newId,
    previous: { deviceId: oldId, deviceSecret: oldSecret },
  } satisfies SignInRequest);
  if (!answer.ok) return { ok: false, ...refusal(answer, 'sign in') };
  const body = answer.value;
  const deviceSecret = body.deviceSecret;
  if (!deviceSecret) return { ok: false, message: 'the server sent an unreadable answer to the re-registration (no device secret)' };
  const session = sessionOf(body, now);
  // One transaction: the new id, its secret, its session and the renumbered log, or none of them.
  await db.transaction('rw', [db.events, db.meta, db.retired], async () => {
    // A second tab may have re-registered meanwhile: only the tab that still sees the old id moves the log.
    if ((await deviceIdOf(db)) !== oldId) return;
    const all = await db.events.orderBy('seq').toArray();
    await db.retired.bulkPut(all);
    await db.events.clear();
    const again = all
      .filter((e) => e.state === 'pending')
      .map((e, i): StoredEvent => ({ ...e, deviceId: newId, seq: i + 1, formerly: { deviceId: e.deviceId, seq: e.seq } }));
    await db.events.bulkAdd(again);
    await db.meta.bulkPut([
      { key: 'deviceId', value: newId },
      { key: 'nextSeq', value: again.length + 1 },
      { key: 'lastAckedSeq', value: 0 },
      { key: 'ledgerCursor', value: 0 },
      { key: 'deviceSecret', value: deviceSecret },
      { key: 'session', value: session },
    ] satisfies MetaRow[]);
    await db.meta.bulkDelete(['pullCursor', 'reset']);
  });
  await requestPersistence(db, now, opts.storage);
  return { ok: true, session };
}

export { currentSession } from './stored-session.ts';

/**
 * Signs out: the API ends the session at once (best effort: offline, the token simply expires),
 * and the device forgets it. Queued events stay and are sent after the next sign-in, each under
 * the session it was recorded under.
 */
export async function signOut(db: FloorDb, api?: ApiClient): Promise<void> {
  const s = await getMeta(db, 'session');
  await deleteMeta(db, 'session');
  if (!s || !api || !s.token) return;
  // Offline or refused: the token dies at its expiry; the device no longer holds it.
  await api.signOut(s.token);
}
