import { useCallback, useEffect, useState } from 'react';
import { useDevice } from '../app/device.ts';
import { apiGet } from '../app/api.ts';
import { useSignedIn } from '../session/store.ts';

export type ApiRead<T> = { data?: T; error?: string; loading: boolean; reload(): void };

/** Reads an API endpoint when the screen opens and on `reload()`; an error is shown, not thrown. */
export function useApiRead<T>(path: string): ApiRead<T> {
  const { http } = useDevice();
  const { token } = useSignedIn();
  const [round, setRound] = useState(0);
  const [result, setResult] = useState<{ round: number; data?: T; error?: string }>({ round: -1 });
  useEffect(() => {
    let live = true;
    apiGet<T>(http, token, path).then(
      (data) => live && setResult({ round, data }),
      (err: unknown) => live && setResult({ round, error: `Cannot read ${path}: ${err instanceof Error ? err.message : String(err)}` }),
    );
    return () => {
      live = false;
    };
  }, [http, token, path, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: result.data, error: result.error, loading: result.round !== round, reload };
}
