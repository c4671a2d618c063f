import { useLiveQuery } from 'dexie-react-hooks';
import { useSyncExternalStore } from 'react';
import { pendingSummary } from '../../device/event-log.ts';
import { useDevice } from '../app/device.ts';
import { useSession } from '../session/store.ts';

/** The sync state in the top bar: how many events wait, and a way to the sync status screen. */
export function SyncSlot() {
  const { db, engine } = useDevice();
  const go = useSession((s) => s.go);
  const status = useSyncExternalStore(
    (cb) => engine.subscribe(cb),
    () => engine.status(),
  );
  const pending = useLiveQuery(() => pendingSummary(db), [db]);
  const count = pending?.count ?? 0;
  const label = !status.online ? `Offline, ${count} waiting` : count > 0 ? `${count} waiting` : 'All sent';
  return (
    <button type="button" onClick={() => go({ name: 'sync' })} aria-label={`Sync status: ${label}`}>
      {label}
    </button>
  );
}
