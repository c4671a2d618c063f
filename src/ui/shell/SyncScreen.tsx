import { useLiveQuery } from 'dexie-react-hooks';
import { useSyncExternalStore } from 'react';
import { pendingSummary, rejectedEvents } from '../../device/event-log.ts';
import { useDevice } from '../app/device.ts';
import { Screen } from './Screen.tsx';

/** What this device has not delivered yet, and what the API refused. */
export function SyncScreen() {
  const { db, engine } = useDevice();
  const status = useSyncExternalStore(
    (cb) => engine.subscribe(cb),
    () => engine.status(),
  );
  const pending = useLiveQuery(() => pendingSummary(db), [db]);
  const rejected = useLiveQuery(() => rejectedEvents(db), [db]);
  return (
    <Screen title="Sync status">
      <p>
        {status.online ? 'Online' : 'Offline'} · {status.phase}
        {status.lastError ? ` · ${status.lastError}` : ''}
      </p>
      <p>{pending?.count ?? 0} event(s) waiting to be sent.</p>
      <button type="button" onClick={() => engine.kick()}>
        Send now
      </button>
      <h2>Needs attention</h2>
      <ul className="list">
        {rejected?.map((e) => (
          <li key={e.seq} className="card">
            #{e.seq} {e.type}: {e.rejection?.message}
          </li>
        ))}
      </ul>
    </Screen>
  );
}
