/**
 * Offline sign-in grants (issue 13): issued and signed (HMAC-SHA256 with a key of the API's
 * own, kept in the database so every API process shares it) at an online sign-in, naming
 * user, device and expiry. A handheld holds the grant and a PIN verifier of its own; signed in
 * offline, it stamps every event with the grant and the grant's id as its session. On delivery
 * the API accepts such an event only if the grant is genuine, names the event's actor and this
 * device, had not expired at the event's `occurredAt`, and was not revoked (nor its online
 * session, nor the device) by a supervisor.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../db.ts';
import { DEFAULT_OFFLINE_HOURS, GrantClaimsSchema, GrantTokenSchema, type GrantClaims } from '../../domain/shift/protocol.ts';
import type { RejectionCode } from '../../domain/protocol.ts';

const KEY_NAME = 'offline-grant-hmac';
const SETTING = 'offline_sign_in_hours';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The signing key, made by the first process that needs it (the insert is idempotent across processes). */
export async function grantKey(db: Sql): Promise<Buffer> {
  await db.query('INSERT INTO server_keys (name, secret, created_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO NOTHING', [
    KEY_NAME,
    randomBytes(32).toString('base64url'),
  ]);
  const [r] = await db.query<{ secret: string }>('SELECT secret FROM server_keys WHERE name = $1', [KEY_NAME]);
  if (!r) throw new Error('the offline grant key is missing');
  return Buffer.from(r.secret, 'base64url');
}

const sign = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();

/** The token of a grant: its claims and their signature. */
export function signGrant(key: Buffer, claims: GrantClaims): string {
  const payload = b64url(JSON.stringify(claims));
  return `${payload}.${b64url(sign(key, payload))}`;
}

/** The claims of a genuine grant, or undefined for anything this API did not sign. */
export function verifyGrant(key: Buffer, token: unknown): GrantClaims | undefined {
  const parsed = GrantTokenSchema.safeParse(token);
  if (!parsed.success) return undefined;
  const [payload = '', signature = ''] = parsed.data.split('.');
  const want = sign(key, payload);
  const got = Buffer.from(signature, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  try {
    const claims = GrantClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return claims.success ? claims.data : undefined;
  } catch {
    return undefined;
  }
}

/** The supervisor's offline allowance in hours (0: offline sign-in is off). */
export async function offlineHours(db: Sql): Promise<number> {
  const [r] = await db.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [SETTING]);
  return typeof r?.value === 'number' ? r.value : DEFAULT_OFFLINE_HOURS;
}

export async function setOfflineHours(db: Sql, hours: number, by: string, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, to_jsonb($2::int), $3, $4)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [SETTING, hours, now, by],
  );
}

/** Records and signs a grant for a user's online session on a device. */
export async function issueGrant(
  db: Sql,
  s: { userId: string; deviceId: string; sessionId: string },
  now: Date,
  hours: number,
): Promise<{ token: string; claims: GrantClaims }> {
  const claims: GrantClaims = {
    v: 1,
    g: `g_${randomBytes(16).toString('base64url')}`,
    u: s.userId,
    d: s.deviceId,
    iat: now.toISOString(),
    exp: new Date(now.getTime() + hours * 3_600_000).toISOString(),
  };
  await db.query('INSERT INTO offline_grants (id, user_id, device_id, session_id, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    claims.g,
    s.userId,
    s.deviceId,
    s.sessionId,
    now,
    claims.exp,
  ]);
  return { token: signGrant(await grantKey(db), claims), claims };
}

/** Revokes every grant of a user (a supervisor): events recorded under them and not yet applied are refused. */
export async function revokeUserGrants(db: Sql, userId: string, now: Date): Promise<number> {
  const rows = await db.query('UPDATE offline_grants SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING 1', [userId, now]);
  return rows.length;
}

export type GrantRow = { userId: string; deviceId: string; revoked: boolean };
export type GrantContext = { key: Buffer; grants: Map<string, GrantRow> };

/**
 * What a push needs to check the grants its events carry, in one round trip (none when no event
 * carries one). A grant counts as revoked when it was, or its online session was, or its device was.
 */
export async function grantContext(tx: Sql, grantIds: readonly string[]): Promise<GrantContext | undefined> {
  if (grantIds.length === 0) return undefined;
  const rows = await tx.query<{ id: string; user_id: string; device_id: string; revoked: boolean }>(
    `SELECT g.id, g.user_id, g.device_id,
       (g.revoked_at IS NOT NULL OR s.revoked_at IS NOT NULL OR d.revoked_at IS NOT NULL) AS revoked
     FROM offline_grants g LEFT JOIN sessions s ON s.id = g.session_id LEFT JOIN devices d ON d.device_id = g.device_id
     WHERE g.id = ANY($1::text[])`,
    [[...grantIds]],
  );
  return { key: await grantKey(tx), grants: new Map(rows.map((r) => [r.id, { userId: r.user_id, deviceId: r.device_id, revoked: r.revoked === true }])) };
}

/** The grant id an event's grant token claims (unverified: only to know which rows to load). */
export function claimedGrantId(token: string): string | undefined {
  try {
    const id = (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { g?: unknown }).g;
    return typeof id === 'string' && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why an event recorded under an offline grant must be refused, or undefined when the grant
 * vouches for it: genuine, this event's session, its actor, this device, not expired at the
 * event's time, not revoked.
 */
export function checkGrant(
  event: { actor: string; session?: string; occurredAt: string; grant?: string },
  deviceId: string,
  context: GrantContext | undefined,
): { code: RejectionCode; message: string } | undefined {
  const claims = context ? verifyGrant(context.key, event.grant) : undefined;
  const row = claims ? context?.grants.get(claims.g) : undefined;
  if (!claims || !row) return { code: 'session_mismatch', message: 'the offline sign-in grant is not one this API signed: the event is not recorded' };
  if (claims.g !== event.session)
    return { code: 'session_mismatch', message: `the event's session ${event.session ?? '(none)'} is not the grant's (${claims.g})` };
  if (claims.u !== event.actor || row.userId !== event.actor)
    return { code: 'session_mismatch', message: `the offline grant belongs to "${claims.u}", not "${event.actor}"` };
  if (claims.d !== deviceId || row.deviceId !== deviceId) return { code: 'session_mismatch', message: 'the offline grant was issued to another device' };
  if (row.revoked) return { code: 'session_revoked', message: `offline grant ${claims.g} was revoked by a supervisor; events recorded under it are refused` };
  if (Date.parse(event.occurredAt) > Date.parse(claims.exp))
    return { code: 'grant_expired', message: `offline grant ${claims.g} had expired at ${claims.exp}, before this event (${event.occurredAt})` };
  return undefined;
}
