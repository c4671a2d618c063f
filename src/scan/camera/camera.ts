/**
 * The camera as a scan input: opens the chosen camera, feeds the viewfinder region of
 * each video frame to the decoder (one frame in flight at a time), pauses and releases
 * the camera when the page is hidden, and releases it on close. The decoding library is
 * loaded only when the camera opens.
 */
import { frameSignature } from '../evidence.ts';
import type { ScanPipeline } from '../pipeline.ts';
import type { Decoder, EngineName, Frame } from './types.ts';

/** The part of the video given to the decoder, as fractions of the frame. */
export type Region = { x: number; y: number; width: number; height: number };

export const DEFAULT_REGION: Region = { x: 0.1, y: 0.25, width: 0.8, height: 0.5 };

export type CameraOptions = {
  deviceId?: string;
  engine?: EngineName;
  region?: Region;
  /** Requested capture size; the decoder sees the region of it. */
  width?: number;
  height?: number;
};

export type CameraStatus =
  | { state: 'closed' }
  | { state: 'opening' }
  | {
      state: 'running';
      engine: EngineName;
      frameMs: { last: number; p50: number; p95: number };
      torch: boolean | null;
      /** Frames decoded since the controller was made. */ frames: number;
    }
  | { state: 'paused' }
  | { state: 'error'; message: string };

export type DecoderLoader = (preferred?: EngineName) => Promise<Decoder>;

/** Checks a viewfinder region, naming the bad field. */
export function checkRegion(r: Region): Region {
  for (const k of ['x', 'y', 'width', 'height'] as const) {
    if (!Number.isFinite(r[k]) || r[k] < 0 || r[k] > 1) throw new Error(`viewfinder ${k} must be a fraction between 0 and 1`);
  }
  if (r.width < 0.05 || r.height < 0.05 || r.x + r.width > 1 || r.y + r.height > 1)
    throw new Error('viewfinder region must lie inside the frame and not be tiny');
  return r;
}

export class CameraScanner {
  private stream: MediaStream | undefined;
  private decoder: Decoder | undefined;
  private video: HTMLVideoElement | undefined;
  private canvas: HTMLCanvasElement | OffscreenCanvas | undefined;
  private options: CameraOptions = {};
  private running = false;
  private busy = false;
  private times: number[] = [];
  private frames = 0;
  private status: CameraStatus = { state: 'closed' };
  private listeners = new Set<(s: CameraStatus) => void>();
  private torchOn = false;
  private frameHandle: number | undefined;
  /** Bumped by every open and close: an open that finds it changed gave way to a newer call. */
  private epoch = 0;

  constructor(
    private readonly pipeline: ScanPipeline,
    private readonly loadDecoder: DecoderLoader,
    private readonly doc: Document = document,
  ) {}

  /** Follows status changes (engine, frame time, pause). */
  subscribe(listener: (s: CameraStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.status);
    return () => this.listeners.delete(listener);
  }

  current(): CameraStatus {
    return this.status;
  }

  /** The cameras the browser offers (labels appear once permission is granted). */
  async listCameras(): Promise<MediaDeviceInfo[]> {
    const all = await navigator.mediaDevices.enumerateDevices();
    return all.filter((d) => d.kind === 'videoinput');
  }

  /** Opens the camera into `video` and starts decoding. */
  async open(video: HTMLVideoElement, options: CameraOptions = {}): Promise<void> {
    if (options.region) checkRegion(options.region);
    const my = ++this.epoch;
    this.release();
    this.options = options;
    this.video = video;
    this.set({ state: 'opening' });
    this.doc.addEventListener('visibilitychange', this.onVisibility);
    try {
      if (!this.decoder) {
        const decoder = await this.loadDecoder(options.engine);
        // Closed or reopened meanwhile (React mounts effects twice in development).
        if (my !== this.epoch) return decoder.close();
        this.decoder = decoder;
      }
      await this.startStream(my);
    } catch (err) {
      if (my !== this.epoch) return;
      this.release();
      this.set({ state: 'error', message: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** Stops the camera, frees the decoder and forgets camera state. */
  close(): void {
    this.epoch++;
    this.doc.removeEventListener('visibilitychange', this.onVisibility);
    this.release();
    this.decoder?.close();
    this.decoder = undefined;
    this.set({ state: 'closed' });
  }

  /** Switches the torch; false when the camera has none. */
  async setTorch(on: boolean): Promise<boolean> {
    const track = this.stream?.getVideoTracks()[0];
    const caps = track?.getCapabilities?.() as (MediaTrackCapabilities & { torch?: boolean }) | undefined;
    if (!track || !caps?.torch) return false;
    await track.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
    this.torchOn = on;
    return true;
  }

  private readonly onVisibility = () => {
    if (this.doc.visibilityState === 'hidden') {
      // Leaving the screen releases the camera: the light goes off and other apps may use it.
      this.release();
      if (this.status.state !== 'closed') this.set({ state: 'paused' });
    } else if (this.status.state === 'paused' && this.video) {
      void this.startStream(this.epoch).catch((err: unknown) => this.set({ state: 'error', message: err instanceof Error ? err.message : String(err) }));
    }
  };

  private async startStream(my: number): Promise<void> {
    const video = this.video;
    if (!video) return;
    const { deviceId, width = 1280, height = 720 } = this.options;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        ...(deviceId ? { deviceId: { exact: deviceId } } : { facingMode: { ideal: 'environment' } }),
        width: { ideal: width },
        height: { ideal: height },
      },
    });
    if (my !== this.epoch || this.doc.visibilityState === 'hidden') {
      // Nobody wants this camera any more: release it at once.
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    this.stream = stream;
    video.srcObject = this.stream;
    video.muted = true;
    video.playsInline = true;
    await video.play();
    this.running = true;
    this.pipeline.resetCamera();
    this.publishRunning();
    this.schedule();
  }

  private release(): void {
    this.running = false;
    if (this.frameHandle !== undefined) cancelAnimationFrame(this.frameHandle);
    this.frameHandle = undefined;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = undefined;
    if (this.video) this.video.srcObject = null;
    this.torchOn = false;
    this.pipeline.resetCamera();
  }

  private schedule(): void {
    if (!this.running) return;
    this.frameHandle = requestAnimationFrame(() => void this.tick());
  }

  private grab(): Frame | undefined {
    const video = this.video;
    if (!video || video.readyState < 2 || video.videoWidth === 0) return undefined;
    const r = this.options.region ?? DEFAULT_REGION;
    const sx = Math.round(video.videoWidth * r.x);
    const sy = Math.round(video.videoHeight * r.y);
    const sw = Math.max(1, Math.round(video.videoWidth * r.width));
    const sh = Math.max(1, Math.round(video.videoHeight * r.height));
    if (!this.canvas || this.canvas.width !== sw || this.canvas.height !== sh) {
      this.canvas =
        typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(sw, sh) : Object.assign(this.doc.createElement('canvas'), { width: sw, height: sh });
    }
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
    if (!ctx) return undefined;
    ctx.drawImage(video, sx, sy, sw, sh, 0, 0, sw, sh);
    return ctx.getImageData(0, 0, sw, sh);
  }

  private async tick(): Promise<void> {
    if (!this.running || this.busy || !this.decoder) return this.schedule();
    const frame = this.grab();
    if (!frame) return this.schedule();
    this.busy = true;
    try {
      // Taken before decoding: the worker decoder takes the frame's pixels away.
      const signature = frameSignature(frame);
      const t0 = performance.now();
      const found = await this.decoder.decode(frame);
      this.times.push(performance.now() - t0);
      this.frames += 1;
      if (this.times.length > 120) this.times.shift();
      if (this.running) this.pipeline.pushCameraFrame(found, this.decoder.engine, signature);
      this.publishRunning();
    } catch (err) {
      this.set({ state: 'error', message: err instanceof Error ? err.message : String(err) });
      this.release();
      return;
    } finally {
      this.busy = false;
    }
    this.schedule();
  }

  private publishRunning(): void {
    if (!this.decoder || !this.running) return;
    const sorted = [...this.times].sort((a, b) => a - b);
    const q = (p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number) : 0);
    const track = this.stream?.getVideoTracks()[0];
    const caps = track?.getCapabilities?.() as { torch?: boolean } | undefined;
    this.set({
      state: 'running',
      engine: this.decoder.engine,
      frameMs: { last: this.times.at(-1) ?? 0, p50: q(0.5), p95: q(0.95) },
      torch: caps?.torch ? this.torchOn : null,
      frames: this.frames,
    });
  }

  private set(s: CameraStatus): void {
    this.status = s;
    for (const l of [...this.listeners]) l(s);
  }
}
