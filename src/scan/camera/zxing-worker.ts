/// <reference lib="webworker" />
/**
 * The zxing-wasm engine in a Web Worker, so decoding never blocks the screen. The .wasm
 * URL comes from Vite (`?url`): the file ships with the app and the PWA precaches it.
 */
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import * as zx from 'zxing-wasm/reader';
import { CAMERA_TUNING, createZxingWasmDecoderFrom } from './zxing-wasm-engine.ts';
import type { Decoded, Decoder, Frame } from './types.ts';

export type WorkerRequest = { id: number; frame: Frame };
export type WorkerResponse = { id: number; ok: true; results: Decoded[]; ms: number } | { id: number; ok: false; error: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;
let decoder: Promise<Decoder> | undefined;

scope.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const { id, frame } = ev.data;
  try {
    decoder ??= createZxingWasmDecoderFrom(zx, { wasmUrl }, CAMERA_TUNING);
    const d = await decoder;
    const t0 = performance.now();
    const results = await d.decode(frame);
    scope.postMessage({ id, ok: true, results, ms: performance.now() - t0 } satisfies WorkerResponse);
  } catch (err) {
    scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse);
  }
};
