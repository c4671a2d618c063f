/**
 * The board: red, amber or green at a glance for each site, handheld and channel endpoint, with
 * the figures that made the colour. Live from the board stream; the sync-lag chart below; the
 * thresholds (an admin edits them) at the end.
 */
import type { Rag, Reason } from '../../domain/control/board.ts';
import type { ChartsAnswer } from '../../domain/control/protocol.ts';
import { Chart } from './Chart.tsx';
import { useLiveBoard } from './live.tsx';
import { ThresholdsForm } from './ThresholdsForm.tsx';
import { useLiveRead } from './use-control.ts';

const WORD: Record<Rag, string> = { green: 'OK', amber: 'Watch', red: 'Act now' };
const FIGURE: Record<string, string> = {
  contactMinutes: 'min since last contact',
  backlog: 'events undelivered',
  oldestMinutes: 'min oldest undelivered waited',
  refusals: 'refused events',
  storagePct: '% storage used',
  lagSeconds: 's a change has waited',
  failures: 'failed deliveries in a row',
  disabled: 'disabled',
  redTiles: 'red tiles',
  amberTiles: 'amber tiles',
  openAlerts: 'open alerts',
};

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

function Tile({ label, rag, reasons, children }: { label: string; rag: Rag; reasons: Reason[]; children?: React.ReactNode }) {
  return (
    <article className="tile" data-rag={rag} aria-label={label} data-testid="tile">
      <h3>
        {label}: <strong data-testid="rag">{WORD[rag]}</strong>
      </h3>
      {reasons.length > 0 ? (
        <ul>
          {reasons.map((r) => (
            <li key={r.figure}>{r.figure === 'disabled' ? 'disabled' : `${r.value} ${FIGURE[r.figure] ?? r.figure}`}</li>
          ))}
        </ul>
      ) : null}
      {children}
    </article>
  );
}

export function BoardPage() {
  const { board, live, error } = useLiveBoard();
  const charts = useLiveRead<ChartsAnswer>('/charts?days=7', 30_000);
  if (!board) return <p aria-busy="true">{error ? `Connecting to the live board… (${error})` : 'Connecting to the live board…'}</p>;
  return (
    <section aria-label="Board">
      <p role="status">
        {live ? 'Live' : `Reconnecting${error ? `: ${error}` : '…'}`} · as of {new Date(board.at).toLocaleTimeString()} · {board.openAlerts} open alerts
      </p>
      <h2>Sites</h2>
      <div className="tiles">
        {board.sites.map((s) => (
          <Tile key={s.siteId} label={`Site ${s.name}`} rag={s.rag} reasons={s.reasons} />
        ))}
      </div>
      <h2>Handhelds</h2>
      <div className="tiles">
        {board.devices.length === 0 ? <p>No handheld has called in yet.</p> : null}
        {board.devices.map((d) => (
          <Tile key={d.deviceId} label={`Handheld ${d.deviceId.slice(-12)}`} rag={d.rag} reasons={d.reasons}>
            <p>
              Last contact {when(d.lastContactAt)} · {d.backlog} undelivered
              {d.oldestPendingAt ? ` since ${when(d.oldestPendingAt)}` : ''} · {d.refusals} refused
              {d.storageQuota ? ` · storage ${Math.round(((d.storageUsage ?? 0) / d.storageQuota) * 100)}%` : ''}
            </p>
          </Tile>
        ))}
      </div>
      <h2>Channel endpoints</h2>
      <div className="tiles">
        {board.endpoints.length === 0 ? <p>No channel has a webhook endpoint.</p> : null}
        {board.endpoints.map((e) => (
          <Tile key={e.endpointId} label={`Endpoint ${e.channelId} ${e.endpointId}`} rag={e.rag} reasons={e.reasons}>
            <p>
              {e.disabled ? `Disabled: ${e.disabledReason ?? ''} · ` : ''}Last acknowledged {when(e.lastAckAt)} · {e.waiting} waiting · {e.failuresInARow}{' '}
              failures in a row
              {e.recentLagSeconds.length > 0 ? ` · last lag ${e.recentLagSeconds[e.recentLagSeconds.length - 1]} s` : ''}
            </p>
          </Tile>
        ))}
      </div>
      {charts.data ? <Chart title="Sync lag per handheld (longest wait per hour)" series={charts.data.syncLag} unit="seconds" days={7} /> : null}
      <ThresholdsForm />
    </section>
  );
}
