import type { Role } from '../../domain/roles.ts';
import type { Route } from '../session/store.ts';

type Tile = { label: string; route: Route; roles: Role[] };

/** The tiles of the home screen and the roles that see each (a supervisor sees all). */
export const TILES: Tile[] = [
  { label: 'Pick', route: { name: 'pickLists' }, roles: ['picker'] },
  { label: 'Blind counts', route: { name: 'countTasks' }, roles: ['counter'] },
  { label: 'Receiving', route: { name: 'receipts' }, roles: ['receiver'] },
  { label: 'QC release', route: { name: 'qc' }, roles: ['receiver'] },
  { label: 'Returns', route: { name: 'returns' }, roles: ['returns'] },
  { label: 'Decisions', route: { name: 'decisions' }, roles: ['supervisor'] },
  { label: 'Exceptions', route: { name: 'exceptions' }, roles: ['supervisor'] },
];
