import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import type { PickList } from '../../domain/protocol.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { pickPrompt, pickStep, startPick, toteContents, undoablePicks, type LoggedEvent, type PickInput, type PickState } from '../../domain/workflows/pick.ts';
import { useDevice } from '../app/device.ts';
import { useTaskInProgress } from '../pwa/task-activity.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession } from '../session/store.ts';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { useCatalog } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';

/** Loads the list and what this device's log already holds for it, then runs the pick. */
export function PickScreen({ pickListId }: { pickListId: string }) {
  const { db } = useDevice();
  const go = useSession((s) => s.go);
  const loaded = useLiveQuery(async () => {
    const list = await db.pickLists.get(pickListId);
    const history = await db.events.filter((e) => e.type.startsWith('pick.')).toArray();
    return { list, history: history.map((e) => ({ id: e.id, type: e.type, payload: e.payload })) };
  }, [db, pickListId]);
  if (!loaded) return <Screen title="Pick">Loading…</Screen>;
  if (!loaded.list) {
    return (
      <Screen title="Pick" back={() => go({ name: 'pickLists' })}>
        <p>Pick list {pickListId} is not on this device.</p>
      </Screen>
    );
  }
  // Keyed: the reducer starts once from what was loaded; later cache refreshes do not reset a pick in progress.
  return <PickRun key={pickListId} list={loaded.list} history={loaded.history} />;
}

function PickRun({ list, history }: { list: PickList; history: LoggedEvent[] }) {
  const catalog = useCatalog();
  const go = useSession((s) => s.go);
  const { state, dispatch } = useWorkflow<PickState, PickInput>(
    () => startPick(list, history),
    (s, i) => pickStep(s, i, { catalog }),
    (stored) => ({ type: 'logged', events: stored.map((e) => ({ id: e.id, type: e.type, payload: e.payload })) }),
  );
  const [found, setFound] = useState('');
  const [fewer, setFewer] = useState(false);
  const done = state.current < 0;
  useTaskInProgress(!done && state.tote !== null);
  const line = state.lines[state.current];
  const name = (sku: string) => nameOf(catalog, sku);
  const undoable = undoablePicks(state);

  return (
    <Screen title={`Pick ${list.orderRef}`} back={() => go({ name: 'pickLists' })} allowRepeats onScan={(scan) => void dispatch({ type: 'scan', scan })}>
      <h2 className="prompt">{pickPrompt(state, { catalog })}</h2>
      {state.tote ? <p className="muted">Tote {state.tote} · order {state.orderRef}</p> : null}
      {line && state.tote ? (
        <section className="card" aria-label="Current line">
          <p>
            Bin <strong>{line.location}</strong>
          </p>
          <p>
            {name(line.sku)} ({line.sku}): {line.picked} of {line.qty} picked{line.short ? `, ${line.short} short` : ''}
          </p>
          {state.atBin ? (
            <>
              <QuantityForm onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
              <div className="row">
                <button type="button" className="danger" onClick={() => void dispatch({ type: 'short', found: '0' })}>
                  None here
                </button>
                <button type="button" className="secondary" onClick={() => setFewer((f) => !f)} aria-expanded={fewer}>
                  Fewer here
                </button>
              </div>
              {fewer ? (
                <form
                  className="row"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void dispatch({ type: 'short', found });
                    setFound('');
                    setFewer(false);
                  }}
                >
                  <label>
                    Found in bin
                    <input value={found} onChange={(e) => setFound(e.target.value)} inputMode="numeric" />
                  </label>
                  <button type="submit">Record short</button>
                </form>
              ) : null}
            </>
          ) : null}
        </section>
      ) : null}
      {done ? (
        <section className="card" aria-label="On the tote">
          <h2>On tote {state.tote}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Units</th>
              </tr>
            </thead>
            <tbody>
              {toteContents(state).map((c) => (
                <tr key={c.sku}>
                  <td>
                    {name(c.sku)} ({c.sku})
                  </td>
                  <td>{c.qty}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {state.lines.some((l) => l.short > 0) ? <p>Short: {state.lines.filter((l) => l.short > 0).map((l) => `${l.short} × ${l.sku}`).join(', ')}</p> : null}
          <button type="button" onClick={() => go({ name: 'pickLists' })}>
            Back to pick lists
          </button>
        </section>
      ) : null}
      <button type="button" className="secondary" disabled={undoable.length === 0} onClick={() => void dispatch({ type: 'undo' })}>
        Undo last pick
      </button>
      {undoable.length > 0 ? (
        <section aria-label="Undo a pick">
          <ul className="list">
            {undoable.map((h) => (
              <li key={h.eventId} className="row">
                <span>
                  {h.qty} × {name(h.sku)} from {h.location}
                </span>
                <button type="button" className="secondary" aria-label={`Undo ${h.qty} × ${h.sku} from ${h.location}`} onClick={() => void dispatch({ type: 'undo', eventId: h.eventId })}>
                  Undo
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-label="Lines">
        <ul className="list">
          {state.lines.map((l, i) => (
            <li key={l.lineId} className="card" aria-current={i === state.current ? 'step' : undefined}>
              {l.location} · {name(l.sku)} · {l.picked}/{l.qty}
              {l.short ? ` · ${l.short} short` : ''}
            </li>
          ))}
        </ul>
      </section>
    </Screen>
  );
}
