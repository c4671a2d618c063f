import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import type { PickList } from '../../domain/protocol.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import {
  pickPrompt,
  pickStep,
  startPick,
  toteContents,
  undoablePicks,
  undoableShorts,
  type LoggedEvent,
  type PickInput,
  type PickState,
} from '../../domain/workflows/pick.ts';
import { useDevice } from '../app/device.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';
import { useTaskInProgress } from '../pwa/task-activity.ts';
import { Screen } from '../shell/Screen.tsx';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { NO_CATALOG, useCatalog } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';
import { useKept } from '../workflow/use-kept.ts';

/**
 * Loads the list and what this device's log already holds for it, then runs the pick. A list
 * once loaded stays on screen when the work cache drops it (it was finished); a finished list
 * opened again (a reload) is rebuilt from the log, so finishing never reads as "missing".
 */
export function PickScreen({ pickListId }: { pickListId: string }) {
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const loaded = useLiveQuery(async () => {
    const list = await db.pickLists.get(pickListId);
    const history = await db.events.filter((e) => e.type.startsWith('pick.')).toArray();
    return { list, history: history.map((e) => ({ id: e.id, type: e.type, payload: e.payload })) };
  }, [db, pickListId]);
  const kept = useKept(loaded?.list ? { list: loaded.list, history: loaded.history } : null);
  if (kept) return <PickRun key={pickListId} list={kept.list} history={kept.history} />;
  if (!loaded) return <Screen title={t('ui.pickLists')}>{t('ui.loading')}</Screen>;
  const finished = finishedFromLog(pickListId, loaded.history);
  if (finished) return <PickRun key={pickListId} list={finished} history={loaded.history} />;
  return (
    <Screen title={t('ui.pickLists')} back={() => go(paths.pickLists)}>
      <p>{t('ui.notOnDevice', { what: pickListId })}</p>
    </Screen>
  );
}

/** A list the cache no longer holds, as this device's log knows it: every line it touched, resolved. */
function finishedFromLog(pickListId: string, history: readonly LoggedEvent[]): PickList | null {
  const undone = new Set(
    history.flatMap((e) => (e.type === 'pick.undone' || e.type === 'pick.short_undone' ? [(e.payload as { corrects?: string }).corrects] : [])),
  );
  const lines = new Map<string, { lineId: string; sku: string; location: string; qty: number; picked: number }>();
  for (const e of history) {
    const p = e.payload as { pickListId?: string; lineId?: string; sku?: string; location?: string; qty?: number; missingQty?: number };
    if (p.pickListId !== pickListId || !p.lineId || !p.sku || !p.location) continue;
    const line = lines.get(p.lineId) ?? { lineId: p.lineId, sku: p.sku, location: p.location, qty: 0, picked: 0 };
    // A line's size, as far as this device knows, is what it held (not undone) plus what it shorted.
    if (e.type === 'pick.held' && !undone.has(e.id)) line.qty += p.qty ?? 0;
    if (e.type === 'pick.short' && !undone.has(e.id)) line.qty += p.missingQty ?? 0;
    lines.set(p.lineId, line);
  }
  if (lines.size === 0) return null;
  return { id: pickListId, orderRef: pickListId, status: 'done', lines: [...lines.values()] };
}

function PickRun({ list, history }: { list: PickList; history: LoggedEvent[] }) {
  const loaded = useCatalog();
  const catalog = loaded ?? NO_CATALOG;
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const { state, dispatch } = useWorkflow<PickState, PickInput>(
    () => startPick(list, history),
    (s, i) => pickStep(s, i, { catalog }),
    {
      ready: loaded !== undefined,
      afterStore: (stored) => ({ type: 'logged', events: stored.map((e) => ({ id: e.id, type: e.type, payload: e.payload })) }),
    },
  );
  const nextList = useLiveQuery(
    async () => (await db.pickLists.where('status').equals('open').sortBy('id')).find((l) => l.id !== list.id) ?? null,
    [db, list.id],
  );
  const [found, setFound] = useState('');
  const [fewer, setFewer] = useState(false);
  const done = state.current < 0;
  useTaskInProgress(!done && state.tote !== null);
  const line = state.lines[state.current];
  const name = (sku: string) => nameOf(catalog, sku);
  const undoable = undoablePicks(state);
  const shortsToTakeBack = undoableShorts(state);
  const prompt = pickPrompt(state, { catalog });
  const pending = state.pendingShort;
  const shorts = state.lines.filter((l) => l.short > 0);

  const action = pending ? (
    <>
      <button type="button" className="danger" onClick={() => void dispatch({ type: 'confirmShort' })}>
        {t('ui.confirmShort')}
      </button>
      <button type="button" className="secondary" onClick={() => void dispatch({ type: 'cancelShort' })}>
        {t('ui.cancel')}
      </button>
    </>
  ) : done ? (
    nextList ? (
      <button type="button" onClick={() => go(paths.pick(nextList.id))}>
        {t('ui.nextPick')}: {nextList.orderRef}
      </button>
    ) : (
      <button type="button" onClick={() => go(paths.pickLists)}>
        {t('ui.backToPickLists')}
      </button>
    )
  ) : null;

  return (
    <Screen
      title={t('ui.pickTitle', { order: list.orderRef })}
      back={() => go(paths.pickLists)}
      allowRepeats
      action={action}
      recentTypes="pick."
      onScan={(scan) => void dispatch({ type: 'scan', scan })}
    >
      {done ? (
        <section className="done" aria-label={t('ui.onTote')}>
          <h2>{t('ui.done')}</h2>
          <p className="prompt">{t('ui.pickDone', { order: state.orderRef, tote: state.tote ?? '' })}</p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('ui.item')}</th>
                <th scope="col" className="num">
                  {t('ui.units')}
                </th>
              </tr>
            </thead>
            <tbody>
              {toteContents(state).map((c) => (
                <tr key={c.sku}>
                  <td>
                    {name(c.sku)} ({c.sku})
                  </td>
                  <td className="num">{c.qty}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {shorts.length > 0 ? <p>{t('ui.shortList', { list: shorts.map((l) => `${l.short} × ${name(l.sku)}`).join(', ') })}</p> : null}
        </section>
      ) : (
        <h2 className="prompt">{t(prompt.code, prompt.params)}</h2>
      )}
      {pending && line ? (
        <section className="confirm" aria-label={t('ui.checkShort')}>
          <h2>{t('ui.shortQuestion', { missing: pending.missing, name: name(line.sku), bin: line.location })}</h2>
          {pending.hold > 0 ? <p>{t('ui.shortHold', { hold: pending.hold })}</p> : null}
          <p className="muted">{t('ui.shortEffect')}</p>
        </section>
      ) : null}
      {state.tote && !done ? <p className="muted">{t('ui.toteLine', { tote: state.tote, order: state.orderRef })}</p> : null}
      {line && state.tote && !pending ? (
        <section className="card stack" aria-label={t('ui.currentLine')}>
          <p>
            {t('ui.bin')} <strong>{line.location}</strong>
          </p>
          <p>
            {t('ui.pickedOf', { name: name(line.sku), sku: line.sku, picked: line.picked, qty: line.qty })}
            {line.short ? t('ui.shortOf', { short: line.short }) : ''}
          </p>
          {state.atBin ? (
            <>
              <QuantityForm onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
              <button type="button" className="secondary" onClick={() => setFewer((f) => !f)} aria-expanded={fewer}>
                {t('ui.fewerHere')}
              </button>
              {fewer ? (
                <form
                  className="stack"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void dispatch({ type: 'short', found });
                    setFound('');
                    setFewer(false);
                  }}
                >
                  <label>
                    {t('ui.inBin', { scanned: line.picked })}
                    <input value={found} onChange={(e) => setFound(e.target.value)} inputMode="numeric" />
                  </label>
                  <div className="row">
                    <button type="submit">{t('ui.checkShort')}</button>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => {
                        void dispatch({ type: 'short', found: String(line.picked) });
                        setFewer(false);
                      }}
                    >
                      {t('ui.noneHere')}
                    </button>
                  </div>
                </form>
              ) : null}
            </>
          ) : null}
        </section>
      ) : null}
      <button type="button" className="secondary" disabled={undoable.length === 0} onClick={() => void dispatch({ type: 'undo' })}>
        {t('ui.undoLast')}
      </button>
      {undoable.length + shortsToTakeBack.length > 0 ? (
        <section aria-label={t('ui.undoList')}>
          <ul className="list">
            {shortsToTakeBack.map((s) => (
              <li key={s.eventId} className="row">
                <span>{t('ui.shortItem', { missing: s.missing, name: name(s.sku), bin: s.location })}</span>
                <button
                  type="button"
                  className="secondary"
                  aria-label={t('ui.undoShortLabel', { missing: s.missing, sku: s.sku, bin: s.location })}
                  onClick={() => void dispatch({ type: 'undoShort', eventId: s.eventId })}
                >
                  {t('ui.takeBack')}
                </button>
              </li>
            ))}
            {undoable.map((h) => (
              <li key={h.eventId} className="row">
                <span>
                  {h.qty} × {name(h.sku)} · {h.location}
                </span>
                <button
                  type="button"
                  className="secondary"
                  aria-label={t('ui.undoLabel', { qty: h.qty, sku: h.sku, bin: h.location })}
                  onClick={() => void dispatch({ type: 'undo', eventId: h.eventId })}
                >
                  {t('ui.undo')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-label={t('ui.lines')}>
        <ul className="list">
          {state.lines.map((l, i) => (
            <li key={l.lineId} className="card" aria-current={i === state.current ? 'step' : undefined}>
              {l.location} · {name(l.sku)} · {l.picked}/{l.qty}
              {l.short ? t('ui.shortOf', { short: l.short }) : ''}
            </li>
          ))}
        </ul>
      </section>
    </Screen>
  );
}
