import { useLiveQuery } from 'dexie-react-hooks';
import { useDevice } from '../app/device.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession } from '../session/store.ts';

const OPEN = ['open', 'started'];

/** Count tasks for this user, from the work cache: the bin and why, never a quantity. */
export function CountTasksScreen() {
  const { db } = useDevice();
  const go = useSession((s) => s.go);
  const tasks = useLiveQuery(() => db.countTasks.filter((t) => OPEN.includes(t.status)).sortBy('location'), [db]);
  return (
    <Screen title="Blind counts">
      {tasks === undefined ? <p>Loading…</p> : tasks.length === 0 ? <p>No count tasks. New work arrives when the device is online.</p> : null}
      <ul className="list" aria-label="Count tasks">
        {tasks?.map((t) => (
          <li key={t.id}>
            <button type="button" onClick={() => go({ name: 'count', taskId: t.id })}>
              Count {t.location} · {t.reason}
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
