/**
 * Identity SQL: device registrations, sessions, sign-in counters and stream tickets.
 *
 * DESIGN (the rules this module keeps):
 * - A device id is not a secret. A device is registered at its first successful sign-in, with
 *   the public key of a non-extractable ECDSA P-256 key it made (the preferred proof: every
 *   later sign-in signs a one-time challenge of the API, and a secret no longer signs it in), or,
 *   on a browser without WebCrypto, with a random secret the API makes, keeps only the hash of
 *   and answers once (every later sign-in carries it; a later sign-in proven by the secret may
 *   register a key in its place). A registration is active, revoked (stolen: its
 *   sessions are revoked and it can no longer sign in) or reset (stuck behind a conflict or a
 *   revocation: it re-registers under a fresh id that names the old one, proven by the old
 *   secret or key, and re-delivers what it still holds under the new id).
 * - A disabled user (`users.locked_at`, set by an admin) cannot sign in; disabling ends their
 *   sessions like a sign-out. Their events recorded before the disable stay theirs (see ingest's
 *   `authorize`); their tokens die at once.
 * - A session has a secret token (Bearer, hashed here) and a public id that every event
 *   recorded under it carries. Sign-out ends it: the token dies, its events stay valid (a queue
 *   left by a signed-out user must still deliver). A supervisor's revocation also refuses every
 *   event recorded under it that has not been applied yet.
 * - An event is applied only if its session was opened by its actor on this device or on a
 *   registration this device replaced after a reset (the lineage).
 */
import { createHash } from 'node:crypto';
import type { Database, Sql } from '../db.ts';
import { asDeviceId, type DeviceId } from '../../domain/ids.ts';
import type { Role } from '../../domain/roles.ts';
import type { DeviceHealth, SessionView } from '../../domain/protocol.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

/** The NOTIFY channel on which ended and revoked sessions are announced to every API process. */
export async function sessionChannel(db: Sql): Promise<string> {
  const [row] = await db.query<{ s: string }>('SELECT current_schema() AS s');
  return `floor_sessions_${row?.s ?? 'public'}`.slice(0, 63);
}

// ---------------------------------------------------------------- devices

/**
 * How a registered device proves itself: the hash of its secret, or its public key (a device
 * registered with a key has no secret: a secret cannot sign it in).
 */
export type Registration = {
  secretHash: string | null;
  publicKey: string | null;
  revokedAt: Date | null;
  resetAt: Date | null;
  replaces: string | null;
  replacedBy: string | null;
};
/** Whether the device holds a registration (a secret or a key); a row without either was only seen, never registered. */
export const isRegistered = (r: Pick<Registration, 'secretHash' | 'publicKey'> | undefined): boolean => !!r?.secretHash || !!r?.publicKey;

/** A device's registration, if the API has seen the id. */
export async function deviceRegistration(db: Sql, deviceId: string): Promise<Registration | undefined> {
  const [r] = await db.query<{
    secret_hash: string | null;
    public_key: string | null;
    revoked_at: Date | null;
    reset_at: Date | null;
    replaces: string | null;
    replaced_by: string | null;
  }>('SELECT secret_hash, public_key, revoked_at, reset_at, replaces, replaced_by FROM devices WHERE device_id = $1', [deviceId]);
  return (
    r && {
      secretHash: r.secret_hash,
      publicKey: r.public_key,
      revokedAt: r.revoked_at,
      resetAt: r.reset_at,
      replaces: r.replaces,
      replacedBy: r.replaced_by,
    }
  );
}

/** A credential: the hash of a secret, or a public key (SPKI, base64url). */
export type Credential = { secretHash: string } | { publicKey: string };
const secretOf = (c: Credential | undefined) => (c && 'secretHash' in c ? c.secretHash : null);
const keyOf = (c: Credential | undefined) => (c && 'publicKey' in c ? c.publicKey : null);
/** Whether the row's registration is the credential proven (a key registration is never proven by a secret). */
const matches = (row: { secret_hash: string | null; public_key: string | null }, c: Credential | undefined): boolean =>
  !!c && ('publicKey' in c ? row.public_key === c.publicKey : row.public_key === null && row.secret_hash === c.secretHash);

export type OpenSession = {
  tokenHash: string;
  sessionId: string;
  userId: string;
  deviceId: string;
  /**
   * The credential to register: on the device's first sign-in, on a reset device's replacement,
   * or a key replacing the secret the request proved (an old handheld moving to a key).
   */
  register?: Credential;
  /** The credential the request proved, when the device is registered. */
  proven?: Credential;
  /** A reset registration this one replaces, with the credential the request proved for it. */
  previous?: { deviceId: string; proven: Credential };
  now: Date;
  expiresAt: Date;
};
export type OpenSessionResult =
  { ok: true } | { ok: false; code: 'device_not_proven' | 'device_revoked' | 'device_reset' | 'previous_not_proven' | 'user_disabled'; message: string };

/**
 * Opens a session in one transaction that holds the device's row lock, so a registration,
 * revocation or reset in another process cannot interleave: the device is (re)checked here. The
 * user's row is read with a share lock, so a disable committing meanwhile either sees (and ends)
 * this session or is seen here.
 */
export async function openSession(db: Database, s: OpenSession): Promise<OpenSessionResult> {
  return db.transaction(async (tx): Promise<OpenSessionResult> => {
    const [u] = await tx.query<{ disabled: boolean }>('SELECT locked_at IS NOT NULL AS disabled FROM users WHERE id = $1 FOR SHARE', [s.userId]);
    if (!u || u.disabled) return { ok: false, code: 'user_disabled', message: disabledMessage(s.userId) };
    await tx.query('INSERT INTO devices (device_id) VALUES ($1) ON CONFLICT DO NOTHING', [s.deviceId]);
    const [d] = await tx.query<{
      secret_hash: string | null;
      public_key: string | null;
      revoked_at: Date | null;
      reset_at: Date | null;
      replaces: string | null;
    }>('SELECT secret_hash, public_key, revoked_at, reset_at, replaces FROM devices WHERE device_id = $1 FOR UPDATE', [s.deviceId]);
    const registered = !!d && (d.secret_hash !== null || d.public_key !== null);
    // A replacement whose registration answer was lost: the proven old registration may register it again.
    const again = registered && !!s.previous && d?.replaces === s.previous.deviceId && !!s.register;
    if (d && registered && !again) {
      // Registered (perhaps a moment ago, by a sign-in racing this one): the credential must match.
      if (!matches(d, s.proven)) return { ok: false, code: 'device_not_proven', message: notProven(s.deviceId) };
      if (d.revoked_at) return { ok: false, code: 'device_revoked', message: revokedMessage };
      if (d.reset_at) return { ok: false, code: 'device_reset', message: resetMessage };
      // A handheld proven by its secret that now holds a key: the key replaces the secret for good.
      if (s.register && 'publicKey' in s.register && d.public_key === null)
        await tx.query('UPDATE devices SET public_key = $2, secret_hash = NULL WHERE device_id = $1', [s.deviceId, s.register.publicKey]);
    } else {
      if (!s.register) return { ok: false, code: 'device_not_proven', message: notProven(s.deviceId) };
      if (s.previous) {
        const [p] = await tx.query<{ device_id: string }>(
          `UPDATE devices SET replaced_by = $2
           WHERE device_id = $1 AND reset_at IS NOT NULL AND (replaced_by IS NULL OR replaced_by = $2)
             AND (CASE WHEN $4::text IS NOT NULL THEN public_key = $4 ELSE public_key IS NULL AND secret_hash = $3 END)
           RETURNING device_id`,
          [s.previous.deviceId, s.deviceId, secretOf(s.previous.proven), keyOf(s.previous.proven)],
        );
        if (!p) return { ok: false, code: 'previous_not_proven', message: previousMessage };
      }
      await tx.query('UPDATE devices SET secret_hash = $2, public_key = $3, registered_at = $4, replaces = $5 WHERE device_id = $1', [
        s.deviceId,
        secretOf(s.register),
        keyOf(s.register),
        s.now,
        s.previous?.deviceId ?? null,
      ]);
    }
    await tx.query('INSERT INTO sessions (token_hash, id, user_id, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      s.tokenHash,
      s.sessionId,
      s.userId,
      s.deviceId,
      s.now,
      s.expiresAt,
    ]);
    await tx.query('INSERT INTO device_users (device_id, user_id, first_seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [s.deviceId, s.userId, s.now]);
    return { ok: true };
  });
}

export const notProven = (deviceId: string) =>
  `this handheld (${deviceId}) is registered and the sign-in did not prove it is that device; if it is, ask a supervisor to reset it`;
export const revokedMessage = 'a supervisor revoked this handheld; it cannot be signed in to';
export const resetMessage = 'a supervisor reset this handheld: it re-registers under a new id and sends its undelivered scans again';
export const previousMessage =
  'the previous registration named is not a reset device of this handheld (wrong secret or signature, not reset, or already replaced)';
export const disabledMessage = (userId: string) => `${userId} is disabled: an admin must enable them before they can sign in`;

// ---------------------------------------------------------------- sign-in challenges

/** Stores a one-time challenge for `deviceId`'s next sign-in (expired ones are swept on the way). */
export async function createChallenge(db: Sql, challenge: string, deviceId: string, expiresAt: Date, now: Date): Promise<void> {
  await db.query('DELETE FROM sign_in_challenges WHERE expires_at <= $1', [now]);
  await db.query('INSERT INTO sign_in_challenges (challenge_hash, device_id, expires_at) VALUES ($1, $2, $3)', [sha(challenge), deviceId, expiresAt]);
}

/**
 * Uses up a challenge for `deviceId` (one delete: of two racing sign-ins in any processes, one
 * gets it). A challenge issued for another device is left alone and answers `unknown`.
 */
export async function takeChallenge(db: Sql, challenge: string, deviceId: string, now: Date): Promise<'ok' | 'expired' | 'unknown'> {
  const [r] = await db.query<{ expires_at: Date }>('DELETE FROM sign_in_challenges WHERE challenge_hash = $1 AND device_id = $2 RETURNING expires_at', [
    sha(challenge),
    deviceId,
  ]);
  if (!r) return 'unknown';
  return new Date(r.expires_at).getTime() > now.getTime() ? 'ok' : 'expired';
}

/** Revokes a device (stolen): no sign-in any more, every session of it revoked. Answers the revoked session ids. */
export async function revokeDevice(db: Database, deviceId: string, now: Date): Promise<{ found: boolean; sessions: string[] }> {
  return db.transaction(async (tx) => {
    const [d] = await tx.query('UPDATE devices SET revoked_at = coalesce(revoked_at, $2) WHERE device_id = $1 RETURNING 1', [deviceId, now]);
    if (!d) return { found: false, sessions: [] };
    const rows = await tx.query<{ id: string }>('UPDATE sessions SET revoked_at = $2 WHERE device_id = $1 AND revoked_at IS NULL RETURNING id', [
      deviceId,
      now,
    ]);
    return { found: true, sessions: rows.map((r) => r.id) };
  });
}

/** Resets a device (stuck): its registration retires; its sessions stay valid for its events. */
export async function resetDevice(db: Sql, deviceId: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    'UPDATE devices SET reset_at = coalesce(reset_at, $2) WHERE device_id = $1 AND (secret_hash IS NOT NULL OR public_key IS NOT NULL) RETURNING 1',
    [deviceId, now],
  );
  return rows.length > 0;
}

/** Every device the API knows, with its registration and who has an open session on it. */
export async function deviceAdminRows(db: Sql, now: Date): Promise<DeviceHealth[]> {
  const rows = await db.query(
    `SELECT d.device_id, d.last_seq, d.last_contact_at, d.rejected_count, d.registered_at, d.revoked_at, d.reset_at, d.replaces, d.replaced_by,
       CASE WHEN d.public_key IS NOT NULL THEN 'key' WHEN d.secret_hash IS NOT NULL THEN 'secret' END AS proof,
       (SELECT coalesce(json_agg(DISTINCT s.user_id), '[]') FROM sessions s
        WHERE s.device_id = d.device_id AND s.ended_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > $1) AS signed_in
     FROM devices d ORDER BY d.last_contact_at DESC NULLS LAST, d.device_id`,
    [now],
  );
  return rows.map((r) => ({
    deviceId: asDeviceId(String(r.device_id)),
    lastSeq: num(r.last_seq),
    lastContactAt: isoOrNull(r.last_contact_at),
    rejectedCount: num(r.rejected_count),
    registeredAt: isoOrNull(r.registered_at),
    proof: (r.proof as 'key' | 'secret' | null) ?? null,
    revokedAt: isoOrNull(r.revoked_at),
    resetAt: isoOrNull(r.reset_at),
    replaces: (r.replaces as string | null) ?? null,
    replacedBy: (r.replaced_by as string | null) ?? null,
    signedIn: (r.signed_in as string[]) ?? [],
  }));
}

// ---------------------------------------------------------------- sessions

export type SessionUser = { id: string; name: string; roles: Role[]; deviceId: DeviceId; sessionId: string; tokenHash: string; deviceReset: boolean };

/**
 * The session a token opens, checked in the database on every request (no cache): an ended or
 * revoked session stops working at once in every API process.
 */
export async function sessionByToken(db: Sql, tokenHash: string, now: Date): Promise<SessionUser | undefined> {
  const [r] = await db.query<{ id: string; name: string; roles: Role[]; device_id: string; session_id: string; reset: boolean }>(
    `SELECT u.id, u.name, u.roles, s.device_id, s.id AS session_id, (d.reset_at IS NOT NULL) AS reset
     FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN devices d ON d.device_id = s.device_id
     WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.ended_at IS NULL AND s.revoked_at IS NULL AND d.revoked_at IS NULL AND u.locked_at IS NULL`,
    [tokenHash, now],
    { prepared: true },
  );
  return r && { id: r.id, name: r.name, roles: r.roles, deviceId: asDeviceId(r.device_id), sessionId: r.session_id, tokenHash, deviceReset: r.reset === true };
}

/** Ends a session at sign-out; answers its id when it was open. */
export async function endSession(db: Sql, tokenHash: string, now: Date): Promise<string | undefined> {
  const [r] = await db.query<{ id: string }>('UPDATE sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL RETURNING id', [tokenHash, now]);
  return r?.id;
}

/**
 * Ends every open session of `userIds` (an admin disabled them), as a sign-out does: their tokens
 * die, the events recorded under them stay theirs. Announced on the sessions channel, which
 * PostgreSQL delivers at commit to every API process (their streams of those sessions close).
 */
export async function endSessionsOf(tx: Sql, userIds: readonly string[], now: Date): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    'UPDATE sessions SET ended_at = $2 WHERE user_id = ANY($1::text[]) AND ended_at IS NULL AND revoked_at IS NULL RETURNING id',
    [[...userIds], now],
  );
  const ids = rows.map((r) => r.id);
  if (ids.length > 0) await tx.query(`SELECT pg_notify(left('floor_sessions_' || current_schema(), 63), $1)`, [JSON.stringify(ids)]);
  return ids;
}

/** Revokes a session (a supervisor): its token dies and its unapplied events are refused. */
export async function revokeSession(db: Sql, sessionId: string, now: Date): Promise<boolean> {
  const rows = await db.query('UPDATE sessions SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING 1', [sessionId, now]);
  return rows.length > 0;
}

/** Sessions, newest first; `activeOnly` drops ended, revoked and expired ones. */
export async function sessionRows(db: Sql, now: Date, activeOnly: boolean): Promise<SessionView[]> {
  const rows = await db.query(
    `SELECT id, user_id, device_id, created_at, expires_at, ended_at, revoked_at,
       (ended_at IS NULL AND revoked_at IS NULL AND expires_at > $1) AS active
     FROM sessions WHERE NOT $2::boolean OR (ended_at IS NULL AND revoked_at IS NULL AND expires_at > $1)
     ORDER BY created_at DESC, id LIMIT 1000`,
    [now, activeOnly],
  );
  return rows.map((r) => ({
    id: String(r.id),
    userId: String(r.user_id),
    deviceId: asDeviceId(String(r.device_id)),
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    endedAt: isoOrNull(r.ended_at),
    revokedAt: isoOrNull(r.revoked_at),
    active: r.active === true,
  }));
}

export type SessionCheck = { userId: string; revoked: boolean; onDevice: boolean };
/** What `authorize` needs to check events' sessions (read by the push's context query, `pushContext`). */
export type SessionContext = {
  /** The sessions the events name, with whether each was opened on this device's lineage. */
  sessions: Map<string, SessionCheck>;
  /** Actors who signed in on this device's lineage before sessions existed (v1 events). */
  legacyActors: Set<string>;
};

// ---------------------------------------------------------------- sign-in counters

export type CounterKey = { scope: 'user' | 'device' | 'address'; key: string; limit: number };

/**
 * Reserves one PIN check against each counter, atomically (an upsert per key, RETURNING the
 * new count), before any hash is checked: however many requests race, at most `limit` of them
 * see a count within the limit. A count is a failure unless the check succeeds, which releases
 * it. Answers the first counter over its limit and when its window ends.
 */
export async function reserveAttempt(db: Sql, keys: readonly CounterKey[], now: Date, windowMs: number): Promise<{ over?: CounterKey; retryAt?: Date }> {
  const rows = await db.query<{ scope: string; key: string; failures: number; window_start: Date }>(
    `INSERT INTO sign_in_counters AS c (scope, key, window_start, failures)
     SELECT scope, key, $2::timestamptz, 1 FROM jsonb_to_recordset($1::jsonb) AS x(scope text, key text) ORDER BY scope, key
     ON CONFLICT (scope, key) DO UPDATE SET
       window_start = CASE WHEN c.window_start <= $2::timestamptz - $3::interval THEN $2::timestamptz ELSE c.window_start END,
       failures = CASE WHEN c.window_start <= $2::timestamptz - $3::interval THEN 1 ELSE c.failures + 1 END
     RETURNING scope, key, failures, window_start`,
    [JSON.stringify(keys.map((k) => ({ scope: k.scope, key: k.key }))), now, `${windowMs} milliseconds`],
  );
  for (const k of keys) {
    const r = rows.find((x) => x.scope === k.scope && x.key === k.key);
    if (r && num(r.failures) > k.limit) return { over: k, retryAt: new Date(new Date(r.window_start).getTime() + windowMs) };
  }
  return {};
}

/** A successful check: the user's counter starts again; the other reservations are released. */
export async function releaseAttempt(db: Sql, keys: readonly CounterKey[]): Promise<void> {
  await db.query(
    `UPDATE sign_in_counters c SET failures = CASE WHEN c.scope = 'user' THEN 0 ELSE GREATEST(0, c.failures - 1) END
     FROM jsonb_to_recordset($1::jsonb) AS x(scope text, key text) WHERE c.scope = x.scope AND c.key = x.key`,
    [JSON.stringify(keys.map((k) => ({ scope: k.scope, key: k.key })))],
  );
}

/** A supervisor unlocks a user locked out by failed PINs. */
export async function unlockUser(db: Sql, userId: string): Promise<boolean> {
  const rows = await db.query("DELETE FROM sign_in_counters WHERE scope = 'user' AND key = $1 RETURNING 1", [userId]);
  return rows.length > 0;
}

// ---------------------------------------------------------------- stream tickets

/** Stores a single-use ticket for the live feed of the session with `tokenHash`. */
export async function createStreamTicket(db: Sql, ticket: string, tokenHash: string, expiresAt: Date, now: Date): Promise<void> {
  // Expired tickets are swept on the way, so the table stays small.
  await db.query('DELETE FROM stream_tickets WHERE expires_at <= $1', [now]);
  await db.query('INSERT INTO stream_tickets (ticket_hash, token_hash, expires_at) VALUES ($1, $2, $3)', [sha(ticket), tokenHash, expiresAt]);
}

/** Uses a ticket up (whether or not it is still valid) and answers its session's token hash when it was. */
export async function takeStreamTicket(db: Sql, ticket: string, now: Date): Promise<string | undefined> {
  const [r] = await db.query<{ token_hash: string; expires_at: Date }>('DELETE FROM stream_tickets WHERE ticket_hash = $1 RETURNING token_hash, expires_at', [
    sha(ticket),
  ]);
  return r && new Date(r.expires_at).getTime() > now.getTime() ? r.token_hash : undefined;
}
