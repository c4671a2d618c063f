import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import type { CountTaskView } from '../../domain/protocol.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { countStep, startCount, type CountInput, type CountState } from '../../domain/workflows/count.ts';
import { useDevice } from '../app/device.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';
import { useTaskInProgress } from '../pwa/task-activity.ts';
import { Screen } from '../shell/Screen.tsx';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { NO_CATALOG, useCatalog } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';
import { useKept } from '../workflow/use-kept.ts';

const OPEN = ['open', 'started'];

/** A task once loaded stays on screen when the work cache drops it (the count was recorded and posted). */
export function CountScreen({ taskId }: { taskId: string }) {
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const task = useLiveQuery(async () => (await db.countTasks.get(taskId)) ?? null, [db, taskId]);
  const kept = useKept(task);
  if (kept) return <CountRun key={taskId} task={kept} />;
  if (task === undefined) return <Screen title={t('ui.tile.count')}>{t('ui.loading')}</Screen>;
  return (
    <Screen title={t('ui.tile.count')} back={() => go(paths.countTasks)}>
      <p>{t('ui.notOnDevice', { what: taskId })}</p>
    </Screen>
  );
}

/**
 * A count the counter starts at a bin of the device's cached bin map: a task id made here (the
 * API takes a count under a task it has not raised as the counter's own, `count.started`).
 */
export function BinCountScreen({ bin }: { bin: string }) {
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const known = useLiveQuery(async () => (await db.locations.get(bin))?.kind === 'bin', [db, bin]);
  const [id] = useState(() => `CT-${bin}-${crypto.randomUUID().slice(0, 8)}`.slice(0, 64));
  if (known) return <CountRun task={{ id, location: bin, reason: t('ui.countBinReason'), status: 'open' }} />;
  return (
    <Screen title={t('ui.tile.count')} back={() => go(paths.countTasks)}>
      <p>{known === undefined ? t('ui.loading') : t('ui.countBinUnknown', { bin })}</p>
    </Screen>
  );
}

function CountRun({ task }: { task: CountTaskView }) {
  const loaded = useCatalog();
  const catalog = loaded ?? NO_CATALOG;
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const { state, dispatch } = useWorkflow<CountState, CountInput>(
    () => startCount(task),
    (s, i) => countStep(s, i, { catalog }),
    { ready: loaded !== undefined },
  );
  const [keySku, setKeySku] = useState('');
  const [keyQty, setKeyQty] = useState('');
  const next = useLiveQuery(
    async () => (await db.countTasks.filter((x) => OPEN.includes(x.status) && x.id !== task.id).sortBy('location'))[0] ?? null,
    [db, task.id],
  );
  useTaskInProgress(state.phase === 'counting');
  const recorded = state.phase === 'recorded';

  const action =
    state.phase === 'counting' ? (
      <button type="button" onClick={() => void dispatch({ type: 'finish' })}>
        {t('ui.recordCount')}
      </button>
    ) : recorded ? (
      next ? (
        <button type="button" onClick={() => go(paths.count(next.id))}>
          {t('ui.nextCount')}: {next.location}
        </button>
      ) : (
        <button type="button" onClick={() => go(paths.countTasks)}>
          {t('ui.backToCounts')}
        </button>
      )
    ) : null;

  return (
    <Screen
      title={t('ui.countTitle', { bin: task.location })}
      back={() => go(paths.countTasks)}
      allowRepeats
      action={action}
      recentTypes="count."
      onScan={(scan) => void dispatch({ type: 'scan', scan })}
    >
      {recorded ? (
        <section className="done" aria-label={t('ui.done')}>
          <h2>{t('ui.done')}</h2>
          <p className="prompt">{t('ui.countDone', { bin: state.location })}</p>
          <p>{t('ui.countDoneNext')}</p>
        </section>
      ) : (
        <h2 className="prompt">{state.phase === 'bin' ? t('ui.countScanBin', { bin: state.location }) : t('ui.countCounting', { bin: state.location })}</h2>
      )}
      <p className="muted">{task.reason}</p>
      {state.phase === 'counting' ? (
        <>
          <QuantityForm label={t('ui.qtyNextScan')} onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
          <form
            className="card stack"
            aria-label={t('ui.keyCount')}
            onSubmit={(e) => {
              e.preventDefault();
              void dispatch({ type: 'key', sku: keySku, text: keyQty });
              setKeyQty('');
            }}
          >
            <label>
              {t('ui.item')}
              <select value={keySku} onChange={(e) => setKeySku(e.target.value)}>
                <option value="">{t('ui.chooseItem')}</option>
                {catalog.map((c) => (
                  <option key={c.sku} value={c.sku}>
                    {c.name} ({c.sku})
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('ui.countedQty')}
              <input value={keyQty} onChange={(e) => setKeyQty(e.target.value)} inputMode="numeric" />
            </label>
            <button type="submit" className="secondary">
              {t('ui.keyCountButton')}
            </button>
          </form>
        </>
      ) : null}
      {state.counted.length > 0 ? (
        <table aria-label={t('ui.countedSoFar')}>
          <thead>
            <tr>
              <th scope="col">{t('ui.item')}</th>
              <th scope="col" className="num">
                {t('ui.counted')}
              </th>
            </tr>
          </thead>
          <tbody>
            {state.counted.map((c) => (
              <tr key={c.sku}>
                <td>
                  {nameOf(catalog, c.sku)} ({c.sku})
                </td>
                <td className="num">{c.qty}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Screen>
  );
}
