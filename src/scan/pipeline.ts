/**
 * One stream of trusted scans from every input: the keyboard wedge, the camera and the
 * typed entry. A camera read of a 1D code counts only on independent evidence: the same
 * content from frames that differ (never the same image twice), with no other content
 * read at the same place meanwhile, and for EAN/UPC a second measurement of the bars
 * that confirms the engine's digits (a read it does not confirm is no evidence); where
 * reads disagree nothing is taken and the user is asked to scan again. The same code again within a short window is a duplicate
 * (reported, not a second unit) unless the workflow asks for repeats.
 */
import { displayText } from '../domain/barcode/display.ts';
import { FORMAT_SYMBOLOGY, parseScan, type ParseOptions, type ScanResult } from '../domain/barcode/parse-scan.ts';
import { DEFAULT_LABELS, type CompiledLabels } from '../domain/barcode/labels.ts';
import type { Symbology } from '../domain/barcode/symbology.ts';
import type { Clock } from './clock.ts';
import { toScanText, type Decoded, type EngineName } from './camera/types.ts';
import { evidenceKey, isLinear, samePlace, settleFrame } from './evidence.ts';
import type { WedgeScan } from './wedge.ts';

export type ScanSource = 'wedge' | 'camera' | 'typed';

export type PipelineScan = {
  result: ScanResult;
  source: ScanSource;
  /** Clock time of the scan (ms). */
  at: number;
  /** The same code was scanned within the duplicate window: not a second unit. */
  duplicate: boolean;
  engine?: EngineName;
};

export type PipelineOptions = {
  clock: Clock;
  /** The current year for GS1 dates; the domain has no clock. */
  year: () => number;
  labels?: CompiledLabels;
  /** What the wedge scanner types in place of ASCII 29. */
  gsSubstitute?: string;
  /** Read unmarked GS1 text from the wedge as GS1 (see `ParseOptions.gs1WithoutIdentifier`). */
  gs1WithoutIdentifier?: boolean;
  /** A repeat of the same code within this many ms is a duplicate. */
  duplicateWindowMs?: number;
  /** Camera reads further apart than this are not evidence for each other. */
  confirmWindowMs?: number;
  /** The site's accepted symbologies (absent: all). */
  enabled?: ReadonlySet<Symbology>;
  /** The site's Code 39 labels carry a check character. */
  code39Check?: boolean;
};

/** An unconfirmed 1D read: where and when it was seen, in which distinct frames, and the add-ons read with it. */
type Sighting = { d: Decoded; last: number; frames: Set<number>; addOns: Map<string, Set<number>> };

/**
 * EAN prefixes whose items carry an add-on (periodicals 977, 378/379, 414/419/434/439, 491;
 * books 978/979): with add-ons enabled, such a code read without one is held, as
 * hardware scanners do, rather than taken for the issue it may not be.
 */
const ADD_ON_PREFIX = /^(37[89]|41[49]|43[49]|491|97[789])/;

export type ScanListener = (scan: PipelineScan) => void;

export class ScanPipeline {
  private listeners = new Set<ScanListener>();
  private last: { key: string; at: number } | undefined;
  private sightings = new Map<string, Sighting>();
  /** Codes the camera has confirmed and still sees: not re-reported every frame. */
  private inView = new Map<string, { d: Decoded; last: number }>();
  /** Contents caught disagreeing: none of them may be confirmed until the window passes. */
  private blocked = new Map<string, number>();
  /** Contents read only in doubt (see `Decoded.doubt`): the frames that brought them, and until when the user was told. */
  private doubted = new Map<string, { frames: Set<number>; last: number; toldUntil: number }>();
  private repeats = false;
  private readonly duplicateWindowMs: number;
  private readonly confirmWindowMs: number;

  constructor(private opts: PipelineOptions) {
    this.duplicateWindowMs = opts.duplicateWindowMs ?? 1500;
    this.confirmWindowMs = opts.confirmWindowMs ?? 800;
  }

  /** Receives every scan until the returned function is called. */
  subscribe(listener: ScanListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Counting units one by one: the same code again is another unit, not a duplicate. */
  setAllowRepeats(allow: boolean): void {
    this.repeats = allow;
  }

  /** New labels or GS substitute from the device settings. */
  configure(patch: Partial<Pick<PipelineOptions, 'labels' | 'gsSubstitute' | 'gs1WithoutIdentifier' | 'duplicateWindowMs' | 'enabled' | 'code39Check'>>): void {
    this.opts = { ...this.opts, ...patch };
  }

  /** A scan from the keyboard wedge. */
  pushWedge(scan: WedgeScan): PipelineScan {
    const result = parseScan(scan.raw, { ...this.parseOpts(this.opts.gsSubstitute), gs1WithoutIdentifier: this.opts.gs1WithoutIdentifier ?? false });
    return this.emit(result, 'wedge');
  }

  /** A label typed by hand: validated the same way, never a duplicate (it was deliberate). */
  pushTyped(text: string): PipelineScan {
    const result = parseScan(text, { ...this.parseOpts(undefined), format: 'typed' });
    const scan = { result, source: 'typed' as const, at: this.opts.clock.now(), duplicate: false };
    this.last = { key: this.key(result), at: scan.at };
    this.notify(scan);
    return scan;
  }

  /**
   * One camera frame's decodes (an empty list when the frame held none) and the frame's
   * signature (`frameSignature`). Returns the scans it produced: a 2D code at once, a 1D
   * code once frames that differ agree on it, a refusal when reads disagree.
   */
  pushCameraFrame(decoded: readonly Decoded[], engine: EngineName, signature: number): PipelineScan[] {
    const now = this.opts.clock.now();
    const window = this.confirmWindowMs;
    for (const [k, v] of this.inView) if (now - v.last > window) this.inView.delete(k);
    for (const [k, v] of this.sightings) if (now - v.last > window) this.sightings.delete(k);
    for (const [k, until] of this.blocked) if (now > until) this.blocked.delete(k);
    for (const [k, v] of this.doubted) if (now - v.last > window && now > v.toldUntil) this.doubted.delete(k);
    const out: PipelineScan[] = [];
    const { reads, conflicts, doubtful } = settleFrame(decoded);
    for (const d of doubtful) this.doubt(d, signature, now, engine, out);
    for (const [a, b] of conflicts) this.conflict(a as Decoded, b as Decoded, now, engine, out);
    for (const d of reads) {
      const key = evidenceKey(d);
      if (this.blocked.has(key)) {
        this.blocked.set(key, now + window);
        continue;
      }
      const shown = this.inView.get(key);
      if (shown) {
        shown.last = now;
        // The code in view read again while another content waits at its place: they disagree.
        for (const [k, s] of this.sightings) if (k !== key && samePlace(s.d, d)) this.conflict(s.d, d, now, engine, out);
        continue;
      }
      if (!isLinear(d)) {
        this.inView.set(key, { d, last: now });
        out.push(this.emit(this.parse(d), 'camera', engine));
        continue;
      }
      const rival = [...this.sightings].find(([k, s]) => k !== key && samePlace(s.d, d));
      if (rival) {
        this.conflict(rival[1].d, d, now, engine, out);
        continue;
      }
      const mine = this.sightings.get(key) ?? { d, last: now, frames: new Set<number>(), addOns: new Map<string, Set<number>>() };
      if (d.symbologyIdentifier === ']E3') {
        const seen = mine.addOns.get(d.text.slice(13)) ?? new Set<number>();
        seen.add(signature);
        mine.addOns.set(d.text.slice(13), seen);
      }
      mine.last = now;
      mine.frames.add(signature);
      this.sightings.set(key, mine);
      // A new content where a confirmed one was just seen needs one frame more: it may be a misread of it.
      const near = [...this.inView.values()].some((v) => samePlace(v.d, d));
      if (mine.frames.size < (near ? 3 : 2)) continue;
      const taken = this.withAddOn(mine);
      if (taken === 'conflict') {
        const [a, b] = [...mine.addOns.keys()];
        this.conflict({ ...mine.d, text: `${key.split('\u0000')[1]}${a}` }, { ...mine.d, text: `${key.split('\u0000')[1]}${b}` }, now, engine, out);
        continue;
      }
      if (taken === 'wait') continue;
      this.sightings.delete(key);
      this.inView.set(key, { d: taken, last: now });
      out.push(this.emit(this.parse(taken), 'camera', engine));
    }
    return out;
  }

  /**
   * What a confirmed EAN/UPC is taken with: its add-on once two frames agree on it, none when
   * none was seen (unless its prefix calls for one); two different add-ons are a conflict.
   */
  private withAddOn(s: Sighting): Decoded | 'wait' | 'conflict' {
    if (s.addOns.size > 1) return 'conflict';
    const main = s.d.symbologyIdentifier === ']E3' ? s.d.text.slice(0, 13) : s.d.text;
    const [only] = [...s.addOns];
    if (only) return only[1].size >= 2 ? { ...s.d, symbologyIdentifier: ']E3', text: main + only[0] } : 'wait';
    const addOnsOn = !this.opts.enabled || this.opts.enabled.has('ean-addon');
    if (addOnsOn && FORMAT_SYMBOLOGY[s.d.format] === 'ean-upc' && main.length === 13 && ADD_ON_PREFIX.test(main)) return 'wait';
    return s.d;
  }

  /**
   * A read its engine could not confirm is no evidence; seen so in three frames that differ,
   * with nothing read there meanwhile, the user is asked once to rescan.
   */
  private doubt(d: Decoded, signature: number, now: number, engine: EngineName, out: PipelineScan[]): void {
    const key = evidenceKey(d);
    const v = this.doubted.get(key) ?? { frames: new Set<number>(), last: now, toldUntil: 0 };
    v.frames.add(signature);
    v.last = now;
    this.doubted.set(key, v);
    if (v.frames.size < 3 || now <= v.toldUntil) return;
    if ([...this.inView.values(), ...this.sightings.values()].some((s) => samePlace(s.d, d))) return;
    v.toldUntil = now + this.confirmWindowMs * 4;
    v.frames.clear();
    const message = `The camera cannot read this label clearly (${d.doubt?.why ?? 'unconfirmed'}): nothing was taken. Hold it flat and a little closer, or type it.`;
    const result: ScanResult = { kind: 'unknown', format: d.format, raw: '', text: '', display: '', problems: [{ code: 'conflicting_reads', message }] };
    const scan: PipelineScan = { result, source: 'camera', at: now, duplicate: false, engine };
    this.notify(scan);
    out.push(scan);
  }

  /** Forgets camera state, e.g. when the camera closes. */
  resetCamera(): void {
    this.doubted.clear();
    this.sightings.clear();
    this.inView.clear();
    this.blocked.clear();
  }

  /** Two contents at one place: both are voided for a window and the user is told once. */
  private conflict(a: Decoded, b: Decoded, now: number, engine: EngineName, out: PipelineScan[]): void {
    const keys = [evidenceKey(a), evidenceKey(b)];
    const told = keys.every((k) => this.blocked.has(k));
    for (const k of keys) {
      this.blocked.set(k, now + this.confirmWindowMs);
      this.sightings.delete(k);
    }
    if (told) return;
    const message = `The camera read this label two ways (${displayText(a.text)} / ${displayText(b.text)}): nothing was taken. Hold the label steady and scan again.`;
    const result: ScanResult = { kind: 'unknown', format: a.format, raw: '', text: '', display: '', problems: [{ code: 'conflicting_reads', message }] };
    const scan: PipelineScan = { result, source: 'camera', at: now, duplicate: false, engine };
    this.notify(scan);
    out.push(scan);
  }

  private parse(d: Decoded): ScanResult {
    return parseScan(toScanText(d), { ...this.parseOpts(undefined), format: d.format });
  }

  private parseOpts(gsSubstitute: string | undefined): ParseOptions {
    return {
      referenceYear: this.opts.year(),
      labels: this.opts.labels ?? DEFAULT_LABELS,
      ...(gsSubstitute ? { gsSubstitute } : {}),
      ...(this.opts.enabled ? { enabled: this.opts.enabled } : {}),
      ...(this.opts.code39Check ? { code39Check: true } : {}),
    };
  }

  /** What makes two scans the same: an EAN/UPC's add-on does not make it another item. */
  private key(r: ScanResult): string {
    return r.kind === 'product' ? `product:${r.gtin}|${r.lot ?? ''}|${r.serial ?? ''}|${r.expiry ?? ''}|${r.netWeightKg ?? ''}|${r.price ?? ''}` : r.text;
  }

  private emit(result: ScanResult, source: ScanSource, engine?: EngineName): PipelineScan {
    const at = this.opts.clock.now();
    const key = this.key(result);
    const duplicate = !this.repeats && this.last !== undefined && this.last.key === key && at - this.last.at <= this.duplicateWindowMs;
    // The window runs from the last counted scan, so a trigger held down cannot extend it forever.
    if (!duplicate) this.last = { key, at };
    const scan: PipelineScan = { result, source, at, duplicate, ...(engine ? { engine } : {}) };
    this.notify(scan);
    return scan;
  }

  private notify(scan: PipelineScan): void {
    for (const l of [...this.listeners]) l(scan);
  }
}
