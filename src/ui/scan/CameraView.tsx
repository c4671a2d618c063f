import { useEffect, useRef, useState } from 'react';
import { DEFAULT_REGION, type CameraStatus } from '../../scan/camera/camera.ts';
import { useScanRuntime } from './scan-runtime.ts';

/**
 * The camera as a scan input: the video with its viewfinder, camera choice and torch.
 * The camera opens when this is shown and is released when it goes away.
 */
export function CameraView({ onClose }: { onClose?: () => void }) {
  const runtime = useScanRuntime();
  const video = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState<CameraStatus>(runtime.camera.current());
  const [cameras, setCameras] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState<string | undefined>(runtime.settings().camera.deviceId);
  const region = runtime.settings().camera.region ?? DEFAULT_REGION;

  useEffect(() => runtime.camera.subscribe(setStatus), [runtime]);

  useEffect(() => {
    const el = video.current;
    if (!el) return undefined;
    const camera = runtime.camera;
    const { engine } = runtime.settings().camera;
    camera
      .open(el, { region, ...(deviceId ? { deviceId } : {}), ...(engine ? { engine } : {}) })
      .then(() => camera.listCameras())
      .then(setCameras)
      .catch(() => undefined);
    return () => camera.close();
  }, [runtime, deviceId, region]);

  const running = status.state === 'running' ? status : null;
  return (
    <section className="camera-view" aria-label="Camera">
      <div className="camera-frame" style={{ position: 'relative' }}>
        <video ref={video} aria-label="Camera picture" muted playsInline style={{ width: '100%', display: 'block' }} />
        <div
          className="viewfinder"
          aria-hidden="true"
          style={{
            position: 'absolute',
            left: `${region.x * 100}%`,
            top: `${region.y * 100}%`,
            width: `${region.width * 100}%`,
            height: `${region.height * 100}%`,
            border: '3px solid #3c3',
            borderRadius: 6,
            boxShadow: '0 0 0 9999px rgba(0,0,0,.35)',
          }}
        />
      </div>
      <p className="camera-status" role="status" data-frames={running?.frames}>
        {status.state === 'running'
          ? `Engine ${status.engine} · ${status.frameMs.p50.toFixed(1)} ms a frame (p95 ${status.frameMs.p95.toFixed(1)})`
          : status.state === 'error'
            ? `Camera problem: ${status.message}`
            : status.state === 'paused'
              ? 'Camera paused'
              : status.state === 'opening'
                ? 'Opening camera…'
                : 'Camera off'}
      </p>
      <div className="camera-controls">
        {cameras.length > 1 ? (
          <label>
            Camera
            <select value={deviceId ?? ''} onChange={(e) => setDeviceId(e.target.value || undefined)}>
              <option value="">Back camera</option>
              {cameras.map((c, i) => (
                <option key={c.deviceId} value={c.deviceId}>
                  {c.label || `Camera ${i + 1}`}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {running && running.torch !== null ? (
          <button type="button" aria-pressed={running.torch} onClick={() => void runtime.camera.setTorch(!running.torch)}>
            Torch
          </button>
        ) : null}
        {onClose ? (
          <button type="button" onClick={onClose}>
            Close camera
          </button>
        ) : null}
      </div>
    </section>
  );
}
