import { STALE_DEVICE_MS, ageLabel, staleDevices } from '../../domain/workflows/supervisor.ts';
import { Screen } from '../shell/Screen.tsx';
import { useApiRead } from './use-api-read.ts';
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
        Refresh
      </button>
      <section aria-label="Discrepancies">
        <h2>Discrepancies</h2>
        <ul className="list">
          {(discrepancies.data?.discrepancies ?? []).map((d) => (
            <li key={d.id} className="card">
              {d.message} <span className="muted">({ageLabel(d.createdAt, now)} ago)</span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Counts awaiting approval">
        <h2>Counts awaiting approval</h2>
        <ul className="list">
          {awaiting.map((t) => (
            <li key={t.id} className="card">
              {t.location} · {t.reason}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Rejected events">
        <h2>Rejected events</h2>
        <ul className="list">
          {rejected.map((e) => (
            <li key={e.position} className="card">
              {e.type} #{e.seq} by {e.actor} on {e.deviceId.slice(0, 8)}: {e.code} {e.message}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Devices not synced">
        <h2>Devices silent for {STALE_DEVICE_MS / 60_000} min or more</h2>
        <ul className="list">
          {stale.map((d) => (
            <li key={d.deviceId} className="card">
              {d.deviceId.slice(0, 8)} · last seq {d.lastSeq} · {d.lastContactAt ? `${ageLabel(d.lastContactAt, now)} ago` : 'never'}
              {d.rejectedCount ? ` · ${d.rejectedCount} rejected` : ''}
            </li>
          ))}
        </ul>
      </section>
    </Screen>
  );
}
