/**
 * PINs and session tokens. PINs are stored as scrypt hashes; tokens are opaque random strings
 * kept (hashed) in the sessions table, so any number of API processes accept the same token.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1 };
const KEY_LEN = 32;

const scryptAsync = (pin: string, salt: Buffer, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(pin, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))));

/** `scrypt$N$r$p$salt$hash`, base64url parts. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pin, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash to compare against when the user does not exist, so a wrong name costs as long as a wrong PIN. */
let dummyHash: Promise<string> | undefined;

/** Checks a PIN against a stored hash (or against a dummy when `stored` is undefined, then always false). */
export async function verifyPin(pin: string, stored: string | undefined): Promise<boolean> {
  const hash = stored ?? (await (dummyHash ??= hashPin('000000')));
  const [kind, n, r, p, salt, key] = hash.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(pin, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return stored !== undefined && actual.length === expected.length && timingSafeEqual(actual, expected);
}

export const newToken = (): string => randomBytes(32).toString('base64url');
/** Only the hash of a token is stored: a leaked table does not sign anyone in. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');
