import { useEffect, useRef } from 'react';
import { RETURN_CONDITIONS } from '../../domain/events.ts';
import { asLocation } from '../../domain/ids.ts';
import { returnStep, startReturn, type ReturnInput, type ReturnState } from '../../domain/workflows/returns.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';
import { Screen } from '../shell/Screen.tsx';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { NO_CATALOG, useCatalog, useLocations } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';

/** Returns quarantine into the first returns area. */
export function ReturnScreen() {
  const locations = useLocations();
  const go = useGo();
  const { t } = useT();
  if (!locations) return <Screen title={t('ui.returnsTitle')}>{t('ui.loading')}</Screen>;
  const area = locations.find((l) => l.kind === 'returns');
  if (!area) {
    return (
      <Screen title={t('ui.returnsTitle')} back={() => go(paths.home)}>
        <p>{t('ui.noReturnsArea')}</p>
      </Screen>
    );
  }
  return <ReturnRun area={area.id} />;
}

/**
 * Text fields keep what is typed (the reducer's state follows them, asynchronously); a new
 * form after each return, scrolled back to its top, with what was just done above it.
 */
function ReturnRun({ area }: { area: string }) {
  const loaded = useCatalog();
  const catalog = loaded ?? NO_CATALOG;
  const go = useGo();
  const { t } = useT();
  const top = useRef<HTMLDivElement>(null);
  const { state, dispatch } = useWorkflow<ReturnState, ReturnInput>(
    () => startReturn(asLocation(area)),
    (s, i) => returnStep(s, i, { catalog }),
    { ready: loaded !== undefined },
  );
  useEffect(() => {
    if (state.recorded > 0) top.current?.scrollIntoView({ block: 'start' });
  }, [state.recorded]);
  const quarantine = (
    <button type="button" onClick={() => void dispatch({ type: 'submit', returnId: `RET-${crypto.randomUUID()}` })}>
      {t('ui.quarantine')}
    </button>
  );
  return (
    <Screen
      title={t('ui.returnsTitle')}
      back={() => go(paths.home)}
      action={quarantine}
      recentTypes="return."
      onScan={(scan) => void dispatch({ type: 'scan', scan })}
    >
      <div ref={top} />
      {state.last ? (
        <section className="done" aria-label={t('ui.done')}>
          <p>
            <strong>
              {t('returns.quarantined', { qty: state.last.qty, name: state.last.name, condition: `@condition.${state.last.condition}`, area: state.area })}
            </strong>
          </p>
          <p className="muted">{t('ui.returnsDone', { count: state.recorded })}</p>
        </section>
      ) : null}
      <h2 className="prompt">{state.item ? `${state.qty} × ${state.item.name}` : t('ui.returnScanItem')}</h2>
      <p className="muted">{t('ui.returnInto', { area: state.area })}</p>
      <fieldset className="card">
        <legend>{t('ui.condition')}</legend>
        <div className="conditions">
          {RETURN_CONDITIONS.map((c) => (
            <button
              key={c}
              type="button"
              aria-pressed={state.condition === c}
              className={state.condition === c ? '' : 'secondary'}
              onClick={() => void dispatch({ type: 'condition', value: c })}
            >
              {capitalize(t(`condition.${c}`))}
            </button>
          ))}
        </div>
      </fieldset>
      <QuantityForm onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
      <label>
        {t('ui.orderRef')}
        <input
          key={state.recorded}
          defaultValue={state.orderRef}
          maxLength={64}
          onChange={(e) => void dispatch({ type: 'orderRef', text: e.target.value })}
          autoCapitalize="characters"
        />
      </label>
      <label>
        {t('ui.note')}
        <textarea key={state.recorded} defaultValue={state.note} onChange={(e) => void dispatch({ type: 'note', text: e.target.value })} maxLength={500} />
      </label>
    </Screen>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
