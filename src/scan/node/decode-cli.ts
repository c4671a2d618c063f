/**
 * `npm run decode -- [--engine=zxing-wasm|zxing-browser] [--symbologies=a,b] FILE...`:
 * decodes photos of labels (PNG, JPEG, WebP) with the app's engines and prints one JSON
 * line per image: { file, engine, format, text, parsed, refused? }. `text` is the raw
 * content with GS1 separators as ASCII 29, null when nothing was read. The camera's rule
 * holds: a 1D code needs two agreeing readings (here: differently prepared images), an
 * EAN/UPC must also be confirmed by measuring its bars again (`camera/ean-check.ts`), and
 * where readings disagree or cannot be confirmed nothing is read and `refused` says why.
 */
import { SYMBOLOGIES, isSymbology, type Symbology } from '../../domain/barcode/symbology.ts';
import type { EngineName } from '../camera/types.ts';
import { PHOTO_TUNING } from '../camera/zxing-wasm-engine.ts';
import { readPhoto } from '../photo.ts';
import { readFrame } from '../read-frame.ts';
import { loadImageFile } from './load-image.ts';
import { createNodeDecoder, nodeEngines } from './node-decoders.ts';

const args = process.argv.slice(2);
const engineArg = args.find((a) => a.startsWith('--engine='))?.slice('--engine='.length);
const symbologyArg = args.find((a) => a.startsWith('--symbologies='))?.slice('--symbologies='.length);
const files = args.filter((a) => !a.startsWith('--'));

if (files.length === 0) {
  console.error('usage: npm run decode -- [--engine=zxing-wasm|zxing-browser] [--symbologies=ean-upc,code-39,...] FILE...');
  process.exit(2);
}
// A photo may hold any label: every symbology unless told otherwise.
const symbologies = symbologyArg ? symbologyArg.split(',') : SYMBOLOGIES.map((s) => s.id);
if (!symbologies.every(isSymbology)) {
  console.error(`symbologies must be among ${SYMBOLOGIES.map((s) => s.id).join(', ')}; got ${JSON.stringify(symbologyArg)}`);
  process.exit(2);
}
const engine = (engineArg ?? 'zxing-wasm') as EngineName;
if (!nodeEngines().includes(engine)) {
  console.error(`engine must be one of ${nodeEngines().join(', ')}; got ${JSON.stringify(engineArg)}`);
  process.exit(2);
}

// A photo gets one chance, so the reader may take its time with it.
const decoder = await createNodeDecoder(engine, PHOTO_TUNING, { symbologies: symbologies as Symbology[], code39Check: false });
// ZXing-C++ finds a MaxiCode only in an image of the symbol alone (a crop or a scan).
const pure =
  engine === 'zxing-wasm' && symbologies.includes('maxicode')
    ? await createNodeDecoder(engine, { isPure: true, tryHarder: true }, { symbologies: ['maxicode'], code39Check: false })
    : undefined;
const referenceYear = new Date().getUTCFullYear();
let failed = 0;
for (const file of files) {
  try {
    const frame = await loadImageFile(file);
    const photo = await readPhoto(decoder, frame, { referenceYear });
    const { refused } = photo;
    // A 2D symbol with its own error correction: one reading is evidence enough.
    const reads = photo.reads.length === 0 && refused.length === 0 && pure ? (await readFrame(pure, frame, { referenceYear })).reads : photo.reads;
    const first = reads[0];
    console.log(
      JSON.stringify({
        file,
        engine,
        format: first?.decoded.format ?? null,
        text: first?.decoded.text ?? null,
        parsed: first?.parsed ?? null,
        ...(reads.length > 1 ? { others: reads.slice(1).map((r) => ({ format: r.decoded.format, text: r.decoded.text })) } : {}),
        ...(refused.length > 0 ? { refused: refused.map((r) => r.message).join('; ') } : {}),
      }),
    );
  } catch (err) {
    failed += 1;
    console.log(JSON.stringify({ file, engine, format: null, text: null, parsed: null, error: err instanceof Error ? err.message : String(err) }));
  }
}
decoder.close();
pure?.close();
process.exit(failed > 0 ? 1 : 0);
