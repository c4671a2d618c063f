/**
 * `npm run decode -- [--engine=zxing-wasm|zxing-browser] FILE...`: decodes photos of
 * labels (PNG, JPEG, WebP) through the app's own camera path and prints one JSON line
 * per image: { file, engine, format, text, parsed }. `text` is the raw content with GS1
 * separators as ASCII 29, null when nothing was read.
 */
import { readFrame } from '../read-frame.ts';
import type { EngineName } from '../camera/types.ts';
import { PHOTO_TUNING } from '../camera/zxing-wasm-engine.ts';
import { loadImageFile } from './load-image.ts';
import { createNodeDecoder, nodeEngines } from './node-decoders.ts';

const args = process.argv.slice(2);
const engineArg = args.find((a) => a.startsWith('--engine='))?.slice('--engine='.length);
const files = args.filter((a) => !a.startsWith('--'));

if (files.length === 0) {
  console.error('usage: npm run decode -- [--engine=zxing-wasm|zxing-browser] FILE...');
  process.exit(2);
}
const engine = (engineArg ?? 'zxing-wasm') as EngineName;
if (!nodeEngines().includes(engine)) {
  console.error(`engine must be one of ${nodeEngines().join(', ')}; got ${JSON.stringify(engineArg)}`);
  process.exit(2);
}

// A photo gets one chance, so the reader may take its time with it.
const decoder = await createNodeDecoder(engine, PHOTO_TUNING);
const referenceYear = new Date().getUTCFullYear();
let failed = 0;
for (const file of files) {
  try {
    const frame = await loadImageFile(file);
    const { reads } = await readFrame(decoder, frame, { referenceYear });
    const first = reads[0];
    console.log(
      JSON.stringify({
        file,
        engine,
        format: first?.decoded.format ?? null,
        text: first?.decoded.text ?? null,
        parsed: first?.parsed ?? null,
        ...(reads.length > 1 ? { others: reads.slice(1).map((r) => ({ format: r.decoded.format, text: r.decoded.text })) } : {}),
      }),
    );
  } catch (err) {
    failed += 1;
    console.log(JSON.stringify({ file, engine, format: null, text: null, parsed: null, error: err instanceof Error ? err.message : String(err) }));
  }
}
decoder.close();
process.exit(failed > 0 ? 1 : 0);
