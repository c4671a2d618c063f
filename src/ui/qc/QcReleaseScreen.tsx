import { asLocation } from '../../domain/ids.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { qcReleaseStep, startQcRelease, type QcReleaseInput, type QcReleaseState } from '../../domain/workflows/qc-release.ts';
import type { LocationRow } from '../../device/db.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';
import { Screen } from '../shell/Screen.tsx';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { NO_CATALOG, useCatalog, useLocations } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';

/** QC release / putaway, from the first dock until another dock is scanned. */
export function QcReleaseScreen() {
  const locations = useLocations();
  const go = useGo();
  const { t } = useT();
  if (!locations) return <Screen title={t('ui.qcTitle')}>{t('ui.loading')}</Screen>;
  const dock = locations.find((l) => l.kind === 'dock');
  if (!dock) {
    return (
      <Screen title={t('ui.qcTitle')} back={() => go(paths.home)}>
        <p>{t('ui.noDock')}</p>
      </Screen>
    );
  }
  return <QcRun dock={dock.id} locations={locations} />;
}

function QcRun({ dock, locations }: { dock: string; locations: LocationRow[] }) {
  const loaded = useCatalog();
  const catalog = loaded ?? NO_CATALOG;
  const go = useGo();
  const { t } = useT();
  const { state, dispatch } = useWorkflow<QcReleaseState, QcReleaseInput>(
    () => startQcRelease(asLocation(dock)),
    (s, i) => qcReleaseStep(s, i, { catalog, locations }),
    { ready: loaded !== undefined },
  );
  const action = state.goods ? (
    <button type="button" className="secondary" onClick={() => void dispatch({ type: 'clear' })}>
      {t('ui.clear')}
    </button>
  ) : null;
  return (
    <Screen title={t('ui.qcTitle')} back={() => go(paths.home)} action={action} recentTypes="qc." onScan={(scan) => void dispatch({ type: 'scan', scan })}>
      {state.released && !state.goods ? (
        <section className="done" aria-label={t('ui.qcLast')}>
          <p>
            <strong>{t('qc.released', { qty: state.released.qty, name: nameOf(catalog, state.released.sku), bin: state.released.to })}</strong>
          </p>
        </section>
      ) : null}
      <p className="muted">{t('ui.qcFrom', { dock: state.from })}</p>
      <h2 className="prompt">{state.goods ? t('ui.qcGoods', { qty: state.goods.qty, name: nameOf(catalog, state.goods.sku) }) : t('ui.qcScanGoods')}</h2>
      <QuantityForm onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
    </Screen>
  );
}
