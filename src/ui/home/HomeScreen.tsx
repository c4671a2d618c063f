import { signOut } from '../../device/session.ts';
import { hasRole } from '../../domain/roles.ts';
import { TILES } from './tiles.ts';
import { useDevice } from '../app/device.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession, useSignedIn } from '../session/store.ts';

export function HomeScreen() {
  const { db, http, engine } = useDevice();
  const { user } = useSignedIn();
  const go = useSession((s) => s.go);
  const setSession = useSession((s) => s.setSession);
  const leave = async () => {
    // The queue stays in the event log: the next user's session sends it.
    await signOut(db, http);
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
      <div className="row">
        <button type="button" className="secondary" onClick={() => go({ name: 'scanner' })}>
          Scanner set-up
        </button>
        <button type="button" className="secondary" onClick={() => void leave()}>
          Sign out
        </button>
      </div>
      <p className="muted">
        Signed in as {user.name} ({user.roles.join(', ')}). To switch user, sign out: scans waiting to be sent stay on this device and go with the next sign-in.
      </p>
    </Screen>
  );
}
