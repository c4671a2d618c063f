/**
 * The page's scanning parts, made once: the pipeline, the keyboard wedge attached to the
 * document, and the camera (whose decoder loads only when it opens). Screens reach it
 * through the React hook; the calibration page also watches raw wedge bursts.
 */
import { compileLabelPatterns } from '../domain/barcode/labels.ts';
import { CameraScanner } from './camera/camera.ts';
import type { EngineName } from './camera/types.ts';
import { systemClock, type Clock } from './clock.ts';
import { ScanPipeline } from './pipeline.ts';
import { DEFAULT_SCAN_SETTINGS, checkScanSettings, type ScanSettings } from './settings.ts';
import { WedgeCapture, attachWedge, replayIntoFocus, type WedgeScan } from './wedge.ts';

export type ScanRuntime = {
  pipeline: ScanPipeline;
  camera: CameraScanner;
  settings(): ScanSettings;
  /** Applies new settings at once (the wedge is re-attached with them). */
  apply(settings: ScanSettings): void;
  /** Raw wedge bursts before parsing, for calibration. */
  onWedge(listener: (scan: WedgeScan) => void): () => void;
  /** While set, wedge bursts go only to the raw listeners (calibration), not to the pipeline. */
  setWedgeRawOnly(rawOnly: boolean): void;
  dispose(): void;
};

/** Starts scanning on a page. */
export function startScanRuntime(doc: Document, initial: ScanSettings = DEFAULT_SCAN_SETTINGS, clock: Clock = systemClock): ScanRuntime {
  let settings = checkScanSettings(initial);
  const pipeline = new ScanPipeline({
    clock,
    year: () => new Date().getFullYear(),
    labels: compileLabelPatterns(settings.labels),
    gsSubstitute: settings.wedge.gsSubstitute,
    gs1WithoutIdentifier: settings.wedge.gs1WithoutIdentifier ?? false,
    duplicateWindowMs: settings.duplicateWindowMs,
    enabled: new Set(settings.symbologies),
    code39Check: settings.code39Check,
  });
  const rawListeners = new Set<(s: WedgeScan) => void>();
  let rawOnly = false;
  const onScan = (scan: WedgeScan) => {
    for (const l of [...rawListeners]) l(scan);
    // A fragment (no suffix came) is reported to the listeners, never parsed nor acted on.
    if (!rawOnly && !scan.fragment) pipeline.pushWedge(scan);
  };
  let detach = attachWedge(doc, new WedgeCapture(settings.wedge, clock, { scan: onScan, replay: replayIntoFocus(doc) }));
  // A dynamic import: the engines and their libraries load when the camera first opens.
  // The engine reads the site's symbologies as they are when the camera opens.
  const loadDecoder = (preferred?: EngineName) =>
    import('./camera/load-decoder.ts').then((m) => m.loadBrowserDecoder(preferred, { symbologies: settings.symbologies, code39Check: settings.code39Check }));
  const camera = new CameraScanner(pipeline, loadDecoder, doc);
  return {
    pipeline,
    camera,
    settings: () => settings,
    apply(next) {
      settings = checkScanSettings(next);
      pipeline.configure({
        labels: compileLabelPatterns(settings.labels),
        gsSubstitute: settings.wedge.gsSubstitute,
        gs1WithoutIdentifier: settings.wedge.gs1WithoutIdentifier ?? false,
        duplicateWindowMs: settings.duplicateWindowMs,
        enabled: new Set(settings.symbologies),
        code39Check: settings.code39Check,
      });
      detach();
      detach = attachWedge(doc, new WedgeCapture(settings.wedge, clock, { scan: onScan, replay: replayIntoFocus(doc) }));
    },
    onWedge(listener) {
      rawListeners.add(listener);
      return () => rawListeners.delete(listener);
    },
    setWedgeRawOnly(value) {
      rawOnly = value;
    },
    dispose() {
      detach();
      camera.close();
    },
  };
}
