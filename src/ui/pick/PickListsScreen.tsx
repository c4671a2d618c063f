import { useLiveQuery } from 'dexie-react-hooks';
import { useDevice } from '../app/device.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession } from '../session/store.ts';

/** The picker's open pick lists, from the work cache (works offline). */
export function PickListsScreen() {
  const { db } = useDevice();
  const go = useSession((s) => s.go);
  const lists = useLiveQuery(() => db.pickLists.where('status').equals('open').sortBy('id'), [db]);
  return (
    <Screen title="Pick lists">
      {lists === undefined ? <p>Loading…</p> : lists.length === 0 ? <p>No open pick lists. New work arrives when the device is online.</p> : null}
      <ul className="list" aria-label="Open pick lists">
        {lists?.map((l) => (
          <li key={l.id}>
            <button type="button" onClick={() => go({ name: 'pick', pickListId: l.id })}>
              Order {l.orderRef} · {l.lines.length} line{l.lines.length === 1 ? '' : 's'} · {l.id}
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
