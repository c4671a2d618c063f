/**
 * Offline sign-in (issue 13), the wire contract: a grant the API signs at an online sign-in,
 * which lets the user sign in on that handheld without the network, with their PIN checked on
 * the device, until it expires (the supervisor's setting) or a supervisor revokes it. Events
 * recorded under it carry it (`grant`) and its id as their `session`.
 */
import { z } from '../schema.ts';

/** The longest offline allowance a supervisor may set; 0 turns offline sign-in off. */
export const MAX_OFFLINE_HOURS = 72;
export const DEFAULT_OFFLINE_HOURS = 12;

/** A signed grant: `<payload base64url>.<signature base64url>`. */
export const GrantTokenSchema = z
  .string()
  .check(z.maxLength(1024, 'grant is too long'), z.regex(/^[A-Za-z0-9_-]{10,900}\.[A-Za-z0-9_-]{20,100}$/, 'grant must be one the API issued'));

/** A grant's id: also the `session` of the events recorded under it. */
export const GrantIdSchema = z.string().check(z.regex(/^g_[A-Za-z0-9_-]{22}$/, 'not a grant id'));

/** What a grant says, signed. Short keys: it travels with every offline event. */
export const GrantClaimsSchema = z.strictObject({
  v: z.literal(1),
  /** grant id */
  g: GrantIdSchema,
  /** user */
  u: z.string().check(z.minLength(1), z.maxLength(64)),
  /** device */
  d: z.string().check(z.minLength(1), z.maxLength(64)),
  /** issued at, expires at (ISO instants) */
  iat: z.string().check(z.maxLength(40)),
  exp: z.string().check(z.maxLength(40)),
});
export type GrantClaims = z.output<typeof GrantClaimsSchema>;

/** `POST /api/v1/offline-grants` (a signed-in session): a grant for this user on this device. */
export const OfflineGrantResponseSchema = z.looseObject({
  grant: z.string(),
  grantId: z.string(),
  userId: z.string(),
  deviceId: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string(),
});
export type OfflineGrantResponse = z.output<typeof OfflineGrantResponseSchema>;

/** `GET`/`PUT /api/v1/settings/offline-sign-in` (a supervisor). */
export const OfflineSettingSchema = z.strictObject({
  hours: z.number().check(
    z.refine((n) => Number.isInteger(n), 'hours must be a whole number'),
    z.gte(0, 'hours must be 0 (off) or more'),
    z.lte(MAX_OFFLINE_HOURS, `hours must be at most ${MAX_OFFLINE_HOURS}`),
  ),
});
export type OfflineSetting = z.output<typeof OfflineSettingSchema>;

/** `POST /api/v1/users/{user}/offline-grants/revoke` (a supervisor). */
export const RevokeGrantsResponseSchema = z.looseObject({ userId: z.string(), revoked: z.number() });
export type RevokeGrantsResponse = z.output<typeof RevokeGrantsResponseSchema>;
