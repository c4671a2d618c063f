import { useLiveQuery } from 'dexie-react-hooks';
import type { Receipt } from '../../domain/protocol.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { receivingStep, receivingTotals, startReceiving, type ReceivingInput, type ReceivingState } from '../../domain/workflows/receiving.ts';
import { useDevice } from '../app/device.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT, type Translate } from '../i18n/i18n.ts';
import { useTaskInProgress } from '../pwa/task-activity.ts';
import { Screen } from '../shell/Screen.tsx';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { NO_CATALOG, useCatalog } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';
import { useKept } from '../workflow/use-kept.ts';

/** A receipt once loaded stays on screen when the work cache drops it (it was completed). */
export function ReceivingScreen({ receiptId, sscc }: { receiptId: string; sscc: string | null }) {
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const receipt = useLiveQuery(async () => (await db.receipts.get(receiptId)) ?? null, [db, receiptId]);
  const kept = useKept(receipt);
  if (kept) return <ReceivingRun key={receiptId} receipt={kept} sscc={sscc} />;
  if (receipt === undefined) return <Screen title={t('ui.tile.receive')}>{t('ui.loading')}</Screen>;
  return (
    <Screen title={t('ui.tile.receive')} back={() => go(paths.receipts)}>
      <p>{t('ui.notOnDevice', { what: receiptId })}</p>
    </Screen>
  );
}

/** "24 to come", "complete", "2 too many": no double negatives. */
function statusText(t: Translate, status: 'under' | 'complete' | 'over', difference: number): string {
  return status === 'complete' ? t('ui.status.complete') : t(`ui.status.${status}`, { n: Math.abs(difference) });
}

function ReceivingRun({ receipt, sscc }: { receipt: Receipt; sscc: string | null }) {
  const loaded = useCatalog();
  const catalog = loaded ?? NO_CATALOG;
  const go = useGo();
  const { t } = useT();
  const { state, dispatch } = useWorkflow<ReceivingState, ReceivingInput>(
    () => startReceiving(receipt, sscc),
    (s, i) => receivingStep(s, i, { catalog }),
    { ready: loaded !== undefined },
  );
  useTaskInProgress(state.pending !== null);

  const action = state.finished ? (
    <button type="button" onClick={() => go(paths.receipts)}>
      {t('ui.backToReceipts')}
    </button>
  ) : state.pending ? (
    <>
      <button type="button" onClick={() => void dispatch({ type: 'confirm' })}>
        {t('ui.confirm')}
      </button>
      <button type="button" className="secondary" onClick={() => void dispatch({ type: 'clear' })}>
        {t('ui.clear')}
      </button>
    </>
  ) : (
    <button type="button" className="secondary" onClick={() => void dispatch({ type: 'finish' })}>
      {t('ui.finishReceipt')}
    </button>
  );

  return (
    <Screen
      title={t('ui.receiveTitle', { id: receipt.id })}
      back={() => go(paths.receipts)}
      action={action}
      recentTypes="receipt."
      onScan={(scan) => void dispatch({ type: 'scan', scan })}
    >
      <p className="muted">
        {t('ui.intoQc', { supplier: receipt.supplier, dock: state.dock })}
        {state.sscc ? t('ui.onPallet', { sscc: state.sscc }) : ''}
      </p>
      {state.finished ? (
        <section className="done" aria-label={t('ui.done')}>
          <h2>{t('ui.done')}</h2>
          <p className="prompt">{t('ui.receiptDone', { id: receipt.id })}</p>
        </section>
      ) : state.pending ? (
        <section className="card" aria-label={t('ui.scannedLabel')}>
          <p className="prompt">
            {state.pending.qty} × {nameOf(catalog, state.pending.sku)}
          </p>
          <p className="muted">
            {state.pending.sku}
            {state.pending.lot ? ` · ${t('ui.lot', { lot: state.pending.lot })}` : ''}
            {state.pending.expiry ? ` · ${t('ui.expiry', { expiry: state.pending.expiry })}` : ''}
          </p>
        </section>
      ) : (
        <p className="prompt">{t('ui.scanGoodsLabel')}</p>
      )}
      {!state.finished ? <QuantityForm onQuantity={(text) => void dispatch({ type: 'quantity', text })} /> : null}
      <table aria-label={t('ui.receiptLines')} className="compact">
        <thead>
          <tr>
            <th scope="col">{t('ui.item')}</th>
            <th scope="col" className="qty-col">
              {t('ui.receivedOfExpected')}
            </th>
            <th scope="col" className="state-col">
              {t('ui.state')}
            </th>
          </tr>
        </thead>
        <tbody>
          {receivingTotals(state).map((l) => (
            <tr key={l.lineId}>
              <td>
                {nameOf(catalog, l.sku)} <span className="muted">({l.sku})</span>
              </td>
              <td className="qty-col">
                {l.received} / {l.expected}
              </td>
              <td className={`state-col flag-${l.status}`}>{statusText(t, l.status, l.difference)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Screen>
  );
}
