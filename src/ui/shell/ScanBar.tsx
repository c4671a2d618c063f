import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { fromScanResult, type WorkflowScan } from '../../domain/workflows/common.ts';
import { playFeedback } from '../feedback/sound.ts';
import { useT } from '../i18n/i18n.ts';
import { useScanRuntime } from '../scan/scan-runtime.ts';
import { useScanner } from '../scan/useScanner.ts';
import { useSession } from '../session/store.ts';

// Loaded when the camera is first opened (with the camera's own code), not with the screen.
const CameraView = lazy(() => import('../scan/CameraView.tsx').then((m) => ({ default: m.CameraView })));

export type ScanHandler = (scan: WorkflowScan, raw: string) => void;

/**
 * The persistent scan bar at the bottom of every scanning screen. Every input goes through
 * the one scan pipeline: the keyboard-wedge scanner (captured wherever focus is), the camera
 * and the typed field. A repeat the pipeline calls a duplicate is reported, never recorded;
 * but a repeat of a refused scan is tried again (nothing was done the first time). A wedge
 * fragment (its suffix never came) is reported and never acted on.
 */
export function ScanBar({ onScan, allowRepeats = false }: { onScan: ScanHandler; allowRepeats?: boolean }) {
  const runtime = useScanRuntime();
  const show = useSession((s) => s.show);
  const { t } = useT();
  const [text, setText] = useState('');
  const [camera, setCamera] = useState(false);
  useScanner(
    (scan) => {
      const last = useSession.getState().feedback;
      if (scan.duplicate && last?.tone !== 'wrong') {
        show({ tone: 'duplicate', code: 'scan.repeat', params: { display: scan.result.display } });
        playFeedback('duplicate');
        return;
      }
      onScan(fromScanResult(scan.result), scan.result.raw);
    },
    { allowRepeats },
  );
  useEffect(
    () =>
      runtime.onWedge((burst) => {
        if (!burst.fragment) return;
        show({ tone: 'wrong', code: 'scan.fragment', params: { display: burst.raw.slice(0, 40) } });
        playFeedback('wrong');
      }),
    [runtime, show],
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
      {camera ? (
        <Suspense fallback={null}>
          <CameraView onClose={() => setCamera(false)} />
        </Suspense>
      ) : null}
      <div className="scanbar">
        <form onSubmit={submit} aria-label={t('ui.scan')}>
          <input
            aria-label={t('ui.scanField')}
            placeholder={t('ui.scanField')}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            enterKeyHint="go"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" aria-label={t('ui.enterCode')}>
            OK
          </button>
        </form>
        <button type="button" aria-pressed={camera} aria-label={t('ui.camera')} onClick={() => setCamera((c) => !c)}>
          {t('ui.cameraShort')}
        </button>
      </div>
    </div>
  );
}
