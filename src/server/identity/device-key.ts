/**
 * Device keys: a handheld registers an ECDSA P-256 public key (SPKI, base64url) and proves it
 * holds the private key, which it made non-extractable, by signing a one-time challenge
 * (`signInMessage`, WebCrypto's IEEE P1363 encoding: r and s, 32 bytes each). Verified here with
 * node:crypto; anything malformed is "not proven", never a throw.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { signInMessage } from '../../domain/protocol.ts';

/** How long a sign-in challenge may be used (once). */
export const CHALLENGE_MS = 60_000;

/** A fresh challenge: 32 random bytes, base64url (43 characters). */
export const newChallenge = (): string => randomBytes(32).toString('base64url');

/** The key object of a P-256 public key in SPKI (base64url), or undefined for anything else. */
export function readPublicKey(spki: string): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(spki, 'base64url'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
    return key;
  } catch {
    return undefined;
  }
}

/** Whether `signature` is the holder of `spki`'s signature of the sign-in message for `deviceId` and `challenge`. */
export function verifyDeviceSignature(spki: string, deviceId: string, challenge: string, signature: string): boolean {
  const key = readPublicKey(spki);
  const sig = Buffer.from(signature, 'base64url');
  if (!key || sig.length !== 64) return false;
  try {
    return verify('sha256', Buffer.from(signInMessage(deviceId, challenge), 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}
