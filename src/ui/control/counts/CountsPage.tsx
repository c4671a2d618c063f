/**
 * Cycle counts (control room page): this morning's blind count tasks and how far each has got,
 * count accuracy per day over the last month, and the schedule's settings. Kept live.
 */
import { useMemo, useState, type FormEvent } from 'react';
import type { AccuracyDay } from '../../../domain/reconcile/cycle-counts.ts';
import type { CycleAnswer, ReconcileSettings } from '../../../domain/reconcile/protocol.ts';
import { Chart } from '../Chart.tsx';
import { useApi, useLive } from '../reconcile/api.ts';
import '../reconcile/reconcile.css';
import { LiveStatus, type Said } from '../reconcile/LiveStatus.tsx';

const STATUS: Record<string, string> = {
  open: 'waiting for a counter',
  started: 'being counted',
  awaiting_approval: 'waiting for a supervisor',
  posted: 'counted',
  cancelled: 'cancelled',
};
const pct = (a: number | null) => (a === null ? '—' : `${Math.round(a * 100)} %`);

export function CountsPage() {
  const { data, error, refresh } = useLive<CycleAnswer>('/counts/cycle?days=30');
  const api = useApi();
  const [said, setSaid] = useState<Said>(null);
  const raise = async () => {
    const a = await api<{ raised: number; tasks: unknown[] }>('POST', '/counts/cycle', {});
    const text = !a.ok
      ? a.message
      : a.body.raised > 0
        ? `${a.body.raised} count tasks raised`
        : a.body.tasks.length > 0
          ? "Today's counts were raised already"
          : 'Nothing to count today: no bin was picked recently and none has an open discrepancy without a count task';
    setSaid({ text, bad: !a.ok });
    refresh();
  };
  return (
    <section className="reconcile" aria-labelledby="counts-title">
      <header className="reconcile-head">
        <h2 id="counts-title">Cycle counts</h2>
        {data && data.tasks.length === 0 && (
          <button type="button" className="big" onClick={raise}>
            Raise today&apos;s counts now
          </button>
        )}
      </header>
      <LiveStatus said={said} error={error} loading={data ? null : 'Loading cycle counts…'} />
      {data && (
        <div className="counts-grid">
          <div>
            <h3>Today ({data.day})</h3>
            {data.tasks.length === 0 ? (
              <p>
                No cycle count today yet. The schedule raises them from {String(data.settings.countHour).padStart(2, '0')}:00 UTC for the bins picked most in
                the last {data.settings.velocityDays} days and every bin with an open discrepancy.
              </p>
            ) : (
              <table aria-label="Today's cycle counts">
                <thead>
                  <tr>
                    <th>Bin</th>
                    <th>Why</th>
                    <th>Task</th>
                    <th>Status</th>
                    <th>Lines off</th>
                  </tr>
                </thead>
                <tbody>
                  {data.tasks.map((t) => (
                    <tr key={t.taskId}>
                      <td>{t.location}</td>
                      <td>{t.reason === 'open_discrepancy' ? `open discrepancy (${t.detail})` : `fast mover (${t.detail})`}</td>
                      <td>{t.taskId}</td>
                      <td>{STATUS[t.status] ?? t.status}</td>
                      <td className="n">{t.variances ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>Settings</h3>
            <SettingsForm settings={data.settings} onSaved={refresh} />
          </div>
          <div>
            <h3>Count accuracy</h3>
            <Accuracy days={data.accuracy} />
          </div>
        </div>
      )}
    </section>
  );
}

/** Accuracy per day as a chart (the control room's uPlot chart, a glance) over the same figures as a table (to read). */
function Accuracy({ days }: { days: AccuracyDay[] }) {
  const counted = days.filter((d) => d.bins > 0);
  const total = counted.reduce((s, d) => s + d.bins, 0);
  const exact = counted.reduce((s, d) => s + d.exactBins, 0);
  // Kept while the figures are (the live read keeps unchanged answers): the chart is built again only when they change.
  const series = useMemo(
    () => [
      {
        label: 'bins counted exactly (%)',
        points: days.filter((d) => d.bins > 0).map((d): [number, number] => [Date.parse(`${d.day}T12:00:00Z`) / 1000, Math.round((d.accuracy ?? 0) * 100)]),
      },
    ],
    [days],
  );
  return (
    <>
      <p>
        Over {days.length} days: <strong>{total === 0 ? 'no counts yet' : `${pct(exact / total)} of ${total} bins counted exactly`}</strong>
      </p>
      {counted.length > 0 && <Chart title={`Count accuracy per day, last ${days.length} days`} unit="% of bins exact" series={series} />}
      {counted.length > 0 && (
        <table aria-label="Count accuracy per day">
          <thead>
            <tr>
              <th>Day</th>
              <th>Bins</th>
              <th>Exact</th>
              <th>Accuracy</th>
              <th>Units off</th>
            </tr>
          </thead>
          <tbody>
            {[...counted].reverse().map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td className="n">{d.bins}</td>
                <td className="n">{d.exactBins}</td>
                <td className="n">{pct(d.accuracy)}</td>
                <td className="n">{d.unitsOff}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const FIELDS: { key: keyof ReconcileSettings; label: string; min: number; max: number }[] = [
  { key: 'cycleCountsPerDay', label: 'Fast-mover bins counted per day', min: 0, max: 500 },
  { key: 'velocityDays', label: 'Days of picks that make a fast mover', min: 1, max: 90 },
  { key: 'fastMovers', label: 'SKUs reconciled every hour', min: 0, max: 10000 },
  { key: 'dailyHour', label: 'Hour (UTC) of the daily reconciliation', min: 0, max: 23 },
  { key: 'countHour', label: 'Hour (UTC) the morning counts are raised', min: 0, max: 23 },
];

function SettingsForm({ settings, onSaved }: { settings: ReconcileSettings; onSaved: () => void }) {
  const api = useApi();
  const [said, setSaid] = useState<Said>(null);
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body = Object.fromEntries(FIELDS.map((f) => [f.key, Number(form.get(f.key))]));
    const a = await api('PUT', '/reconcile/settings', body);
    setSaid(a.ok ? { text: 'Saved', bad: false } : { text: a.message, bad: true });
    if (a.ok) onSaved();
  };
  return (
    <form onSubmit={save} className="reconcile-settings">
      {FIELDS.map((f) => (
        <label key={f.key}>
          {f.label}
          <input name={f.key} type="number" inputMode="numeric" min={f.min} max={f.max} step={1} defaultValue={settings[f.key]} required />
        </label>
      ))}
      <button type="submit" className="big">
        Save settings
      </button>
      {said && (
        <p role={said.bad ? 'alert' : 'status'} className={said.bad ? 'reconcile-bad' : 'reconcile-ok'}>
          {said.text}
        </p>
      )}
    </form>
  );
}
