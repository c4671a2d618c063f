import { useCallback, useEffect, useState } from 'react';
import { useDevice } from '../app/device.ts';
import { apiGet, type ApiRead } from '../app/api.ts';
import { useSignedIn } from '../session/store.ts';

export type ApiReadState<T> = { data?: T; error?: string; loading: boolean; reload(): void };

/**
 * Reads the API when the screen opens and on `reload()`; an error is shown, not thrown. `read`
 * must be stable (a module-level function): a new one reads again.
 */
export function useApiRead<T>(what: string, read: ApiRead<T>): ApiReadState<T> {
  const { api } = useDevice();
  const { token } = useSignedIn();
  const [round, setRound] = useState(0);
  const [result, setResult] = useState<{ round: number; data?: T; error?: string }>({ round: -1 });
  useEffect(() => {
    let live = true;
    apiGet(api, token, read).then(
      (data) => live && setResult({ round, data }),
      (err: unknown) => live && setResult({ round, error: `Cannot read ${what}: ${err instanceof Error ? err.message : String(err)}` }),
    );
    return () => {
      live = false;
    };
  }, [api, token, what, read, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: result.data, error: result.error, loading: result.round !== round, reload };
}
