/**
 * Users and sessions.
 */
import type { Sql } from '../db.ts';
import type { Role } from '../../domain/roles.ts';

export type UserRow = { id: string; name: string; roles: Role[] };

export async function userWithPin(db: Sql, id: string): Promise<(UserRow & { pinHash: string }) | undefined> {
  const [r] = await db.query<{ id: string; name: string; roles: Role[]; pin_hash: string }>(
    'SELECT id, name, roles, pin_hash FROM users WHERE id = $1 AND locked_at IS NULL',
    [id],
  );
  return r && { id: r.id, name: r.name, roles: r.roles, pinHash: r.pin_hash };
}

/** A verified session: its user (roles as of now) and the device it was opened on. */
export type { SessionUser } from '../identity/storage.ts';
