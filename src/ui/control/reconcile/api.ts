/** The control room's calls to reconciliation and cycle counts (online only: these figures live on the API). */
import { useCallback, useEffect, useRef, useState } from 'react';
import { API_PREFIX } from '../../../domain/protocol.ts';
import { useDevice } from '../../app/device.ts';
import { useSignedIn } from '../../session/store.ts';

export type Answer<T> = { ok: true; body: T } | { ok: false; message: string };

/** A caller for the signed-in token: never throws; a refusal or a network failure is a message to show. */
export function useApi(): <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => Promise<Answer<T>> {
  const { http } = useDevice();
  const { token } = useSignedIn();
  return useCallback(
    async <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Answer<T>> => {
      try {
        const res = await http.send({
          method,
          path: `${API_PREFIX}${path}`,
          headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const parsed = res.text ? (JSON.parse(res.text) as T & { message?: string }) : ({} as T & { message?: string });
        if (res.status >= 200 && res.status < 300) return { ok: true, body: parsed };
        return { ok: false, message: parsed.message ?? `the API answered ${res.status}` };
      } catch (err) {
        return { ok: false, message: `the API cannot be reached (${err instanceof Error ? err.message : String(err)})` };
      }
    },
    [http, token],
  );
}

/** How often live pages read again (ms): the figures change by schedule, by re-push and by deliveries. */
export const LIVE_MS = 2000;

/**
 * A read kept live: read at once, then every `LIVE_MS` while the page is open (paused while the
 * tab is hidden), and at once after `refresh()` (an action the page took). The last good answer
 * stays on screen while a read fails; the failure is said beside it.
 */
export function useLive<T>(path: string): { data: T | null; error: string | null; refresh: () => void } {
  const api = useApi();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [nudge, setNudge] = useState(0);
  const alive = useRef(true);
  const last = useRef<string | null>(null);
  useEffect(() => {
    alive.current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      if (document.visibilityState !== 'hidden') {
        const a = await api<T>('GET', path);
        if (!alive.current) return;
        if (a.ok) {
          // Unchanged figures keep their objects: nothing below re-renders (a chart is not rebuilt every read).
          const text = JSON.stringify(a.body);
          if (text !== last.current) {
            last.current = text;
            setData(a.body);
          }
          setError(null);
        } else setError(a.message);
      }
      if (alive.current) timer = setTimeout(read, LIVE_MS);
    };
    void read();
    return () => {
      alive.current = false;
      if (timer) clearTimeout(timer);
    };
  }, [api, path, nudge]);
  return { data, error, refresh: useCallback(() => setNudge((n) => n + 1), []) };
}

/** "3 min ago" for a timestamp, against the page's clock. */
export function ago(at: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}
