/**
 * Reconciliation (control room page): the drift report per SKU, channel and site with its likely
 * cause, kept live; a one-click re-push per channel drift; a check of every SKU on demand; the
 * last runs and any channel whose read-back failed.
 */
import { useState } from 'react';
import type { DriftCause } from '../../../domain/reconcile/drift.ts';
import type { DriftRow, ReportAnswer } from '../../../domain/reconcile/protocol.ts';
import { ago, useApi, useLive } from './api.ts';
import './reconcile.css';
import { LiveStatus, type Said } from './LiveStatus.tsx';

const CAUSES: Record<DriftCause, { label: string; hint: string }> = {
  not_delivered: { label: 'Not delivered', hint: 'the channel was never told the current figure (delivery failing, waiting or never published)' },
  channel_edited: { label: 'Channel edited', hint: 'the channel took the right figure, then shows another (changed on its side)' },
  ledger_mismatch: { label: 'Ledger mismatch', hint: 'the stock table is not what the ledger makes it' },
};

export function ReconcilePage() {
  const { data, error, refresh } = useLive<ReportAnswer>('/reconcile/report');
  const api = useApi();
  const [busy, setBusy] = useState<string | null>(null);
  const [said, setSaid] = useState<Said>(null);

  const act = async (id: string, method: 'POST', path: string, body: unknown, done: (b: Record<string, unknown>) => string) => {
    setBusy(id);
    const a = await api<Record<string, unknown>>(method, path, body);
    setBusy(null);
    setSaid(a.ok ? { text: done(a.body), bad: false } : { text: a.message, bad: true });
    refresh();
  };
  const repush = (d: DriftRow) =>
    act(
      `repush-${d.id}`,
      'POST',
      '/reconcile/repush',
      { channelId: d.channelId, skus: [d.sku] },
      () => `${d.sku} re-pushed to ${d.channelId}: waiting for its acknowledgement`,
    );
  const checkAll = () =>
    act('run', 'POST', '/reconcile/runs', {}, (b) => {
      const run = b.run as { skus: number; drifts: number } | null;
      return run ? `Checked ${run.skus} SKUs: ${run.drifts} drift${run.drifts === 1 ? '' : 's'}` : 'Checked';
    });

  const failures = data?.runs[0] ? Object.entries(data.runs[0].readBackErrors) : [];
  return (
    <section className="reconcile" aria-labelledby="reconcile-title">
      <header className="reconcile-head">
        <h2 id="reconcile-title">Reconciliation</h2>
        <button type="button" className="big" onClick={checkAll} disabled={busy !== null} aria-busy={busy === 'run'}>
          {busy === 'run' ? 'Checking every SKU…' : 'Check every SKU now'}
        </button>
      </header>
      <LiveStatus said={said} error={error} loading={data ? null : 'Loading the drift report…'} />
      {data && (
        <>
          <ul className="reconcile-causes" aria-label="Drifts by cause">
            {(Object.keys(CAUSES) as DriftCause[]).map((c) => (
              <li key={c} data-cause={c} title={CAUSES[c].hint}>
                <strong>{data.byCause[c]}</strong> {CAUSES[c].label}
              </li>
            ))}
          </ul>
          {failures.length > 0 && (
            <ul className="reconcile-bad" aria-label="Read-back failures">
              {failures.map(([channel, why]) => (
                <li key={channel}>
                  Read-back of {channel} failed: {why}
                </li>
              ))}
            </ul>
          )}
          {data.drifts.length === 0 ? (
            <p className="reconcile-ok" role="status">
              No drift: every channel shows what it should, and the stock table is the ledger.
            </p>
          ) : (
            <DriftTable drifts={data.drifts} busy={busy} onRepush={repush} />
          )}
          <h3>Recent runs</h3>
          <table aria-label="Recent runs">
            <thead>
              <tr>
                <th>When</th>
                <th>Scope</th>
                <th>Why</th>
                <th>SKUs</th>
                <th>Drifts</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.map((r) => (
                <tr key={r.id}>
                  <td title={r.startedAt}>{ago(r.startedAt)}</td>
                  <td>{r.scope === 'all' ? 'every SKU' : r.scope === 'fast' ? 'fast movers' : 'named SKUs'}</td>
                  <td>{r.trigger === 'schedule' ? 'schedule' : r.trigger === 'repush' ? 'after a re-push' : 'on demand'}</td>
                  <td>{r.skus}</td>
                  <td>{r.error ? `failed: ${r.error}` : r.finishedAt ? r.drifts : 'running'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function DriftTable({ drifts, busy, onRepush }: { drifts: DriftRow[]; busy: string | null; onRepush: (d: DriftRow) => void }) {
  return (
    <table aria-label="Drift report">
      <thead>
        <tr>
          <th>SKU</th>
          <th>Channel</th>
          <th>Site</th>
          <th>Cause</th>
          <th>Should show</th>
          <th>Shows</th>
          <th>Why</th>
          <th>Since</th>
          <th>
            <span className="sr-only">Action</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {drifts.map((d) => (
          <tr key={d.id} data-cause={d.cause}>
            <td>{d.sku}</td>
            <td>{d.channelId ?? '—'}</td>
            <td>{d.kind === 'stock' ? `${d.site} · ${d.location}` : d.sites.join(', ')}</td>
            <td>
              <span className="cause" data-cause={d.cause}>
                {CAUSES[d.cause].label}
              </span>
            </td>
            <td className="n">{d.expected}</td>
            <td className="n">{d.shown ?? '—'}</td>
            <td>{d.detail}</td>
            <td title={d.detectedAt}>{ago(d.detectedAt)}</td>
            <td>
              {d.kind === 'channel' &&
                (d.repushedAt ? (
                  <span>Re-pushed {ago(d.repushedAt)}, waiting for the channel</span>
                ) : (
                  <button type="button" className="big" onClick={() => onRepush(d)} disabled={busy !== null} aria-label={`Re-push ${d.sku} to ${d.channelId}`}>
                    Re-push
                  </button>
                ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
