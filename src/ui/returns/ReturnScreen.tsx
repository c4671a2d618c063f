import { RETURN_CONDITIONS } from '../../domain/events.ts';
import { asLocation } from '../../domain/ids.ts';
import { returnStep, startReturn, type ReturnInput, type ReturnState } from '../../domain/workflows/returns.ts';
import { Screen } from '../shell/Screen.tsx';
import { useWorkflow } from '../workflow/use-workflow.ts';
import { useCatalog, useLocations } from '../workflow/use-work.ts';
import { QuantityForm } from '../workflow/QuantityForm.tsx';

const CONDITION_LABEL: Record<(typeof RETURN_CONDITIONS)[number], string> = {
  sealed: 'Sealed',
  opened: 'Opened',
  damaged: 'Damaged',
  defective: 'Defective',
  wrong_item: 'Wrong item',
};

/** Returns quarantine into the first returns area. */
export function ReturnScreen() {
  const locations = useLocations();
  const area = locations.find((l) => l.kind === 'returns');
  if (!area) {
    return (
      <Screen title="Returns">
        <p>No returns area is known on this device yet. The location list arrives when the device is online.</p>
      </Screen>
    );
  }
  return <ReturnRun area={area.id} />;
}

/** Text fields keep what is typed (the reducer's state follows them, asynchronously); a new form after each return. */
function ReturnRun({ area }: { area: string }) {
  const catalog = useCatalog();
  const { state, dispatch } = useWorkflow<ReturnState, ReturnInput>(
    () => startReturn(asLocation(area)),
    (s, i) => returnStep(s, i, { catalog }),
  );
  return (
    <Screen title="Returns" onScan={(scan) => void dispatch({ type: 'scan', scan })}>
      <h2 className="prompt">{state.item ? `${state.qty} × ${state.item.name}` : 'Scan the returned item'}</h2>
      <p className="muted">Into quarantine at {state.area}: never sellable until a supervisor decides.</p>
      <QuantityForm onQuantity={(text) => void dispatch({ type: 'quantity', text })} />
      <label>
        Order or RMA (optional)
        <input key={state.recorded} defaultValue={state.orderRef} maxLength={64} onChange={(e) => void dispatch({ type: 'orderRef', text: e.target.value })} autoCapitalize="characters" />
      </label>
      <fieldset className="card">
        <legend>Condition</legend>
        <div className="tiles">
          {RETURN_CONDITIONS.map((c) => (
            <button key={c} type="button" aria-pressed={state.condition === c} className={state.condition === c ? '' : 'secondary'} onClick={() => void dispatch({ type: 'condition', value: c })}>
              {CONDITION_LABEL[c]}
            </button>
          ))}
        </div>
      </fieldset>
      <label>
        Note (optional)
        <textarea key={state.recorded} defaultValue={state.note} onChange={(e) => void dispatch({ type: 'note', text: e.target.value })} maxLength={500} />
      </label>
      <button type="button" onClick={() => void dispatch({ type: 'submit', returnId: `RET-${crypto.randomUUID()}` })}>
        Quarantine
      </button>
    </Screen>
  );
}
