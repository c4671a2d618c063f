/**
 * Offline sign-in on the handheld (issue 13). After an online sign-in the device asks the API
 * for a grant (signed, naming user, device and expiry) and keeps, beside it, a verifier of the
 * PIN of its own: PBKDF2-SHA-256 with a random salt and many iterations through WebCrypto,
 * never the server's hash. Without the network the same user may then sign in with that PIN:
 * the verifier is checked on the device, with bounded attempts (a failure is counted before the
 * check, so killing the tab mid-check still counts it; after `MAX_OFFLINE_ATTEMPTS` the offline
 * sign-in is locked until the next online one), only until the grant expires. The offline
 * session has no token: its id is the grant's, and every event recorded under it carries the
 * grant, so the API can tell it later whether it vouches for them.
 *
 * What it cannot do: a 4-to-8-digit PIN behind any KDF is guessable by someone who copies the
 * device's storage; the grant's expiry and a supervisor's revocation bound what that buys.
 */
import type { User } from '../domain/protocol.ts';
import { getSetting, putSetting, setMeta, type FloorDb, type MetaValues } from './db.ts';
import type { ApiClient } from './api/client.ts';

/** Wrong PINs allowed offline before offline sign-in locks (until the next online sign-in). */
export const MAX_OFFLINE_ATTEMPTS = 5;
export const PBKDF2_ITERATIONS = 310_000;

/** What the device keeps per user who signed in online here (settings table, `offline:<user>`). */
export type OfflineLogin = {
  user: User;
  deviceId: string;
  salt: string;
  iterations: number;
  verifier: string;
  grant: string;
  grantId: string;
  expiresAt: string;
  failures: number;
};

export type OfflineSignInResult =
  | { ok: true; session: MetaValues['session'] }
  | { ok: false; code: 'signin.offlineUnknown' | 'signin.offlineExpired' | 'signin.offlineLocked' | 'signin.offlineWrong'; left?: number; until?: string };

const key = (userId: string) => `offline:${userId.trim().toLowerCase()}`;
const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(crypto: Crypto, pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, material, 256));
}

/** Compares without an early exit on the first differing byte. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * After an online sign-in: asks the API for this user's grant and keeps it with a fresh PIN
 * verifier. Best effort: when it fails (offline sign-in off, no network) the device keeps no
 * verifier for the user, and offline sign-in is simply not offered.
 */
export async function rememberForOffline(
  db: FloorDb,
  api: ApiClient,
  session: MetaValues['session'],
  pin: string,
  deviceId: string,
  crypto: Crypto = globalThis.crypto,
): Promise<boolean> {
  const answer = await api.offlineGrant(session.token);
  if (!answer.ok) {
    // Refused (offline sign-in off, or not for this user): forget any verifier; no network: keep it.
    if (answer.failure.kind === 'bad' || answer.failure.kind === 'auth') await db.settings.delete(key(session.user.id));
    return false;
  }
  const grant = answer.value;
  if (grant.userId !== session.user.id || grant.deviceId !== deviceId) return false;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const verifier = await derive(crypto, pin, salt, PBKDF2_ITERATIONS);
  const login: OfflineLogin = {
    user: session.user,
    deviceId,
    salt: b64(salt),
    iterations: PBKDF2_ITERATIONS,
    verifier: b64(verifier),
    grant: grant.grant,
    grantId: grant.grantId,
    expiresAt: grant.expiresAt,
    failures: 0,
  };
  await putSetting(db, key(session.user.id), login);
  return true;
}

/** Whether this user may try an offline sign-in on this device now. */
export async function offlineLoginOf(db: FloorDb, userId: string): Promise<OfflineLogin | undefined> {
  return getSetting<OfflineLogin | undefined>(db, key(userId), undefined);
}

/**
 * Signs a user in without the network, against the verifier kept at their last online sign-in
 * here. A wrong PIN is counted (before the check); at `MAX_OFFLINE_ATTEMPTS` it locks.
 */
export async function offlineSignIn(
  db: FloorDb,
  creds: { user: string; pin: string },
  now: Date,
  crypto: Crypto = globalThis.crypto,
): Promise<OfflineSignInResult> {
  const k = key(creds.user);
  const login = await getSetting<OfflineLogin | undefined>(db, k, undefined);
  if (!login) return { ok: false, code: 'signin.offlineUnknown' };
  if (login.failures >= MAX_OFFLINE_ATTEMPTS) return { ok: false, code: 'signin.offlineLocked' };
  if (now.getTime() >= Date.parse(login.expiresAt)) return { ok: false, code: 'signin.offlineExpired', until: login.expiresAt };
  const failures = login.failures + 1;
  await putSetting(db, k, { ...login, failures });
  const derived = await derive(crypto, creds.pin, unb64(login.salt), login.iterations);
  if (!same(derived, unb64(login.verifier))) {
    return failures >= MAX_OFFLINE_ATTEMPTS
      ? { ok: false, code: 'signin.offlineLocked' }
      : { ok: false, code: 'signin.offlineWrong', left: MAX_OFFLINE_ATTEMPTS - failures };
  }
  const session: MetaValues['session'] = {
    token: '',
    id: login.grantId,
    user: login.user,
    signedInAt: now.toISOString(),
    expiresAt: login.expiresAt,
    offline: { grant: login.grant },
  };
  await db.transaction('rw', db.meta, db.settings, async () => {
    await putSetting(db, k, { ...login, failures: 0 });
    await setMeta(db, 'session', session);
  });
  return { ok: true, session };
}
