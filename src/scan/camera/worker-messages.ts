/** The messages between the page (worker-decoder.ts) and the decoding worker (zxing-worker.ts). */
import type { Decoded, Frame } from './types.ts';
import type { EngineConfig } from './zxing-wasm-engine.ts';

/** Each frame carries the site's reading config; a changed one rebuilds the decoder. */
export type WorkerRequest = { id: number; frame: Frame; config: EngineConfig };
export type WorkerResponse = { id: number; ok: true; results: Decoded[]; ms: number } | { id: number; ok: false; error: string };
