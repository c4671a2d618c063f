import { useEffect, useState } from 'react';
import { DEFAULT_SYMBOLOGIES, SYMBOLOGIES, type Symbology } from '../../domain/barcode/symbology.ts';
import type { ScanSettings, ScanSettingsStore } from '../../scan/settings.ts';

/**
 * Which symbologies this site's scanners accept, from the camera and the wedge alike.
 * Fewer decode faster and misread less; the camera test below shows the frame time
 * with the saved choice.
 */
export function SymbologyChoice({ store, current, onSaved }: { store: ScanSettingsStore; current: ScanSettings; onSaved: (next: ScanSettings) => void }) {
  const [chosen, setChosen] = useState<Set<Symbology>>(() => new Set(current.symbologies));
  const [code39Check, setCode39Check] = useState(current.code39Check);
  const [message, setMessage] = useState<string | null>(null);
  // The saved choice, once read (the page may open before the device settings are loaded).
  useEffect(() => {
    let live = true;
    void store
      .load()
      .then((s) => {
        if (!live) return;
        setChosen(new Set(s.symbologies));
        setCode39Check(s.code39Check);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [store]);
  const toggle = (id: Symbology) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const save = async () => {
    try {
      const stored = await store.load();
      // Kept in the list's order, so the saved setting reads the same way as the page.
      const symbologies = SYMBOLOGIES.map((s) => s.id).filter((id) => chosen.has(id));
      const next = { ...stored, symbologies, code39Check };
      await store.save(next);
      onSaved(next);
      setMessage(`Symbologies saved: ${symbologies.length} accepted.`);
    } catch (err) {
      setMessage(`Not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return (
    <section className="no-print" aria-label="Symbologies">
      <h2>Symbologies this site accepts</h2>
      <p>Fewer symbologies decode faster and misread less. The camera test below shows the time per frame with the saved choice.</p>
      <fieldset>
        <legend>Accepted from the camera and the scanner</legend>
        {SYMBOLOGIES.map((s) => (
          <div key={s.id}>
            <label>
              <input type="checkbox" checked={chosen.has(s.id)} onChange={() => toggle(s.id)} /> {s.title}
            </label>{' '}
            <small>
              ({s.seenOn}
              {DEFAULT_SYMBOLOGIES.includes(s.id) ? ', common set' : ''})
            </small>
          </div>
        ))}
        <div>
          <label>
            <input type="checkbox" checked={code39Check} onChange={(e) => setCode39Check(e.target.checked)} /> Our Code 39 labels carry a check character
          </label>
        </div>
      </fieldset>
      <button type="button" onClick={() => setChosen(new Set(DEFAULT_SYMBOLOGIES))}>
        Back to the common set
      </button>{' '}
      <button type="button" disabled={chosen.size === 0} onClick={() => void save()}>
        Save symbologies
      </button>
      {message ? <p role="status">{message}</p> : null}
    </section>
  );
}
