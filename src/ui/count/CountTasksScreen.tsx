import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { useDevice } from '../app/device.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';
import { Screen } from '../shell/Screen.tsx';

const OPEN = ['open', 'started'];

/** Count tasks for this user, from the work cache: the bin and why, never a quantity. */
export function CountTasksScreen() {
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const tasks = useLiveQuery(() => db.countTasks.filter((task) => OPEN.includes(task.status)).sortBy('location'), [db]);
  const [bin, setBin] = useState('');
  return (
    <Screen title={t('ui.tile.count')} back={() => go(paths.home)}>
      {tasks === undefined ? <p>{t('ui.loading')}</p> : tasks.length === 0 ? <p>{t('ui.noCountTasks')}</p> : null}
      <ul className="list" aria-label={t('ui.countTasks')}>
        {tasks?.map((task) => (
          <li key={task.id}>
            <button type="button" onClick={() => go(paths.count(task.id))}>
              {t('ui.countButton', { bin: task.location, reason: task.reason })}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="card stack"
        aria-label={t('ui.countBinButton')}
        onSubmit={(e) => {
          e.preventDefault();
          if (bin.trim()) go(paths.countBin(bin.trim()));
        }}
      >
        <label>
          {t('ui.countBinLabel')}
          <input value={bin} onChange={(e) => setBin(e.target.value)} autoCapitalize="characters" required />
        </label>
        <button type="submit" className="secondary">
          {t('ui.countBinButton')}
        </button>
      </form>
    </Screen>
  );
}
