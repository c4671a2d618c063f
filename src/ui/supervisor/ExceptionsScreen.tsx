import { STALE_DEVICE_MS, ageLabel, staleDevices } from '../../domain/workflows/supervisor.ts';
import { Screen } from '../shell/Screen.tsx';
import { useApiRead } from './use-api-read.ts';
import { OfflineSignInSettings } from './OfflineSignInSettings.tsx';
import { paths, useGo } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';
import type { ApiRead } from '../app/api.ts';
import type { CountTasksAnswer, DevicesAnswer, DiscrepanciesAnswer, LedgerAnswer } from '../../domain/protocol.ts';

const readDiscrepancies: ApiRead<DiscrepanciesAnswer> = (api, token) => api.discrepancies(token);
const readCountTasks: ApiRead<CountTasksAnswer> = (api, token) => api.countTasks(token);
const readLedger: ApiRead<LedgerAnswer> = (api, token) => api.ledger(token, {});
const readDevices: ApiRead<DevicesAnswer> = (api, token) => api.devices(token);

/** Supervisor exceptions: discrepancies, counts awaiting approval, rejected events, silent devices. */
export function ExceptionsScreen() {
  const discrepancies = useApiRead('/discrepancies', readDiscrepancies);
  const counts = useApiRead('/count-tasks', readCountTasks);
  const ledger = useApiRead('/ledger', readLedger);
  const devices = useApiRead('/devices', readDevices);
  const now = new Date();
  const go = useGo();
  const { t } = useT();
  const reload = () => [discrepancies, counts, ledger, devices].forEach((r) => r.reload());
  const errors = [discrepancies, counts, ledger, devices].map((r) => r.error).filter(Boolean);
  const rejected = (ledger.data?.events ?? []).filter((e) => e.status === 'rejected');
  const awaiting = (counts.data?.countTasks ?? []).filter((t) => t.status === 'awaiting_approval');
  const stale = staleDevices(devices.data?.devices ?? [], now);

  return (
    <Screen title={t('ui.tile.exceptions')} back={() => go(paths.home)}>
      {errors.map((e) => (
        <p role="alert" key={e}>
          {e}
        </p>
      ))}
      <button type="button" className="secondary" onClick={reload}>
        {t('ui.refresh')}
      </button>
      <section aria-label={t('ex.discrepancies')}>
        <h2>{t('ex.discrepancies')}</h2>
        <ul className="list">
          {(discrepancies.data?.discrepancies ?? []).map((d) => (
            <li key={d.id} className="card">
              {d.message} <span className="muted">({t('ui.ago', { age: ageLabel(d.createdAt, now) })})</span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-label={t('ex.awaiting')}>
        <h2>{t('ex.awaiting')}</h2>
        <ul className="list">
          {awaiting.map((task) => (
            <li key={task.id} className="card">
              {task.location} · {task.reason}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label={t('ex.rejected')}>
        <h2>{t('ex.rejected')}</h2>
        <ul className="list">
          {rejected.map((e) => (
            <li key={e.position} className="card">
              {t('ex.rejectedLine', { type: e.type, seq: e.seq, actor: e.actor, device: e.deviceId.slice(0, 8), code: e.code ?? '', message: e.message ?? '' })}
            </li>
          ))}
        </ul>
      </section>
      <OfflineSignInSettings />
      <section aria-label={t('ex.silentRegion')}>
        <h2>{t('ex.silent', { minutes: STALE_DEVICE_MS / 60_000 })}</h2>
        <ul className="list">
          {stale.map((d) => (
            <li key={d.deviceId} className="card">
              {t('ex.deviceLine', {
                device: d.deviceId.slice(0, 8),
                seq: d.lastSeq,
                contact: d.lastContactAt ? t('ui.ago', { age: ageLabel(d.lastContactAt, now) }) : t('ui.never'),
              })}
              {d.rejectedCount ? t('ex.deviceRejected', { count: d.rejectedCount }) : ''}
            </li>
          ))}
        </ul>
      </section>
    </Screen>
  );
}
