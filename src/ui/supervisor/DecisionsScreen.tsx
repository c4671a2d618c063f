import { useLiveQuery } from 'dexie-react-hooks';
import type { CountTasksAnswer, QuarantinedReturn } from '../../domain/protocol.ts';
import type { ApiRead } from '../app/api.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { ageLabel, decisionStep, startDecisions, type DecisionInput, type DecisionState } from '../../domain/workflows/supervisor.ts';
import type { LocationRow } from '../../device/db.ts';
import { useDevice } from '../app/device.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSignedIn } from '../session/store.ts';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { NO_CATALOG, useCatalog, useLocations } from '../workflow/use-work.ts';
import { useApiRead } from './use-api-read.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT, type Translate } from '../i18n/i18n.ts';
import { isFeedbackCode } from '../../domain/workflows/messages.ts';

/** A return's condition in the reader's language (a condition this build does not know, as sent). */
function conditionWord(t: Translate, c: string): string {
  const key = `condition.${c}`;
  return isFeedbackCode(key) ? t(key) : c;
}

const readCountTasks: ApiRead<CountTasksAnswer> = (api, token) => api.countTasks(token);

const NO_RETURNS: QuarantinedReturn[] = [];
const NO_LOCATIONS: LocationRow[] = [];

/** The quarantine list (resale or write-off) and count variances awaiting approval. */
export function DecisionsScreen() {
  const { db } = useDevice();
  const returns = useLiveQuery(() => db.returns.filter((r) => !r.resolved).sortBy('receivedAt'), [db]);
  const locations = useLocations();
  return <DecisionsRun returns={returns ?? NO_RETURNS} locations={locations ?? NO_LOCATIONS} loaded={returns !== undefined && locations !== undefined} />;
}

function DecisionsRun({ returns, locations, loaded }: { returns: QuarantinedReturn[]; locations: LocationRow[]; loaded: boolean }) {
  const { user } = useSignedIn();
  const loadedCatalog = useCatalog();
  const catalog = loadedCatalog ?? NO_CATALOG;
  const go = useGo();
  const { t } = useT();
  const counts = useApiRead('/count-tasks', readCountTasks);
  const { state, dispatch } = useWorkflow<DecisionState, DecisionInput>(
    () => startDecisions(),
    (s, i) => decisionStep(s, i, { roles: user.roles, returns, locations, catalog }),
    { ready: loaded && loadedCatalog !== undefined },
  );
  const now = new Date();
  const open = returns.filter((r) => !state.decided.includes(r.returnId));
  const selected = open.find((r) => r.returnId === state.selected);
  const tasks = counts.data?.countTasks ?? [];
  const awaiting = tasks.filter((t) => t.status === 'awaiting_approval' && !state.decided.includes(`count:${t.id}`));

  return (
    <Screen title={t('ui.decisionsTitle')} back={() => go(paths.home)} onScan={(scan) => void dispatch({ type: 'scan', scan })} showRecent={false}>
      <section aria-label={t('ui.quarantineList')}>
        <h2>{t('ui.quarantineList')}</h2>
        {open.length === 0 ? <p>{t('ui.nothingQuarantined')}</p> : null}
        <ul className="list">
          {open.map((r) => (
            <li key={r.returnId}>
              <button
                type="button"
                aria-pressed={r.returnId === state.selected}
                className={r.returnId === state.selected ? '' : 'secondary'}
                onClick={() => void dispatch({ type: 'select', returnId: r.returnId })}
              >
                {r.qty} × {nameOf(catalog, r.sku)} · {conditionWord(t, r.condition)} · {ageLabel(r.receivedAt, now)} · {r.location}
                {r.note ? ` · “${r.note}”` : ''}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {selected ? (
        <section className="card stack" aria-label={t('ui.decision')}>
          <h2>
            {selected.qty} × {nameOf(catalog, selected.sku)} ({conditionWord(t, selected.condition)})
          </h2>
          <p>{state.to ? t('ui.resaleBin', { bin: state.to }) : t('ui.resaleSteps')}</p>
          <button type="button" onClick={() => void dispatch({ type: 'resale' })}>
            {t('ui.readyForResale')}
          </button>
          <label>
            {t('ui.writeOffReason')}
            <input
              key={selected.returnId}
              defaultValue={state.reason}
              maxLength={500}
              onChange={(e) => void dispatch({ type: 'reason', text: e.target.value })}
            />
          </label>
          <button type="button" className="danger" onClick={() => void dispatch({ type: 'writeOff' })}>
            {t('ui.writeOff')}
          </button>
        </section>
      ) : null}
      <section aria-label={t('ui.variances')}>
        <h2>{t('ui.variancesTitle')}</h2>
        {counts.error ? <p role="alert">{counts.error}</p> : null}
        {!counts.loading && awaiting.length === 0 && !counts.error ? <p>{t('ui.none')}</p> : null}
        <ul className="list">
          {awaiting.map((task) => (
            <li key={task.id} className="card">
              <p>
                <strong>{task.location}</strong> · {task.reason}
                {task.held ? t('ui.countedBy', { actor: task.held.actor }) : ''}
              </p>
              {task.held ? (
                <ul>
                  {task.held.lines.map((l) => (
                    <li key={l.sku}>
                      {t('ui.varianceLine', {
                        name: nameOf(catalog, l.sku),
                        sku: l.sku,
                        expected: l.expected,
                        counted: l.counted,
                        variance: `${l.variance > 0 ? '+' : ''}${l.variance}`,
                      })}
                    </li>
                  ))}
                </ul>
              ) : null}
              {task.held?.previous ? (
                <p>
                  Earlier count by {task.held.previous.actor}: {task.held.previous.lines.map((l) => `${nameOf(catalog, l.sku)} ${l.counted}`).join(', ')}
                </p>
              ) : null}
              {task.held?.movements && task.held.movements.length > 0 ? (
                <>
                  <p>Moved at the bin while it was counted:</p>
                  <ul aria-label={`Movements during count ${task.location}`}>
                    {task.held.movements.map((m) => (
                      <li key={`${m.eventId}-${m.sku}`}>
                        {movementWord(m.type)} · {m.qty} × {nameOf(catalog, m.sku)} · by {m.actor}
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
              <div className="row">
                <button
                  type="button"
                  onClick={() => void dispatch({ type: 'approve', countTaskId: task.id, approve: true, location: task.location })}
                  aria-label={t('ui.approveLabel', { bin: task.location })}
                >
                  {t('ui.approve')}
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void dispatch({ type: 'approve', countTaskId: task.id, approve: false, location: task.location })}
                  aria-label={t('ui.recountLabel', { bin: task.location })}
                >
                  {t('ui.recount')}
                </button>
              </div>
            </li>
          ))}
        </ul>
        <button type="button" className="secondary" onClick={counts.reload}>
          {t('ui.refresh')}
        </button>
      </section>
    </Screen>
  );
}

/** A movement during a count in a supervisor's words, not an event type. */
function movementWord(type: string): string {
  const words: Record<string, string> = {
    'pick.held': 'picked',
    'pick.undone': 'pick undone',
    'pick.short': 'short picked',
    'pick.short_undone': 'short taken back',
    'receipt.received': 'received',
    'qc.released': 'released from QC',
    'return.quarantined': 'returned',
    'return.resolved': 'return decided',
  };
  return words[type] ?? type;
}
