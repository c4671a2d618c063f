import { useLiveQuery } from 'dexie-react-hooks';
import { useDevice } from '../app/device.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';
import { Screen } from '../shell/Screen.tsx';

/** The picker's open pick lists, from the work cache (works offline). */
export function PickListsScreen() {
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const lists = useLiveQuery(() => db.pickLists.where('status').equals('open').sortBy('id'), [db]);
  return (
    <Screen title={t('ui.pickLists')} back={() => go(paths.home)}>
      {lists === undefined ? <p>{t('ui.loading')}</p> : lists.length === 0 ? <p>{t('ui.noPickLists')}</p> : null}
      <ul className="list" aria-label={t('ui.openPickLists')}>
        {lists?.map((l) => (
          <li key={l.id}>
            <button type="button" onClick={() => go(paths.pick(l.id))}>
              {t('ui.pickListButton', { order: l.orderRef, count: l.lines.length, id: l.id })}
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
