/**
 * Scanning figures: per camera engine available in Node, the read rate, wrong reads and
 * false positives on the generated corpus after the two-decode rule, the decode time per
 * 1280x720 frame; and the keyboard wedge on a scripted burst of 1,000 scans at 20 a second.
 */
import { ScanPipeline } from '../src/scan/pipeline.ts';
import { DEFAULT_WEDGE_SETTINGS, WedgeCapture } from '../src/scan/wedge.ts';
import { scanIdentity } from '../src/scan/read-frame.ts';
import { createNodeDecoder, nodeEngines } from '../src/scan/node/node-decoders.ts';
import { blankFrames, corpus, REFERENCE_YEAR, type CorpusSample } from '../tests/fixtures/barcode-corpus.ts';
import { ScriptedClock } from '../tests/fixtures/barcode-clock.ts';
import { seeded } from '../tests/fixtures/random.ts';
import { scannerKeys } from '../tests/fixtures/barcode-keys.ts';
import { quantile, round, type Report } from './report.ts';

const FRAME_MS = 33;

async function benchEngine(report: Report, engine: ReturnType<typeof nodeEngines>[number], samples: CorpusSample[]): Promise<void> {
  const decoder = await createNodeDecoder(engine);
  const times: number[] = [];
  const clock = new ScriptedClock();
  const pipeline = new ScanPipeline({ clock, year: () => REFERENCE_YEAR });
  const decodeFrame = async (frame: CorpusSample['frames'][0]) => {
    const t0 = performance.now();
    const found = await decoder.decode(frame);
    times.push(performance.now() - t0);
    clock.advance(FRAME_MS);
    return pipeline.pushCameraFrame(found, engine);
  };
  // Warm-up: the first call compiles and instantiates the engine.
  await decoder.decode(samples[0]!.frames[0]);
  let read = 0;
  let wrong = 0;
  for (const s of samples) {
    pipeline.resetCamera();
    clock.advance(5000);
    const confirmed = [...(await decodeFrame(s.frames[0])), ...(await decodeFrame(s.frames[1]))];
    if (confirmed.some((c) => scanIdentity(c.result) === s.expected)) read++;
    // A wrong read is one the floor would act on: a trusted kind that means something else.
    wrong += confirmed.filter((c) => c.result.kind !== 'unknown' && scanIdentity(c.result) !== s.expected).length;
  }
  let falsePositives = 0;
  for (const f of blankFrames(10, 4242)) {
    pipeline.resetCamera();
    clock.advance(5000);
    const a = await decodeFrame(f);
    const b = await decodeFrame(f);
    falsePositives += a.length + b.length;
  }
  decoder.close();
  report({ metric: `scan.${engine}.read_rate`, value: round(read / samples.length, 3), unit: 'ratio' });
  report({ metric: `scan.${engine}.wrong_reads`, value: wrong, unit: 'count' });
  report({ metric: `scan.${engine}.false_positives`, value: falsePositives, unit: 'count' });
  report({ metric: `scan.${engine}.frame_p50_ms`, value: round(quantile(times, 0.5)), unit: 'ms' });
  report({ metric: `scan.${engine}.frame_p95_ms`, value: round(quantile(times, 0.95)), unit: 'ms' });
}

function benchWedge(report: Report): void {
  const clock = new ScriptedClock();
  const got: string[] = [];
  const wedge = new WedgeCapture(DEFAULT_WEDGE_SETTINGS, clock, { scan: (s) => got.push(s.raw), replay: (t) => got.push(`typed:${t}`) });
  const rand = seeded(2024);
  const expected: string[] = [];
  let t = 0;
  for (let i = 0; i < 1000; i++) {
    const kind = i % 3;
    const data = kind === 0 ? `950600013435${i % 10}` : kind === 1 ? `T-${String(i).padStart(4, '0')}` : `\u001d0109506000134352\u001d10L${i}`;
    expected.push(data);
    // Real scanners type 1-6 ms apart; the next scan starts on the 50 ms tick.
    const keys = scannerKeys(data, { gapMs: () => 1 + Math.floor(rand() * 6) });
    const start = i * 50;
    keys[0]!.gapMs = Math.max(0, start - t);
    for (const k of keys) {
      clock.advance(k.gapMs);
      t += k.gapMs;
      wedge.key(k);
    }
  }
  clock.advance(1000);
  // Lost or merged: expected scans not delivered as themselves, plus anything extra.
  let matched = 0;
  for (let i = 0, j = 0; i < expected.length && j < got.length; ) {
    if (expected[i] === got[j]) {
      matched++;
      i++;
      j++;
    } else j++;
  }
  report({ metric: 'scan.wedge.lost_or_merged', value: expected.length - matched + (got.length - matched), unit: 'count' });
}

export async function run(report: Report): Promise<void> {
  benchWedge(report);
  const samples: CorpusSample[] = [];
  for await (const s of corpus()) samples.push(s);
  for (const engine of nodeEngines()) await benchEngine(report, engine, samples);
}
