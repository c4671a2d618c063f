/**
 * One stream of trusted scans from every input: the keyboard wedge, the camera and the
 * typed entry. The camera's 1D reads count only after two identical decodes in a row;
 * the same code again within a short window is a duplicate (reported, not a second
 * unit) unless the workflow asks for repeats, as when counting units one by one.
 */
import { LINEAR_FORMATS, parseScan, type ScanResult } from '../domain/barcode/parse-scan.ts';
import { DEFAULT_LABELS, type CompiledLabels } from '../domain/barcode/labels.ts';
import type { Clock } from './clock.ts';
import { toScanText, type Decoded, type EngineName } from './camera/types.ts';
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
  /** Two camera decodes further apart than this are not "in a row". */
  confirmWindowMs?: number;
};

export type ScanListener = (scan: PipelineScan) => void;

export class ScanPipeline {
  private listeners = new Set<ScanListener>();
  private last: { key: string; at: number } | undefined;
  private pendingCamera: { key: string; at: number } | undefined;
  /** The code the camera has confirmed and still sees: not re-reported every frame. */
  private inView: { key: string; at: number } | undefined;
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
  configure(patch: Partial<Pick<PipelineOptions, 'labels' | 'gsSubstitute' | 'gs1WithoutIdentifier' | 'duplicateWindowMs'>>): void {
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
   * One camera frame's decodes (an empty list when the frame held none). Returns the
   * scans it produced: none until a 1D code is decoded twice in a row.
   */
  pushCameraFrame(decoded: readonly Decoded[], engine: EngineName): PipelineScan[] {
    const now = this.opts.clock.now();
    if (this.inView && now - this.inView.at > this.confirmWindowMs) this.inView = undefined;
    const out: PipelineScan[] = [];
    for (const d of decoded) {
      const result = parseScan(toScanText(d), { ...this.parseOpts(undefined), format: d.format });
      const key = `${d.format}\u0000${d.text}`;
      if (this.inView?.key === key) {
        this.inView.at = now;
        continue;
      }
      if (LINEAR_FORMATS.has(d.format)) {
        const pending = this.pendingCamera;
        if (!pending || pending.key !== key || now - pending.at > this.confirmWindowMs) {
          this.pendingCamera = { key, at: now };
          continue;
        }
      }
      this.pendingCamera = undefined;
      this.inView = { key, at: now };
      out.push(this.emit(result, 'camera', engine));
    }
    // A frame that read something else breaks a pending pair; an empty frame does not.
    if (decoded.length > 0 && this.pendingCamera && !decoded.some((d) => `${d.format}\u0000${d.text}` === this.pendingCamera?.key)) {
      this.pendingCamera = undefined;
    }
    return out;
  }

  /** Forgets camera state, e.g. when the camera closes. */
  resetCamera(): void {
    this.pendingCamera = undefined;
    this.inView = undefined;
  }

  private parseOpts(gsSubstitute: string | undefined) {
    return {
      referenceYear: this.opts.year(),
      labels: this.opts.labels ?? DEFAULT_LABELS,
      ...(gsSubstitute ? { gsSubstitute } : {}),
    };
  }

  private key(r: ScanResult): string {
    return r.text;
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
