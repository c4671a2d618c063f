/**
 * Sign-in on the handheld: the session lives in the database so a reload keeps it, and
 * the events queued under an ended session are kept (with the session they were recorded
 * under) for the next sign-in to deliver.
 *
 * Device binding: at its first sign-in the device makes an ECDSA P-256 key pair whose private
 * half is non-extractable, keeps the CryptoKey in IndexedDB (structured clone keeps it
 * non-extractable) and registers the public half; every sign-in then signs a fresh challenge of
 * the API (`deviceProof`). A browser without WebCrypto (a page served over plain HTTP from a
 * LAN address has no `crypto.subtle`), or one that cannot keep a CryptoKey in IndexedDB, falls
 * back to the older proof: the API answers a secret at the first sign-in, kept here and sent with
 * every later one. A handheld holding a secret that can make a key moves to it at its next
 * sign-in (the secret proves the move). When a supervisor resets the device (stuck
 * behind a sequence conflict, or revoked), the next sign-in is told so; the device then
 * re-registers under a fresh id, proving it was the old one with its key (or old secret), and its
 * undelivered events go again under the new id as seq 1, 2, 3... in their original order,
 * each keeping its id, actor and session (see `reRegister`).
 */
import { v7 as uuidv7 } from 'uuid';
import { signInMessage, type SignInRequest, type SignInResponse } from '../domain/protocol.ts';
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

/** What makes and uses the device key: WebCrypto's `subtle`, absent on a page that is not a secure context. */
export type KeyCrypto = Pick<SubtleCrypto, 'generateKey' | 'exportKey' | 'sign'>;
type DeviceKey = MetaValues['deviceKey'];
export type SessionOptions = {
  storage?: StorageApi;
  /** WebCrypto (default: the browser's, when there is one); null: this browser has none (the secret path). */
  crypto?: KeyCrypto | null;
};
const browserCrypto = (): KeyCrypto | undefined => (globalThis.crypto as Crypto | undefined)?.subtle;
const cryptoOf = (opts: SessionOptions): KeyCrypto | undefined => (opts.crypto === null ? undefined : (opts.crypto ?? browserCrypto()));

const base64url = (bytes: ArrayBuffer): string => {
  let bin = '';
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
};

/**
 * This device's key: the one it keeps, else a new one when this browser can make it and keep it.
 * Made outside the transaction (WebCrypto is not IndexedDB), kept inside it: of two tabs making
 * one at once, both end up with the first one stored. Undefined: the secret path.
 */
export async function deviceKey(db: FloorDb, crypto: KeyCrypto | undefined): Promise<DeviceKey | undefined> {
  const kept = await getMeta(db, 'deviceKey');
  if (kept || !crypto) return kept;
  try {
    const pair = (await crypto.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const made: DeviceKey = { privateKey: pair.privateKey, publicKey: base64url(await crypto.exportKey('spki', pair.publicKey)) };
    return await db.transaction('rw', db.meta, async () => {
      const first = await getMeta(db, 'deviceKey');
      if (first) return first;
      await setMeta(db, 'deviceKey', made);
      return made;
    });
  } catch {
    // No P-256 here, or an IndexedDB that cannot hold a CryptoKey: the API gives a secret instead.
    return undefined;
  }
}

type KeyProof = { publicKey: string; challenge: string; signature: string };

/** A fresh challenge of the API for `deviceId`, signed with the device's key. */
async function deviceProof(api: ApiClient, crypto: KeyCrypto, key: DeviceKey, deviceId: string): Promise<{ ok: true; proof: KeyProof } | SignInFailure> {
  const answer = await api.signInChallenge(deviceId);
  if (!answer.ok) return { ok: false, ...refusal(answer, 'sign in') };
  const challenge = answer.value.challenge;
  try {
    const bytes = new TextEncoder().encode(signInMessage(deviceId, challenge));
    const signature = base64url(await crypto.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, bytes));
    return { ok: true, proof: { publicKey: key.publicKey, challenge, signature } };
  } catch (err) {
    return {
      ok: false,
      message: `this handheld could not sign in with its key (${err instanceof Error ? err.message : String(err)}); ask a supervisor to reset it`,
    };
  }
}
type SignInFailure = Extract<SignInResult, { ok: false }>;

/** The key proof of a registration as `deviceId`: the device's key (made now if it has none), signed; none without WebCrypto. */
async function registrationProof(
  db: FloorDb,
  api: ApiClient,
  crypto: KeyCrypto | undefined,
  deviceId: string,
): Promise<{ ok: true; proof?: KeyProof } | SignInFailure> {
  const key = await deviceKey(db, crypto);
  return key && crypto ? deviceProof(api, crypto, key, deviceId) : { ok: true };
}

/**
 * Signs a user in for this device, proving it with its key (made and registered at the first
 * sign-in), or with its secret where there is no WebCrypto; stores the session (and the secret
 * the API answers to a device without a key) and asks for persistent storage. Never throws for a
 * refused PIN or a network failure: the result says what went wrong.
 */
export async function signIn(db: FloorDb, api: ApiClient, creds: { user: string; pin: string }, now: Date, opts: SessionOptions = {}): Promise<SignInResult> {
  const deviceId = await deviceIdOf(db);
  const secret = await getMeta(db, 'deviceSecret');
  const crypto = cryptoOf(opts);
  const signed = await registrationProof(db, api, crypto, deviceId);
  if (!signed.ok) return signed;
  const proof = signed.proof;
  const answer = await api.signIn({
    user: creds.user,
    pin: creds.pin,
    deviceId,
    ...(secret ? { deviceSecret: secret } : {}),
    ...proof,
  } satisfies SignInRequest);
  if (!answer.ok) {
    const r = refusal(answer, 'sign in');
    if (r.code === 'device_reset') await setMeta(db, 'reset', { at: now.toISOString() });
    return { ok: false, ...r, ...(r.code === 'device_reset' ? { reset: true } : {}) };
  }
  return keep(db, answer.value, now, { ...opts, keyUsed: !!proof });
}

async function keep(db: FloorDb, answer: SignInResponse, now: Date, opts: { storage?: StorageApi; keyUsed: boolean }): Promise<SignInResult> {
  const session = sessionOf(answer, now);
  await db.transaction('rw', db.meta, async () => {
    if (answer.deviceSecret) await setMeta(db, 'deviceSecret', answer.deviceSecret);
    // Signed in with the key: the API holds the key now and the secret no longer signs in.
    else if (opts.keyUsed) await deleteMeta(db, 'deviceSecret');
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
  opts: SessionOptions & { newDeviceId?: () => string } = {},
): Promise<SignInResult> {
  const oldId = await deviceIdOf(db);
  const oldSecret = await getMeta(db, 'deviceSecret');
  const crypto = cryptoOf(opts);
  const oldKey = await getMeta(db, 'deviceKey');
  if (!oldSecret && !(oldKey && crypto))
    return { ok: false, message: 'this handheld holds neither a key nor a secret to prove its old registration; a supervisor must revoke it' };
  // The new id is kept before it is sent, so a retry after a lost answer names the same one
  // (the API lets the proven old registration re-register its replacement).
  const reset = await getMeta(db, 'reset');
  const newId = reset?.newDeviceId ?? (opts.newDeviceId ?? (() => uuidv7({ msecs: now.getTime() })))();
  await setMeta(db, 'reset', { at: reset?.at ?? now.toISOString(), newDeviceId: newId });
  // The old registration is proven as it was registered: its key when it has one (the device keeps its key), else its secret.
  let previous: NonNullable<SignInRequest['previous']>;
  if (oldKey && crypto) {
    const old = await deviceProof(api, crypto, oldKey, oldId);
    if (!old.ok) return old;
    previous = { deviceId: oldId, challenge: old.proof.challenge, signature: old.proof.signature };
  } else {
    previous = { deviceId: oldId, deviceSecret: oldSecret as string };
  }
  // The new registration: the device's key (made now if the old one had only a secret), else a new secret.
  const signed = await registrationProof(db, api, crypto, newId);
  if (!signed.ok) return signed;
  const proof = signed.proof;
  const answer = await api.signIn({ user: creds.user, pin: creds.pin, deviceId: newId, ...proof, previous } satisfies SignInRequest);
  if (!answer.ok) return { ok: false, ...refusal(answer, 'sign in') };
  const body = answer.value;
  const deviceSecret = body.deviceSecret;
  if (!proof && !deviceSecret) return { ok: false, message: 'the server sent an unreadable answer to the re-registration (no device secret)' };
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
      ...(deviceSecret ? [{ key: 'deviceSecret', value: deviceSecret } as const] : []),
      { key: 'session', value: session },
    ] satisfies MetaRow[]);
    await db.meta.bulkDelete(['pullCursor', 'reset', ...(deviceSecret ? [] : (['deviceSecret'] as const))]);
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
