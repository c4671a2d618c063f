import { useLiveQuery } from 'dexie-react-hooks';
import { MAX_OFFLINE_ATTEMPTS, offlineLoginOf } from '../../device/offline-signin.ts';
import { useDevice } from '../app/device.ts';
import { useT } from '../i18n/i18n.ts';
import { useSession } from '../session/store.ts';

/** When someone may be signed in here without the network: "ready until", "locked", or "signed in offline now". */
export function OfflineReady({ userId }: { userId: string }) {
  const { db } = useDevice();
  const { t } = useT();
  const offlineNow = useSession((s) => s.session?.token === '');
  const login = useLiveQuery(() => offlineLoginOf(db, userId), [db, userId]);
  if (offlineNow) return <p>{t('ui.offlineSession')}</p>;
  if (!login) return null;
  if (login.failures >= MAX_OFFLINE_ATTEMPTS) return <p className="muted">{t('ui.offlineLocked')}</p>;
  return <p className="muted">{t('ui.offlineReady', { until: new Date(login.expiresAt).toLocaleString() })}</p>;
}
