/**
 * The page side of the zxing-wasm worker: a Decoder whose frames travel to the worker
 * (their pixel buffer transferred, not copied) and whose results come back by id.
 */
import type { Decoded, Decoder, Frame } from './types.ts';
import type { EngineConfig } from './zxing-wasm-engine.ts';
import type { WorkerRequest, WorkerResponse } from './worker-messages.ts';

/** Starts the worker and waits until its wasm engine answers a first (blank) frame. */
export async function createWorkerDecoder(config: EngineConfig): Promise<Decoder> {
  const worker = new Worker(new URL('./zxing-worker.ts', import.meta.url), { type: 'module', name: 'zxing-wasm' });
  const pending = new Map<number, { resolve(r: Decoded[]): void; reject(e: Error): void }>();
  let nextId = 1;
  worker.onmessage = (ev: MessageEvent<WorkerResponse>) => {
    const p = pending.get(ev.data.id);
    if (!p) return;
    pending.delete(ev.data.id);
    if (ev.data.ok) p.resolve(ev.data.results);
    else p.reject(new Error(`zxing-wasm worker: ${ev.data.error}`));
  };
  worker.onerror = (ev) => {
    for (const p of pending.values()) p.reject(new Error(`zxing-wasm worker failed: ${ev.message}`));
    pending.clear();
  };
  const decode = (frame: Frame) =>
    new Promise<Decoded[]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const data = frame.data;
      worker.postMessage({ id, frame: { data, width: frame.width, height: frame.height }, config } satisfies WorkerRequest, [data.buffer]);
    });
  await decode({ data: new Uint8ClampedArray(4 * 16 * 16).fill(255), width: 16, height: 16 });
  return {
    engine: 'zxing-wasm',
    decode,
    close() {
      worker.terminate();
      for (const p of pending.values()) p.reject(new Error('decoder closed'));
      pending.clear();
    },
  };
}
