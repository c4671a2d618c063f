import { useEffect, useRef } from 'react';
import type { PipelineScan } from '../../scan/pipeline.ts';
import { useScanRuntime } from './scan-runtime.ts';

export type UseScannerOptions = {
  /** Counting units one by one: a repeat of the same code is another unit. */
  allowRepeats?: boolean;
  /** False pauses delivery (e.g. while a dialog is open). */
  enabled?: boolean;
};

/**
 * Delivers every parsed scan (wedge, camera, typed) to `onScan` while the screen is
 * mounted. Duplicates arrive flagged `duplicate: true`, for the screen to say so.
 */
export function useScanner(onScan: (scan: PipelineScan) => void, options: UseScannerOptions = {}): void {
  const runtime = useScanRuntime();
  const handler = useRef(onScan);
  useEffect(() => {
    handler.current = onScan;
  }, [onScan]);
  const { allowRepeats = false, enabled = true } = options;
  useEffect(() => {
    if (!enabled) return undefined;
    runtime.pipeline.setAllowRepeats(allowRepeats);
    const off = runtime.pipeline.subscribe((s) => handler.current(s));
    return () => {
      off();
      runtime.pipeline.setAllowRepeats(false);
    };
  }, [runtime, allowRepeats, enabled]);
}
