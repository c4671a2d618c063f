import { hasRole, type Role } from '../../domain/roles.ts';
import { paths } from '../app/routes.ts';
import type { UiKey } from '../i18n/ui-en.ts';

type Tile = { label: UiKey; path: string; roles: Role[] };

/** The tiles of the home screen and the roles that see each (a supervisor sees all). */
export const TILES: Tile[] = [
  { label: 'ui.tile.pick', path: paths.pickLists, roles: ['picker'] },
  { label: 'ui.tile.count', path: paths.countTasks, roles: ['counter'] },
  { label: 'ui.tile.receive', path: paths.receipts, roles: ['receiver'] },
  { label: 'ui.tile.qc', path: paths.qc, roles: ['receiver'] },
  { label: 'ui.tile.returns', path: paths.returns, roles: ['returns'] },
  { label: 'ui.tile.decisions', path: paths.decisions, roles: ['supervisor'] },
  { label: 'ui.tile.exceptions', path: paths.exceptions, roles: ['supervisor'] },
  { label: 'ui.tile.backOffice', path: paths.backOffice, roles: ['admin'] },
  { label: 'ui.tile.control', path: paths.control(), roles: ['supervisor', 'admin'] },
];

/** The tiles a user with these roles sees, in order. */
export function tilesFor(roles: readonly Role[]): Tile[] {
  return TILES.filter((tile) => hasRole(roles, tile.roles));
}
