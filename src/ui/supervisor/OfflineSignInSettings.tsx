import { useState, type FormEvent } from 'react';
import { API_PREFIX } from '../../domain/protocol.ts';
import { MAX_OFFLINE_HOURS, type OfflineSetting, type RevokeGrantsResponse } from '../../domain/shift/protocol.ts';
import { useDevice } from '../app/device.ts';
import { useT } from '../i18n/i18n.ts';
import { useSignedIn } from '../session/store.ts';
import { useApiRead } from './use-api-read.ts';

/** A supervisor's offline sign-in controls: how long a grant lasts (0 = off), and revoking a user's grants. */
export function OfflineSignInSettings() {
  const { http } = useDevice();
  const { token } = useSignedIn();
  const { t } = useT();
  const setting = useApiRead<OfflineSetting>('/settings/offline-sign-in');
  const [hours, setHours] = useState<string | null>(null);
  const [user, setUser] = useState('');
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);

  const call = async (method: 'PUT' | 'POST', path: string, body?: unknown): Promise<{ ok: boolean; body: Record<string, unknown> }> => {
    try {
      const res = await http.send({
        method,
        path: `${API_PREFIX}${path}`,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { ok: res.status === 200, body: JSON.parse(res.text) as Record<string, unknown> };
    } catch (err) {
      return { ok: false, body: { message: err instanceof Error ? err.message : String(err) } };
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const out = await call('PUT', '/settings/offline-sign-in', { hours: Number(hours ?? setting.data?.hours ?? 0) });
    setSaid(out.ok ? { ok: true, text: t('off.saved', { hours: Number(out.body.hours) }) } : { ok: false, text: String(out.body.message ?? '') });
    if (out.ok) setting.reload();
  };
  const revoke = async (e: FormEvent) => {
    e.preventDefault();
    const out = await call('POST', `/users/${encodeURIComponent(user.trim())}/offline-grants/revoke`);
    const body = out.body as Partial<RevokeGrantsResponse> & { message?: string };
    setSaid(out.ok ? { ok: true, text: t('off.revoked', { user: body.userId ?? '', count: body.revoked ?? 0 }) } : { ok: false, text: String(body.message ?? '') });
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
