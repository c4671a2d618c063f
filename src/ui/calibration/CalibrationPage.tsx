import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { analyseCalibrationScan, CALIBRATION_WEDGE, suggestWedgeSettings, TEST_SHEET, type Finding } from '../../scan/calibration.ts';
import type { PipelineScan } from '../../scan/pipeline.ts';
import type { ScanSettingsStore } from '../../scan/settings.ts';
import type { WedgeScan } from '../../scan/wedge.ts';
import { CameraView } from '../scan/CameraView.tsx';
import { ScanResultView } from '../scan/ScanResultView.tsx';
import { deviceSettingsStore, useScanRuntime } from '../scan/scan-runtime.ts';
import { TypedEntry } from '../scan/TypedEntry.tsx';
import { useScanner } from '../scan/useScanner.ts';
import { SymbologyChoice } from './SymbologyChoice.tsx';
import { TestSheet } from './TestSheet.tsx';

type Observed = { scan: WedgeScan; findings: Finding[] };

/** Picks the test code a burst belongs to: the one it matches best, else the next one due. */
function matchCode(scan: WedgeScan, observed: Record<string, Observed>): { id: string; findings: Finding[] } {
  const analysed = TEST_SHEET.map((c) => ({ id: c.id, findings: analyseCalibrationScan(c, scan) }));
  const good = analysed.find((a) => !a.findings.some((f) => f.code === 'mismatch'));
  if (good) return good;
  const due = analysed.find((a) => !observed[a.id]) ?? analysed[0];
  return due as { id: string; findings: Finding[] };
}

/**
 * Scanner set-up: print the sheet, scan each code; the page says what the scanner sends
 * and saves settings that fit it. The camera part shows the engine and its frame time.
 */
export function CalibrationPage({ store, onDone }: { store?: ScanSettingsStore; onDone?: () => void }) {
  const runtime = useScanRuntime();
  const settingsStore = useMemo(() => store ?? deviceSettingsStore(), [store]);
  const [observed, setObserved] = useState<Record<string, Observed>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [cameraOpen, setCameraOpen] = useState(false);
  const [lastCamera, setLastCamera] = useState<PipelineScan | null>(null);
  const [symbologyKey, setSymbologyKey] = useState('');
  // The settings to go back to when the page closes: the ones before, or the ones saved here.
  const restoreTo = useRef(runtime.settings());

  // While calibrating, any fast burst is a scanner and goes to this page only.
  useEffect(() => {
    restoreTo.current = runtime.settings();
    runtime.apply({ ...restoreTo.current, wedge: CALIBRATION_WEDGE });
    runtime.setWedgeRawOnly(true);
    const off = runtime.onWedge((scan) =>
      setObserved((prev) => {
        const m = matchCode(scan, prev);
        return { ...prev, [m.id]: { scan, findings: m.findings } };
      }),
    );
    return () => {
      off();
      runtime.setWedgeRawOnly(false);
      runtime.apply(restoreTo.current);
    };
  }, [runtime]);

  useScanner(
    useCallback((s: PipelineScan) => {
      if (s.source === 'camera' || s.source === 'typed') setLastCamera(s);
    }, []),
  );

  const findings = Object.values(observed).flatMap((o) => o.findings);
  const statusOf = (id: string) => {
    const o = observed[id];
    if (!o) return 'Not scanned yet';
    return o.findings.some((f) => f.code === 'ok') ? 'Read correctly' : 'Read with problems (see below)';
  };

  const save = async () => {
    const current = await settingsStore.load();
    const next = { ...current, wedge: suggestWedgeSettings(current.wedge, findings) };
    try {
      await settingsStore.save(next);
      restoreTo.current = next;
      setSaved(
        `Saved: suffix ${next.wedge.suffix}, prefix ${JSON.stringify(next.wedge.prefix)}, group separator ${next.wedge.gsSubstitute ? JSON.stringify(next.wedge.gsSubstitute) : 'as sent'}, up to ${next.wedge.maxGapMs} ms between characters.`,
      );
    } catch (err) {
      setSaved(`Not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  return (
    <div className="screen calibration">
      <header className="topbar">
        {onDone ? (
          <button type="button" onClick={onDone} aria-label="Back">
            ←
          </button>
        ) : null}
        <h1>Scanner set-up</h1>
      </header>
      <main className="content">
        <p className="no-print">Print the sheet, then scan each code with the handheld's scanner. The page tells what the scanner sends.</p>
        <TestSheet statusOf={statusOf} />
        <section className="no-print" aria-label="What the scanner sends">
          <h2>What the scanner sends</h2>
          {findings.length === 0 ? <p>Nothing scanned yet.</p> : null}
          {TEST_SHEET.filter((c) => observed[c.id]).map((c) => (
            <div key={c.id} className="card">
              <h3>{c.title}</h3>
              <ul>
                {observed[c.id]?.findings.map((f, i) => (
                  <li key={i} data-finding={f.code}>
                    {f.message}
                  </li>
                ))}
              </ul>
            </div>
          ))}
          <button type="button" disabled={findings.length === 0} onClick={() => void save()}>
            Save scanner settings
          </button>
          {saved ? <p role="status">{saved}</p> : null}
        </section>
        <SymbologyChoice
          store={settingsStore}
          current={runtime.settings()}
          onSaved={(next) => {
            // Kept on leaving the page; applied now, the wedge still in calibration mode.
            restoreTo.current = { ...restoreTo.current, symbologies: next.symbologies, code39Check: next.code39Check };
            runtime.apply({ ...runtime.settings(), symbologies: next.symbologies, code39Check: next.code39Check });
            setSymbologyKey(next.symbologies.join(','));
          }}
        />
        <section className="no-print" aria-label="Camera test">
          <h2>Camera</h2>
          {/* Reopened when the symbologies change: the engine reads the choice when the camera opens. */}
          {cameraOpen ? (
            <CameraView key={symbologyKey} onClose={() => setCameraOpen(false)} />
          ) : (
            <button type="button" onClick={() => setCameraOpen(true)}>
              Test the camera
            </button>
          )}
          {cameraOpen ? <p>{`${runtime.settings().symbologies.length} symbologies enabled`}</p> : null}
          <TypedEntry label="Or type a code to check it" />
          {lastCamera ? <ScanResultView result={lastCamera.result} duplicate={lastCamera.duplicate} /> : null}
        </section>
      </main>
    </div>
  );
}
