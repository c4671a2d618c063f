import { z } from 'zod';

/** `admin` runs the back office (master data, users); it is no floor role. */
export const ROLES = ['picker', 'receiver', 'returns', 'counter', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** A supervisor may do everything a floor role may do. */
export function hasRole(roles: readonly Role[], needed: readonly Role[]): boolean {
  return roles.includes('supervisor') || needed.some((r) => roles.includes(r));
}
