import { asLocation } from '../../domain/ids.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { qcReleaseStep, startQcRelease, type QcReleaseInput, type QcReleaseState } from '../../domain/workflows/qc-release.ts';
import type { LocationRow } from '../../device/db.ts';
import { Screen } from '../shell/Screen.tsx';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { useCatalog, useLocations } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';

/** QC release / putaway, from the first dock until another dock is scanned. */
export function QcReleaseScreen() {
  const locations = useLocations();
  const dock = locations.find((l) => l.kind === 'dock');
  if (!dock) {
    return (
      <Screen title="QC release">
        <p>No dock is known on this device yet. The location list arrives when the device is online.</p>
      </Screen>
    );
  }
  return <QcRun dock={dock.id} locations={locations} />;
}

function QcRun({ dock, locations }: { dock: string; locations: LocationRow[] }) {
  const catalog = useCatalog();
  const { state, dispatch } = useWorkflow<QcReleaseState, QcReleaseInput>(
    () => startQcRelease(asLocation(dock)),
    (s, i) => qcReleaseStep(s, i, { catalog, locations }),
  );
  return (
    <Screen title="QC release" onScan={(scan) => void dispatch({ type: 'scan', scan })}>
      <p className="muted">From QC at {state.from} (scan another dock to change)</p>
      <h2 className="prompt">{state.goods ? `${state.goods.qty} × ${nameOf(catalog, state.goods.sku)}: scan the destination bin` : 'Scan the goods to release'}</h2>
      <QuantityForm onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
      {state.goods ? (
        <button type="button" className="secondary" onClick={() => void dispatch({ type: 'clear' })}>
          Clear
        </button>
      ) : null}
    </Screen>
  );
}
