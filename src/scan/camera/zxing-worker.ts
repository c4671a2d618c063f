/**
 * The zxing-wasm engine in a Web Worker, so decoding never blocks the screen. The .wasm
 * URL comes from Vite (`?url`): the file ships with the app and the PWA precaches it.
 */
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import * as zx from 'zxing-wasm/reader';
import { CAMERA_TUNING, createZxingWasmDecoderFrom } from './zxing-wasm-engine.ts';
import type { Decoder } from './types.ts';
import type { WorkerRequest, WorkerResponse } from './worker-messages.ts';

// A worker's own global (tsconfig.worker.json gives this file the WebWorker lib, not the DOM).
const scope = self as DedicatedWorkerGlobalScope;
let decoder: Promise<Decoder> | undefined;
let configKey = '';

scope.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const { id, frame, config } = ev.data;
  try {
    const key = JSON.stringify(config);
    if (key !== configKey || !decoder) {
      configKey = key;
      decoder = createZxingWasmDecoderFrom(zx, { wasmUrl }, CAMERA_TUNING, config);
    }
    const d = await decoder;
    const t0 = performance.now();
    const results = await d.decode(frame);
    scope.postMessage({ id, ok: true, results, ms: performance.now() - t0 } satisfies WorkerResponse);
  } catch (err) {
    scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse);
  }
};
