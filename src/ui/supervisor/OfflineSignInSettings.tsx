import { useState, type FormEvent } from 'react';
import { MAX_OFFLINE_HOURS, type OfflineSetting } from '../../domain/shift/protocol.ts';
import type { ApiRead } from '../app/api.ts';
import { useDevice } from '../app/device.ts';
import { useT } from '../i18n/i18n.ts';
import { useSignedIn } from '../session/store.ts';
import { useApiRead } from './use-api-read.ts';

const readSetting: ApiRead<OfflineSetting> = (api, token) => api.offlineSetting(token);

/** A supervisor's offline sign-in controls: how long a grant lasts (0 = off), and revoking a user's grants. */
export function OfflineSignInSettings() {
  const { api } = useDevice();
  const { token } = useSignedIn();
  const { t } = useT();
  const setting = useApiRead('the offline sign-in setting', readSetting);
  const [hours, setHours] = useState<string | null>(null);
  const [user, setUser] = useState('');
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const out = await api.setOfflineSetting(token, { hours: Number(hours ?? setting.data?.hours ?? 0) });
    setSaid(out.ok ? { ok: true, text: t('off.saved', { hours: out.value.hours }) } : { ok: false, text: out.failure.message });
    if (out.ok) setting.reload();
  };
  const revoke = async (e: FormEvent) => {
    e.preventDefault();
    const out = await api.revokeOfflineGrants(token, user.trim());
    setSaid(out.ok ? { ok: true, text: t('off.revoked', { user: out.value.userId, count: out.value.revoked }) } : { ok: false, text: out.failure.message });
  };

  return (
    <section aria-label={t('off.title')} className="stack">
      <h2>{t('off.title')}</h2>
      <form className="row" onSubmit={(e) => void save(e)}>
        <label>
          {t('off.hours', { max: MAX_OFFLINE_HOURS })}
          <input inputMode="numeric" value={hours ?? String(setting.data?.hours ?? '')} onChange={(e) => setHours(e.target.value)} />
        </label>
        <button type="submit">{t('off.save')}</button>
      </form>
      <form className="row" onSubmit={(e) => void revoke(e)}>
        <label>
          {t('off.user')}
          <input value={user} onChange={(e) => setUser(e.target.value)} autoCapitalize="none" spellCheck={false} />
        </label>
        <button type="submit" className="secondary" disabled={!user.trim()}>
          {t('off.revoke')}
        </button>
      </form>
      {said ? <p role={said.ok ? undefined : 'alert'}>{said.text}</p> : null}
    </section>
  );
}
