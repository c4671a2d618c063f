import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import type { CountTaskView } from '../../domain/protocol.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { countStep, startCount, type CountInput, type CountState } from '../../domain/workflows/count.ts';
import { useDevice } from '../app/device.ts';
import { useTaskInProgress } from '../pwa/task-activity.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession } from '../session/store.ts';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { useCatalog } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';

export function CountScreen({ taskId }: { taskId: string }) {
  const { db } = useDevice();
  const go = useSession((s) => s.go);
  const task = useLiveQuery(async () => (await db.countTasks.get(taskId)) ?? null, [db, taskId]);
  if (task === undefined) return <Screen title="Count">Loading…</Screen>;
  if (task === null) {
    return (
      <Screen title="Count" back={() => go({ name: 'countTasks' })}>
        <p>Count task {taskId} is not on this device.</p>
      </Screen>
    );
  }
  return <CountRun key={taskId} task={task} />;
}

function CountRun({ task }: { task: CountTaskView }) {
  const catalog = useCatalog();
  const go = useSession((s) => s.go);
  const { state, dispatch } = useWorkflow<CountState, CountInput>(
    () => startCount(task),
    (s, i) => countStep(s, i, { catalog }),
  );
  const [keySku, setKeySku] = useState('');
  const [keyQty, setKeyQty] = useState('');
  useTaskInProgress(state.phase === 'counting');
  const prompt = state.phase === 'bin' ? `Scan bin ${state.location} to start` : state.phase === 'counting' ? `Counting ${state.location}: scan or key every item` : `Count of ${state.location} recorded`;

  return (
    <Screen title={`Count ${task.location}`} back={() => go({ name: 'countTasks' })} allowRepeats onScan={(scan) => void dispatch({ type: 'scan', scan })}>
      <h2 className="prompt">{prompt}</h2>
      <p className="muted">{task.reason}</p>
      {state.phase === 'counting' ? (
        <>
          <QuantityForm label="Quantity for next scan" onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
          <form
            className="card"
            aria-label="Key a count"
            onSubmit={(e) => {
              e.preventDefault();
              void dispatch({ type: 'key', sku: keySku, text: keyQty });
              setKeyQty('');
            }}
          >
            <label>
              Item
              <select value={keySku} onChange={(e) => setKeySku(e.target.value)}>
                <option value="">Choose an item</option>
                {catalog.map((c) => (
                  <option key={c.sku} value={c.sku}>
                    {c.name} ({c.sku})
                  </option>
                ))}
              </select>
            </label>
            <label>
              Counted quantity
              <input value={keyQty} onChange={(e) => setKeyQty(e.target.value)} inputMode="numeric" />
            </label>
            <button type="submit">Key count</button>
          </form>
        </>
      ) : null}
      {state.counted.length > 0 ? (
        <table aria-label="Counted so far">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Counted</th>
            </tr>
          </thead>
          <tbody>
            {state.counted.map((c) => (
              <tr key={c.sku}>
                <td>
                  {nameOf(catalog, c.sku)} ({c.sku})
                </td>
                <td>{c.qty}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {state.phase === 'counting' ? (
        <button type="button" onClick={() => void dispatch({ type: 'finish' })}>
          Record count
        </button>
      ) : null}
      {state.phase === 'recorded' ? (
        <button type="button" onClick={() => go({ name: 'countTasks' })}>
          Back to count tasks
        </button>
      ) : null}
    </Screen>
  );
}
