/**
 * Users as master data: name, roles, PIN (set on import or by a supervisor, never read back),
 * badge code, locked or not. Only an admin grants or changes the `admin` and `supervisor` roles.
 */
import { z } from 'zod';
import { ROLES, type Role } from '../roles.ts';
import { parseCsv, type ColumnSpec } from './csv.ts';
import type { CheckedFile } from './catalog.ts';
import { checkEach, codeField, firstOfEach, flagField, listCell, shown, textField, type Checked } from './fields.ts';

/** A PIN: 4 to 8 digits, as at sign-in. */
export const PinSchema = z.string({ error: 'PIN must be text of 4 to 8 digits' }).regex(/^\d{4,8}$/, 'PIN must be 4 to 8 digits');

/** Roles that only an admin may give, take or hold when someone changes a user. */
export const ADMIN_ONLY_ROLES: readonly Role[] = ['admin', 'supervisor'];

const rolesField = z
  .unknown()
  .optional()
  .transform((v, ctx): Role[] => {
    const parts = typeof v === 'string' ? listCell(v) : Array.isArray(v) ? v : undefined;
    if (!parts || parts.length === 0) return (ctx.addIssue({ code: 'custom', message: 'roles is empty: give at least one of ' + ROLES.join(', ') }), z.NEVER);
    const out: Role[] = [];
    for (const p of parts) {
      const role = typeof p === 'string' ? ROLES.find((r) => r === p.trim().toLowerCase()) : undefined;
      if (!role) return (ctx.addIssue({ code: 'custom', message: `role ${shown(p)} is not one of ${ROLES.join(', ')}` }), z.NEVER);
      if (!out.includes(role)) out.push(role);
    }
    return out.sort();
  });

const optionalPin = z
  .unknown()
  .optional()
  .transform((v, ctx): string | null => {
    if (v === undefined || v === null || v === '') return null;
    const r = PinSchema.safeParse(typeof v === 'string' ? v.trim() : v);
    if (!r.success) return (ctx.addIssue({ code: 'custom', message: 'PIN must be 4 to 8 digits' }), z.NEVER);
    return r.data;
  });

const optionalBadge = z
  .unknown()
  .optional()
  .transform((v, ctx): string | null => {
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string' || !/^[A-Za-z0-9-]{4,32}$/.test(v.trim())) {
      return (ctx.addIssue({ code: 'custom', message: `badge code must be 4 to 32 letters, digits or dashes, got ${shown(v)}` }), z.NEVER);
    }
    return v.trim().toUpperCase();
  });

export const UserRecordSchema = z.object({
  id: codeField('user'),
  name: textField('name', 120),
  roles: rolesField,
  /** Set only when given: an import without a PIN keeps the user's PIN. */
  pin: optionalPin.optional().transform((v) => v ?? null),
  badge: optionalBadge.optional().transform((v) => v ?? null),
  locked: flagField('locked', false)
    .optional()
    .transform((v) => v ?? false),
});
export type UserRecord = z.output<typeof UserRecordSchema>;

export const USER_COLUMNS: readonly ColumnSpec[] = [
  { field: 'id', aliases: ['user', 'user id', 'username', 'login'], required: true },
  { field: 'name', aliases: ['full name', 'display name'], required: true },
  { field: 'roles', aliases: ['role'], required: true },
  { field: 'pin' },
  { field: 'badge', aliases: ['badge code', 'badge id', 'card'] },
  { field: 'locked', aliases: ['blocked', 'disabled'] },
];
/** PINs are never exported. */
export const USER_EXPORT_FIELDS = ['id', 'name', 'roles', 'badge', 'locked'] as const;

/** Checks users: each on its own, an id once, a badge once. */
export function checkUsers(items: readonly { line: number; value: unknown }[]): Checked<UserRecord> {
  const byId = firstOfEach(
    checkEach(items, UserRecordSchema),
    (r) => r.id.toLowerCase(),
    (r) => `user ${r.id}`,
  );
  const withBadge = byId.records.filter((r) => r.record.badge !== null);
  const badges = firstOfEach(
    { records: withBadge, errors: [] },
    (r) => r.badge ?? '',
    (r) => `badge ${r.badge} (of ${r.id})`,
  );
  const kept = new Set(badges.records);
  return {
    records: byId.records.filter((r) => r.record.badge === null || kept.has(r)),
    errors: [...byId.errors, ...badges.errors].sort((a, b) => a.line - b.line),
  };
}

/** Parses and checks a users CSV. */
export function readUsersCsv(text: string): CheckedFile<UserRecord> {
  const table = parseCsv(text, USER_COLUMNS);
  const checked = checkUsers(table.rows.map((r) => ({ line: r.line, value: r.cells })));
  return {
    ...checked,
    errors: [...table.errors, ...checked.errors].sort((a, b) => a.line - b.line),
    lines: table.rows.length,
    unknownColumns: table.unknownColumns,
  };
}

export const userCells = (r: Omit<UserRecord, 'pin'>): Record<string, string> => ({
  id: r.id,
  name: r.name,
  roles: r.roles.join('|'),
  badge: r.badge ?? '',
  locked: r.locked ? 'yes' : 'no',
});
