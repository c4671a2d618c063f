/** Alerts: the open ones first, each acknowledged with one button, then the cleared ones; alerts per day as a chart. Follows the live board. */
import { useState } from 'react';
import type { AlertsAnswer, AlertView } from '../../domain/control/protocol.ts';
import { Chart } from './Chart.tsx';
import { useControlCall, useLiveRead } from './use-control.ts';

const KIND: Record<AlertView['kind'], string> = {
  below_reorder: 'Below reorder point',
  dead_stock: 'Dead stock',
  held_too_long: 'Held too long',
  channel_overshown: 'Channel shown too much',
  device_silent: 'Handheld not delivering',
};

export function AlertsPage() {
  const alerts = useLiveRead<AlertsAnswer>('/alerts');
  const call = useControlCall();
  const [message, setMessage] = useState<string | null>(null);
  const ack = async (a: AlertView) => {
    try {
      await call('POST', `/alerts/${a.id}/ack`, {});
      setMessage(`Acknowledged: ${a.message}`);
      alerts.reload();
    } catch (err) {
      setMessage(`Not acknowledged: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const list = alerts.data?.alerts ?? [];
  const open = list.filter((a) => a.clearedAt === null);
  const cleared = list.filter((a) => a.clearedAt !== null);
  const perDay = alerts.data
    ? [{ label: 'alerts raised', points: alerts.data.perDay.map((d) => [Date.parse(`${d.day}T00:00:00Z`) / 1000, d.raised] as [number, number]) }]
    : [];
  return (
    <section aria-label="Alerts">
      {alerts.error ? <p role="alert">{alerts.error}</p> : null}
      {message ? <p role="status">{message}</p> : null}
      <h2>Open ({open.length})</h2>
      {open.length === 0 ? <p>No open alerts.</p> : null}
      <ul className="alerts">
        {open.map((a) => (
          <li key={a.id} data-severity={a.severity} aria-label={`${KIND[a.kind]}: ${a.subject}`}>
            <strong>{a.severity === 'critical' ? 'Critical' : 'Warning'}</strong> · {KIND[a.kind]} · {a.message}{' '}
            <small>raised {new Date(a.raisedAt).toLocaleString()}</small>{' '}
            {a.ackedAt ? (
              <em>
                acknowledged by {a.ackedBy} at {new Date(a.ackedAt).toLocaleString()}
              </em>
            ) : (
              <button type="button" onClick={() => void ack(a)}>
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
      {perDay.length > 0 ? <Chart title="Alerts per day" series={perDay} unit="alerts" days={30} /> : null}
      <h2>Cleared</h2>
      <ul>
        {cleared.slice(0, 100).map((a) => (
          <li key={a.id}>
            {KIND[a.kind]} · {a.message} · cleared {new Date(a.clearedAt ?? '').toLocaleString()}
            {a.ackedBy ? ` · acknowledged by ${a.ackedBy}` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
