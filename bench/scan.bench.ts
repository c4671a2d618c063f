/**
 * Scanning figures. The camera engines on the harder corpus (every symbology, each under
 * conditions that combine several faults; three consecutive frames per label through the
 * pipeline's evidence rule): read rate per symbology and per condition, wrong reads,
 * refusals, false positives on frames without a barcode or with barcode-like texture, and
 * the decode time per 1280x720 frame with the common set enabled (and with everything).
 * The keyboard wedge: 1,000 scans at 20 a second, every symbology's AIM identifier among
 * them, none lost or merged, each parsed to what it means.
 */
import { parseScan } from '../src/domain/barcode/parse-scan.ts';
import { DEFAULT_SYMBOLOGIES, SYMBOLOGIES, type Symbology } from '../src/domain/barcode/symbology.ts';
import type { Decoder, EngineName, Frame } from '../src/scan/camera/types.ts';
import { DEFAULT_REGION, type Region } from '../src/scan/camera/camera.ts';
import { frameSignature } from '../src/scan/evidence.ts';
import { createNodeDecoder, nodeEngines } from '../src/scan/node/node-decoders.ts';
import { ScanPipeline, type PipelineScan } from '../src/scan/pipeline.ts';
import { scanIdentity } from '../src/scan/read-frame.ts';
import { DEFAULT_WEDGE_SETTINGS, WedgeCapture } from '../src/scan/wedge.ts';
import {
  ALL_SYMBOLS,
  REFERENCE_YEAR,
  SYMBOLS,
  blankFrames,
  corpus,
  expectedIdentity,
  renderSymbol,
  type SymbolSpec,
} from '../tests/fixtures/barcode-corpus.ts';
import { ScriptedClock } from '../tests/fixtures/clock.ts';
import { scannerKeys } from '../tests/fixtures/barcode-keys.ts';
import { CONDITIONS, TEXTURES, hardCorpus, photographHard, textureFrame } from '../tests/fixtures/barcode-photo.ts';
import { seeded } from '../tests/fixtures/random.ts';
import { barEdges, smudgeBar } from '../tests/fixtures/barcode-smudge.ts';
import { quantile, round, type Report } from './report.ts';

const FRAME_MS = 33;
const ALL: Symbology[] = SYMBOLOGIES.map((s) => s.id);

/** The part of a frame the camera hands the decoder: its viewfinder region (`camera.ts`, `grab`). */
function viewfinder(frame: Frame, r: Region = DEFAULT_REGION): Frame {
  const sx = Math.round(frame.width * r.x);
  const sy = Math.round(frame.height * r.y);
  const width = Math.round(frame.width * r.width);
  const height = Math.round(frame.height * r.height);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) data.set(frame.data.subarray(((sy + y) * frame.width + sx) * 4, ((sy + y) * frame.width + sx + width) * 4), y * width * 4);
  return { data, width, height };
}

/** One engine behind the pipeline, as the camera runs it; counts what a label's frames gave. */
class Rig {
  readonly times: number[] = [];
  /** CPU time of this process per frame: less swayed by other work on a shared machine. */
  readonly cpuTimes: number[] = [];
  /** Decode times of the viewfinder region alone (timed only when asked; not fed to the pipeline). */
  readonly regionTimes: number[] = [];
  readonly regionCpuTimes: number[] = [];
  timeRegion = false;
  private readonly clock = new ScriptedClock();
  private readonly pipeline: ScanPipeline;
  read = 0;
  wrong = 0;
  /** The right product, its add-on not read (a book or periodical is held instead). */
  addOnMissed = 0;
  refusals = 0;
  samples = 0;

  constructor(
    readonly decoder: Decoder,
    readonly engine: EngineName,
    enabled: readonly Symbology[],
  ) {
    this.pipeline = new ScanPipeline({ clock: this.clock, year: () => REFERENCE_YEAR, enabled: new Set(enabled) });
  }

  /** Feeds one label's frames; true when the right meaning was confirmed. */
  async label(frames: readonly Frame[], expected: string | null, alsoRight?: string, bare?: string): Promise<{ read: boolean; emitted: PipelineScan[] }> {
    this.pipeline.resetCamera();
    this.clock.advance(5000);
    const emitted: PipelineScan[] = [];
    for (const f of frames) {
      const signature = frameSignature(f);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const found = await this.decoder.decode(f);
      const c1 = process.cpuUsage(c0);
      this.times.push(performance.now() - t0);
      this.cpuTimes.push((c1.user + c1.system) / 1000);
      if (this.timeRegion) {
        const region = viewfinder(f);
        const r0 = performance.now();
        const rc0 = process.cpuUsage();
        await this.decoder.decode(region);
        const rc1 = process.cpuUsage(rc0);
        this.regionTimes.push(performance.now() - r0);
        this.regionCpuTimes.push((rc1.user + rc1.system) / 1000);
      }
      this.clock.advance(FRAME_MS);
      emitted.push(...this.pipeline.pushCameraFrame(found, this.engine, signature));
    }
    const taken = emitted.filter((e) => e.result.problems[0]?.code !== 'conflicting_reads');
    this.refusals += emitted.length - taken.length;
    const read = expected !== null && taken.some((e) => scanIdentity(e.result) === expected);
    // A wrong read is one the floor would act on: a trusted kind that means something else.
    const other = taken.filter((e) => e.result.kind !== 'unknown' && scanIdentity(e.result) !== expected && scanIdentity(e.result) !== alsoRight);
    const missed = other.filter((e) => bare !== undefined && scanIdentity(e.result) === bare);
    this.addOnMissed += missed.length;
    const wrong = other.filter((e) => !missed.includes(e));
    if (expected !== null) {
      this.samples++;
      if (read) this.read++;
    }
    this.wrong += wrong.length;
    return { read, emitted: taken };
  }
}

/** What a read of the label's product code without its add-on means (undefined: no add-on). */
function bareIdentity(spec: SymbolSpec): string | undefined {
  const r = parseScan(spec.canonical, { referenceYear: REFERENCE_YEAR });
  return r.kind === 'product' && r.addOn !== undefined ? scanIdentity({ ...r, addOn: undefined }) : undefined;
}

type Tally = Map<string, { read: number; of: number }>;
const count = (t: Tally, k: string, read: boolean) => {
  const e = t.get(k) ?? { read: 0, of: 0 };
  e.of++;
  if (read) e.read++;
  t.set(k, e);
};

async function benchZxingWasm(report: Report): Promise<void> {
  const all = new Rig(await createNodeDecoder('zxing-wasm', undefined, { symbologies: ALL, code39Check: false }), 'zxing-wasm', ALL);
  const common = new Rig(
    await createNodeDecoder('zxing-wasm', undefined, { symbologies: DEFAULT_SYMBOLOGIES, code39Check: false }),
    'zxing-wasm',
    DEFAULT_SYMBOLOGIES,
  );
  common.timeRegion = true;
  // The common set with stacked DataBar added (a site's choice): its second look's cost per frame.
  const withStacked: Symbology[] = [...DEFAULT_SYMBOLOGIES, 'databar-stacked'];
  const stacked = await createNodeDecoder('zxing-wasm', undefined, { symbologies: withStacked, code39Check: false });
  const stackedTimes: number[] = [];
  const bySymbology: Tally = new Map();
  const byCondition: Tally = new Map();
  const byLabel: Tally = new Map();
  const warm = blankFrames(1, 1)[0] as Frame;
  await all.decoder.decode(warm);
  await common.decoder.decode(warm);
  await stacked.decode(warm);
  all.times.length = 0;
  common.times.length = 0;
  // Three frames (100 ms at 30 fps) per label: agreement needs two that differ.
  for await (const s of hardCorpus({ symbols: ALL_SYMBOLS, takes: 3 })) {
    const frames = s.frames;
    const { read } = await all.label(frames, s.expected, s.alsoRight, bareIdentity(s.spec));
    const symbology = s.spec.symbology ?? 'ean-upc';
    count(bySymbology, symbology, read);
    count(byCondition, s.condition.name, read);
    count(byLabel, s.spec.name, read);
    if (DEFAULT_SYMBOLOGIES.includes(symbology)) await common.label(frames, s.expected, s.alsoRight, bareIdentity(s.spec));
    if (withStacked.includes(symbology)) {
      for (const f of frames) {
        const t0 = performance.now();
        await stacked.decode(f);
        stackedTimes.push(performance.now() - t0);
      }
    }
  }
  // Labels smudged across one bar (EAN-13, UPC-A): what the engine alone read wrong, and what reached the pipeline.
  const smudgeRig = new Rig(all.decoder, 'zxing-wasm', ALL);
  let engineWrong = 0;
  let smudged = 0;
  for (const spec of ALL_SYMBOLS.filter((x) => x.name === 'ean-13' || x.name === 'upc-a')) {
    const label = await renderSymbol(spec);
    const right = spec.canonical.slice(3);
    for (let k = 1; k < barEdges(label).length - 1; k += 2) {
      for (const cond of CONDITIONS.filter((x) => ['clean', 'low-light', 'jpeg-blocks'].includes(x.name))) {
        const frames = [0, 1, 2].map((take) => photographHard(smudgeBar(label, k), spec, cond, 100 + k, take));
        for (const f of frames)
          engineWrong += (await all.decoder.decode(f)).filter((d) => d.format !== 'code-128' && d.text !== right && `0${d.text}` !== right).length;
        await smudgeRig.label(frames, expectedIdentity(spec));
        smudged++;
      }
    }
  }
  let falsePositives = 0;
  let scenes = 0;
  for (const kind of TEXTURES) {
    for (let n = 0; n < 4; n++) {
      const frames = [0, 1, 2].map((take) => textureFrame(kind, 7000 + n * 13, take));
      falsePositives += (await all.label(frames, null)).emitted.length;
      scenes++;
    }
  }
  const commonTimes = [...common.times];
  const allTimes = [...all.times];
  all.decoder.close();
  common.decoder.close();
  stacked.close();
  for (const { id } of SYMBOLOGIES) {
    const t = bySymbology.get(id);
    if (t) report({ metric: `scan.zxing-wasm.${id}.read_rate`, value: round(t.read / t.of, 3), unit: 'ratio' });
  }
  for (const [name, t] of byCondition) report({ metric: `scan.zxing-wasm.condition.${name}.read_rate`, value: round(t.read / t.of, 3), unit: 'ratio' });
  for (const [name, t] of byLabel) report({ metric: `scan.zxing-wasm.label.${name}.read_rate`, value: round(t.read / t.of, 3), unit: 'ratio' });
  report({ metric: 'scan.zxing-wasm.read_rate', value: round(all.read / all.samples, 3), unit: 'ratio' });
  report({ metric: 'scan.zxing-wasm.wrong_reads', value: all.wrong + common.wrong, unit: 'count' });
  report({ metric: 'scan.zxing-wasm.smudged.labels', value: smudged, unit: 'count' });
  report({ metric: 'scan.zxing-wasm.smudged.engine_wrong_decodes', value: engineWrong, unit: 'count' });
  report({ metric: 'scan.zxing-wasm.smudged.wrong_reads', value: smudgeRig.wrong, unit: 'count' });
  report({ metric: 'scan.zxing-wasm.smudged.read_rate', value: round(smudgeRig.read / smudgeRig.samples, 3), unit: 'ratio' });
  report({ metric: 'scan.zxing-wasm.refusals', value: all.refusals, unit: 'count' });
  report({ metric: 'scan.zxing-wasm.addon_missed', value: all.addOnMissed, unit: 'count' });
  report({ metric: 'scan.zxing-wasm.false_positives', value: falsePositives, unit: 'count' });
  report({ metric: 'scan.zxing-wasm.false_positive_scenes', value: scenes, unit: 'count' });
  report({ metric: 'scan.zxing-wasm.common.read_rate', value: round(common.read / common.samples, 3), unit: 'ratio' });
  report({ metric: 'scan.zxing-wasm.frame_p50_ms', value: round(quantile(commonTimes, 0.5)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.frame_p95_ms', value: round(quantile(commonTimes, 0.95)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.frame_p50_cpu_ms', value: round(quantile(common.cpuTimes, 0.5)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.frame_p95_cpu_ms', value: round(quantile(common.cpuTimes, 0.95)), unit: 'ms' });
  // What the camera decodes per frame at 1280x720 capture: the default viewfinder region (1024x360).
  report({ metric: 'scan.zxing-wasm.viewfinder.frame_p95_ms', value: round(quantile(common.regionTimes, 0.95)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.viewfinder.frame_p95_cpu_ms', value: round(quantile(common.regionCpuTimes, 0.95)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.common_stacked.frame_p95_ms', value: round(quantile(stackedTimes, 0.95)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.all.frame_p50_ms', value: round(quantile(allTimes, 0.5)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.all.frame_p95_ms', value: round(quantile(allTimes, 0.95)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.all.frame_p50_cpu_ms', value: round(quantile(all.cpuTimes, 0.5)), unit: 'ms' });
  report({ metric: 'scan.zxing-wasm.all.frame_p95_cpu_ms', value: round(quantile(all.cpuTimes, 0.95)), unit: 'ms' });
  // The earlier, easier corpus (one distortion at a time), for comparison with past figures.
  const easy = new Rig(await createNodeDecoder('zxing-wasm'), 'zxing-wasm', DEFAULT_SYMBOLOGIES);
  for await (const s of corpus()) await easy.label(s.frames, s.expected);
  easy.decoder.close();
  report({ metric: 'scan.zxing-wasm.easy.read_rate', value: round(easy.read / easy.samples, 3), unit: 'ratio' });
  report({ metric: 'scan.zxing-wasm.easy.wrong_reads', value: easy.wrong, unit: 'count' });
}

/** The TypeScript fallback reads the retail and GS1 logistics formats only: measured on those. */
async function benchZxingBrowser(report: Report): Promise<void> {
  const rig = new Rig(await createNodeDecoder('zxing-browser'), 'zxing-browser', DEFAULT_SYMBOLOGIES);
  for await (const s of hardCorpus({ symbols: SYMBOLS })) await rig.label(s.frames, s.expected, s.alsoRight);
  rig.decoder.close();
  report({ metric: 'scan.zxing-browser.read_rate', value: round(rig.read / rig.samples, 3), unit: 'ratio' });
  report({ metric: 'scan.zxing-browser.wrong_reads', value: rig.wrong, unit: 'count' });
  report({ metric: 'scan.zxing-browser.frame_p95_ms', value: round(quantile(rig.times, 0.95)), unit: 'ms' });
}

/** What hardware scanners send, AIM identifier first, and what each must mean. */
const WEDGE_SCANS: readonly string[] = [
  ']E09506000134352',
  ']E496385074',
  ']E0042100005264',
  ']C0T-0001',
  ']I119506000134359',
  ']Q1https://id.example.com/01/09506000134352/10/ABC?17=261231',
  ']Q3010950600013435210AB\u001d217',
  ']e00101234567890128',
  ']E3978123456789712345',
  ']E3003600029145212',
  ']C1010950600013435210ABC\u001d17261231',
  ']A0A-01-07',
  ']A1A-12-032',
  ']A4Bin a/7',
  ']G0PART-93X',
  ']F0A40156B',
  ']e00109506000134352',
  ']e00199506000134355310300075039221299\u001d17261231',
  ']L2[)>\u001e01\u001d96100010000\u001d840\u001d001\u001d1Z4A86F70390123456\u001dUPSN\u001d4A86F7\u001d331\u001d\u001d1/1\u001d12.0\u001dY\u001d\u001dNEW YORK\u001dNY\u001e\u0004',
  ']U1[)>\u001e01\u001d96123450000\u001d840\u001d001\u001d1Z12345675\u001dUPSN\u001d123X56\u001d028\u001d\u001d1/1\u001d10.1\u001dY\u001d\u001dNEW YORK\u001dNY\u001e\u0004',
  ']d2010950600013435217261231' + '10LOT1\u001d21S123',
  'T-0001',
];

function benchWedge(report: Report): void {
  const clock = new ScriptedClock();
  const got: string[] = [];
  const wedge = new WedgeCapture(DEFAULT_WEDGE_SETTINGS, clock, { scan: (s) => got.push(s.raw), replay: (t) => got.push(`typed:${t}`) });
  const rand = seeded(2024);
  const expected: string[] = [];
  let t = 0;
  for (let i = 0; i < 1000; i++) {
    const data = WEDGE_SCANS[i % WEDGE_SCANS.length] as string;
    expected.push(data);
    // Real scanners type 1-6 ms apart; the next scan starts on the 50 ms tick (long labels run over).
    const keys = scannerKeys(data, { gapMs: () => 1 + Math.floor(rand() * 3) });
    keys[0]!.gapMs = Math.max(1, i * 50 - t);
    for (const k of keys) {
      clock.advance(k.gapMs);
      t += k.gapMs;
      wedge.key(k);
    }
  }
  clock.advance(1000);
  // Lost or merged: expected scans not delivered as themselves, plus anything extra.
  let matched = 0;
  for (let i = 0, j = 0; i < expected.length && j < got.length;) {
    if (expected[i] === got[j]) {
      matched++;
      i++;
      j++;
    } else j++;
  }
  report({ metric: 'scan.wedge.lost_or_merged', value: expected.length - matched + (got.length - matched), unit: 'count' });
  // Each delivered scan parses to a trusted meaning or a named carrier label, never to garbage.
  const misparsed = got.filter((raw) => {
    const r = parseScan(raw, { referenceYear: REFERENCE_YEAR, enabled: new Set(ALL) });
    return r.kind === 'unknown' && !r.shipment && r.problems.some((p) => p.code !== 'unrecognised');
  }).length;
  report({ metric: 'scan.wedge.aim_misparsed', value: misparsed, unit: 'count' });
  report({ metric: 'scan.wedge.aim_identifiers', value: new Set(WEDGE_SCANS.map((s) => s.slice(0, 3)).filter((s) => s.startsWith(']'))).size, unit: 'count' });
}

export async function run(report: Report): Promise<void> {
  benchWedge(report);
  const engines = nodeEngines();
  if (engines.includes('zxing-wasm')) await benchZxingWasm(report);
  if (engines.includes('zxing-browser')) await benchZxingBrowser(report);
}
