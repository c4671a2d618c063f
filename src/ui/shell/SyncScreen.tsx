import { signOut } from '../../device/session.ts';
import { SyncStatusScreen } from '../sync/index.ts';
import { useDevice } from '../app/device.ts';
import { useSession, useSignedIn } from '../session/store.ts';
import { Screen } from './Screen.tsx';

/** The device helper's sync status, inside the app's frame. */
export function SyncScreen() {
  const { db, api, engine } = useDevice();
  const { user } = useSignedIn();
  const setSession = useSession((s) => s.setSession);
  // The API refused this session: forget it (the queue stays) and ask for a new sign-in.
  const signInAgain = () => void signOut(db, api).then(() => setSession(null));
  return (
    <Screen title="Sync status" back={() => history.back()}>
      <SyncStatusScreen db={db} engine={engine} user={user} onSignIn={signInAgain} />
    </Screen>
  );
}
