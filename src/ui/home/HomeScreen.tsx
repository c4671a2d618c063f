import { signOut } from '../../device/session.ts';
import { hasRole, type Role } from '../../domain/roles.ts';
import { useDevice } from '../app/device.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession, useSignedIn, type Route } from '../session/store.ts';

type Tile = { label: string; route: Route; roles: Role[] };

/** The tiles of the home screen and the roles that see each (a supervisor sees all). */
export const TILES: Tile[] = [
  { label: 'Pick', route: { name: 'pickLists' }, roles: ['picker'] },
  { label: 'Blind counts', route: { name: 'countTasks' }, roles: ['counter'] },
  { label: 'Receiving', route: { name: 'receipts' }, roles: ['receiver'] },
  { label: 'QC release', route: { name: 'qc' }, roles: ['receiver'] },
  { label: 'Returns', route: { name: 'returns' }, roles: ['returns'] },
  { label: 'Return decisions', route: { name: 'decisions' }, roles: ['supervisor'] },
  { label: 'Exceptions', route: { name: 'exceptions' }, roles: ['supervisor'] },
];

export function HomeScreen() {
  const { db, engine } = useDevice();
  const { user } = useSignedIn();
  const go = useSession((s) => s.go);
  const setSession = useSession((s) => s.setSession);
  const leave = async () => {
    // The queue stays in the event log: the next user's session sends it.
    await signOut(db);
    setSession(null);
    engine.kick();
  };
  return (
    <Screen title={`Hello, ${user.name}`}>
      <nav aria-label="Workflows" className="tiles">
        {TILES.filter((t) => hasRole(user.roles, t.roles)).map((t) => (
          <button key={t.label} type="button" onClick={() => go(t.route)}>
            {t.label}
          </button>
        ))}
      </nav>
      <button type="button" className="secondary" onClick={() => void leave()}>
        Sign out
      </button>
      <p className="muted">
        Signed in as {user.name} ({user.roles.join(', ')}). To switch user, sign out: scans waiting to be sent stay on this device and go with the next sign-in.
      </p>
    </Screen>
  );
}
