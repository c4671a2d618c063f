/** Reads of the control room's API that follow the live board: read on open, read again (at most every `minGapMs`) when the board moves. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDevice } from '../app/device.ts';
import { useSignedIn } from '../session/store.ts';
import { controlCall } from './api.ts';
import { useLiveBoard } from './live.tsx';

export function useControlCall() {
  const { http } = useDevice();
  const { token } = useSignedIn();
  return useCallback(<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => controlCall<T>(http, token, method, path, body), [http, token]);
}

export function useLiveRead<T>(path: string | null, minGapMs = 1000): { data: T | undefined; error: string | null; reload(): void } {
  const call = useControlCall();
  const { board } = useLiveBoard();
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    if (!path) return;
    let live = true;
    call<T>('GET', path).then(
      (d) => live && (setData(d), setError(null)),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    last.current = Date.now();
    return () => {
      live = false;
    };
  }, [call, path, round]);
  // The board moved: something changed; read again, no more often than minGapMs.
  useEffect(() => {
    if (!board) return;
    const wait = Math.max(0, last.current + minGapMs - Date.now());
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      setRound((r) => r + 1);
    }, wait);
  }, [board, minGapMs]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, reload };
}
