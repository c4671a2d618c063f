/**
 * Users and sessions.
 */
import type { Sql } from '../db.ts';
import type { Role } from '../../domain/roles.ts';

export type UserRow = { id: string; name: string; roles: Role[] };

/** A user and their PIN's hash; `disabled` when an admin disabled them (the sign-in checks the PIN, then refuses). */
export async function userWithPin(db: Sql, id: string): Promise<(UserRow & { pinHash: string; disabled: boolean }) | undefined> {
  const [r] = await db.query<{ id: string; name: string; roles: Role[]; pin_hash: string; disabled: boolean }>(
    'SELECT id, name, roles, pin_hash, locked_at IS NOT NULL AS disabled FROM users WHERE id = $1',
    [id],
  );
  return r && { id: r.id, name: r.name, roles: r.roles, pinHash: r.pin_hash, disabled: r.disabled === true };
}

/** A verified session: its user (roles as of now) and the device it was opened on. */
export type { SessionUser } from '../identity/storage.ts';
