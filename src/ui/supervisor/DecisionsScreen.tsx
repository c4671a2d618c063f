import { useLiveQuery } from 'dexie-react-hooks';
import type { QuarantinedReturn } from '../../domain/protocol.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { ageLabel, decisionStep, startDecisions, type DecisionInput, type DecisionState } from '../../domain/workflows/supervisor.ts';
import type { LocationRow } from '../../device/db.ts';
import { useDevice } from '../app/device.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSignedIn } from '../session/store.ts';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { useCatalog, useLocations } from '../workflow/use-work.ts';
import { useApiRead } from './use-api-read.ts';

type HeldCount = {
  id: string;
  location: string;
  reason: string;
  status: string;
  held?: {
    actor: string;
    lines: { sku: string; expected: number; counted: number; variance: number }[];
    /** What moved at the bin while it was counted: why the count could not post by itself. */
    movements?: { eventId: string; type: string; actor: string; sku: string; qty: number }[];
    previous?: { actor: string; lines: { sku: string; counted: number }[] };
  };
};

const NO_RETURNS: QuarantinedReturn[] = [];

/** The quarantine list (resale or write-off) and count variances awaiting approval. */
export function DecisionsScreen() {
  const { db } = useDevice();
  const returns = useLiveQuery(() => db.returns.filter((r) => !r.resolved).sortBy('receivedAt'), [db]) ?? NO_RETURNS;
  const locations = useLocations();
  return <DecisionsRun returns={returns} locations={locations} />;
}

function DecisionsRun({ returns, locations }: { returns: QuarantinedReturn[]; locations: LocationRow[] }) {
  const { user } = useSignedIn();
  const catalog = useCatalog();
  const counts = useApiRead<{ countTasks: HeldCount[] }>('/count-tasks');
  const { state, dispatch } = useWorkflow<DecisionState, DecisionInput>(
    () => startDecisions(),
    (s, i) => decisionStep(s, i, { roles: user.roles, returns, locations }),
  );
  const now = new Date();
  const open = returns.filter((r) => !state.decided.includes(r.returnId));
  const selected = open.find((r) => r.returnId === state.selected);
  const tasks = counts.data?.countTasks ?? [];
  const awaiting = tasks.filter((t) => t.status === 'awaiting_approval' && !state.decided.includes(`count:${t.id}`));

  return (
    <Screen title="Decisions" onScan={(scan) => void dispatch({ type: 'scan', scan })} showRecent={false}>
      <section aria-label="Quarantine">
        <h2>Quarantine</h2>
        {open.length === 0 ? <p>Nothing in quarantine.</p> : null}
        <ul className="list">
          {open.map((r) => (
            <li key={r.returnId}>
              <button type="button" aria-pressed={r.returnId === state.selected} className={r.returnId === state.selected ? '' : 'secondary'} onClick={() => void dispatch({ type: 'select', returnId: r.returnId })}>
                {r.qty} × {nameOf(catalog, r.sku)} · {r.condition} · {ageLabel(r.receivedAt, now)} · {r.location}
                {r.note ? ` · “${r.note}”` : ''}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {selected ? (
        <section className="card" aria-label="Decision">
          <h2>
            {selected.qty} × {nameOf(catalog, selected.sku)} ({selected.condition})
          </h2>
          <p>{state.to ? `Resale into ${state.to}` : 'For resale, scan the bin it goes back into.'}</p>
          <button type="button" onClick={() => void dispatch({ type: 'resale' })}>
            Ready for resale
          </button>
          <label>
            Write-off reason
            <input key={selected.returnId} defaultValue={state.reason} maxLength={500} onChange={(e) => void dispatch({ type: 'reason', text: e.target.value })} />
          </label>
          <button type="button" className="danger" onClick={() => void dispatch({ type: 'writeOff' })}>
            Write off
          </button>
        </section>
      ) : null}
      <section aria-label="Count variances">
        <h2>Count variances awaiting approval</h2>
        {counts.error ? <p role="alert">{counts.error}</p> : null}
        {!counts.loading && awaiting.length === 0 && !counts.error ? <p>None.</p> : null}
        <ul className="list">
          {awaiting.map((t) => (
            <li key={t.id} className="card">
              <p>
                <strong>{t.location}</strong> · {t.reason}
                {t.held ? ` · counted by ${t.held.actor}` : ''}
              </p>
              {t.held ? (
                <ul>
                  {t.held.lines.map((l) => (
                    <li key={l.sku}>
                      {l.sku}: expected {l.expected}, counted {l.counted} ({l.variance > 0 ? '+' : ''}
                      {l.variance})
                    </li>
                  ))}
                </ul>
              ) : null}
              {t.held?.previous ? (
                <p>
                  Earlier count by {t.held.previous.actor}: {t.held.previous.lines.map((l) => `${l.sku} ${l.counted}`).join(', ')}
                </p>
              ) : null}
              {t.held?.movements && t.held.movements.length > 0 ? (
                <>
                  <p>Moved at the bin while it was counted:</p>
                  <ul aria-label={`Movements during count ${t.location}`}>
                    {t.held.movements.map((m) => (
                      <li key={`${m.eventId}-${m.sku}`}>
                        {m.type} · {m.qty} × {m.sku} · by {m.actor}
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
              <div className="row">
                <button type="button" onClick={() => void dispatch({ type: 'approve', countTaskId: t.id, approve: true })} aria-label={`Approve count ${t.location}`}>
                  Approve
                </button>
                <button type="button" className="secondary" onClick={() => void dispatch({ type: 'approve', countTaskId: t.id, approve: false })} aria-label={`Recount ${t.location}`}>
                  Recount
                </button>
              </div>
            </li>
          ))}
        </ul>
        <button type="button" className="secondary" onClick={counts.reload}>
          Refresh
        </button>
      </section>
    </Screen>
  );
}
