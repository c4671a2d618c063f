import { useState, type FormEvent } from 'react';
import { fromScanResult, type WorkflowScan } from '../../domain/workflows/common.ts';
import { playFeedback } from '../feedback/sound.ts';
import { CameraView } from '../scan/CameraView.tsx';
import { useScanRuntime } from '../scan/scan-runtime.ts';
import { useScanner } from '../scan/useScanner.ts';
import { useSession } from '../session/store.ts';

export type ScanHandler = (scan: WorkflowScan, raw: string) => void;

/**
 * The persistent scan bar at the bottom of every scanning screen. Every input goes through
 * the one scan pipeline: the keyboard-wedge scanner (captured wherever focus is), the camera
 * and the typed field. A repeat the pipeline calls a duplicate is reported, never recorded.
 */
export function ScanBar({ onScan, allowRepeats = false }: { onScan: ScanHandler; allowRepeats?: boolean }) {
  const runtime = useScanRuntime();
  const show = useSession((s) => s.show);
  const [text, setText] = useState('');
  const [camera, setCamera] = useState(false);
  useScanner(
    (scan) => {
      if (scan.duplicate) {
        show({ tone: 'duplicate', message: `Duplicate scan ignored: ${scan.result.display}` });
        playFeedback('duplicate');
        return;
      }
      onScan(fromScanResult(scan.result), scan.result.raw);
    },
    { allowRepeats },
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const raw = text.trim();
    if (!raw) return;
    setText('');
    runtime.pipeline.pushTyped(raw);
  };
  return (
    <div className="scanbar-wrap">
      {camera ? <CameraView onClose={() => setCamera(false)} /> : null}
      <div className="scanbar">
        <form onSubmit={submit} aria-label="Scan">
          <input
            aria-label="Scan or type a code"
            placeholder="Scan or type a code"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            enterKeyHint="go"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" aria-label="Enter code">
            OK
          </button>
        </form>
        <button type="button" aria-pressed={camera} aria-label="Scan with camera" onClick={() => setCamera((c) => !c)}>
          Camera
        </button>
      </div>
    </div>
  );
}
