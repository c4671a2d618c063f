import { useLiveQuery } from 'dexie-react-hooks';
import type { Receipt } from '../../domain/protocol.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { receivingStep, receivingTotals, startReceiving, type ReceivingInput, type ReceivingState } from '../../domain/workflows/receiving.ts';
import { useDevice } from '../app/device.ts';
import { useTaskInProgress } from '../pwa/task-activity.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession } from '../session/store.ts';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { useCatalog } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';

export function ReceivingScreen({ receiptId, sscc }: { receiptId: string; sscc: string | null }) {
  const { db } = useDevice();
  const go = useSession((s) => s.go);
  const receipt = useLiveQuery(async () => (await db.receipts.get(receiptId)) ?? null, [db, receiptId]);
  if (receipt === undefined) return <Screen title="Receiving">Loading…</Screen>;
  if (receipt === null) {
    return (
      <Screen title="Receiving" back={() => go({ name: 'receipts' })}>
        <p>Receipt {receiptId} is not on this device.</p>
      </Screen>
    );
  }
  return <ReceivingRun key={receiptId} receipt={receipt} sscc={sscc} />;
}

const FLAG = { under: 'under', complete: 'complete', over: 'over' } as const;

function ReceivingRun({ receipt, sscc }: { receipt: Receipt; sscc: string | null }) {
  const catalog = useCatalog();
  const go = useSession((s) => s.go);
  const { state, dispatch } = useWorkflow<ReceivingState, ReceivingInput>(
    () => startReceiving(receipt, sscc),
    (s, i) => receivingStep(s, i, { catalog }),
  );
  useTaskInProgress(state.pending !== null);

  return (
    <Screen title={`Receipt ${receipt.id}`} back={() => go({ name: 'receipts' })} onScan={(scan) => void dispatch({ type: 'scan', scan })}>
      <p className="muted">
        {receipt.supplier} · into QC at {state.dock}
        {state.sscc ? ` · pallet ${state.sscc}` : ''}
      </p>
      {state.pending ? (
        <section className="card" aria-label="Scanned label">
          <p className="prompt">
            {state.pending.qty} × {nameOf(catalog, state.pending.sku)}
          </p>
          <p className="muted">
            {state.pending.sku}
            {state.pending.lot ? ` · lot ${state.pending.lot}` : ''}
            {state.pending.expiry ? ` · expiry ${state.pending.expiry}` : ''}
          </p>
          <div className="row">
            <button type="button" onClick={() => void dispatch({ type: 'confirm' })}>
              Confirm
            </button>
            <button type="button" className="secondary" onClick={() => void dispatch({ type: 'clear' })}>
              Clear
            </button>
          </div>
        </section>
      ) : (
        <p className="prompt">{state.finished ? 'Receipt finished' : 'Scan a goods label'}</p>
      )}
      {!state.finished ? (
        <QuantityForm onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
      ) : null}
      <table aria-label="Receipt lines">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Received</th>
            <th scope="col">Expected</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {receivingTotals(state).map((l) => (
            <tr key={l.lineId}>
              <td>
                {nameOf(catalog, l.sku)} ({l.sku})
              </td>
              <td>{l.received}</td>
              <td>{l.expected}</td>
              <td className={`flag-${l.status}`}>
                {FLAG[l.status]}
                {l.difference !== 0 ? ` ${l.difference > 0 ? '+' : ''}${l.difference}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!state.finished ? (
        <button type="button" className="secondary" onClick={() => void dispatch({ type: 'finish' })}>
          Finish receipt
        </button>
      ) : (
        <button type="button" onClick={() => go({ name: 'receipts' })}>
          Back to receipts
        </button>
      )}
    </Screen>
  );
}
