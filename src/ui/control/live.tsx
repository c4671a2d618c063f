/**
 * The board, live: one stream per control room (`GET /api/v1/control/live`, read with fetch so
 * the session's token goes in a header, never a URL). The API sends the board whenever its
 * monitor has evaluated a change (a ledger change, a handheld's report, a delivery, the clock);
 * a lost stream is reopened with backoff. Pages read it with `useLiveBoard()`.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Board } from '../../domain/control/protocol.ts';
import { CONTROL_PREFIX, parseSse } from './api.ts';

export type LiveBoard = { board: Board | null; live: boolean; error: string | null };

const LiveContext = createContext<LiveBoard>({ board: null, live: false, error: null });

export function useLiveBoard(): LiveBoard {
  return useContext(LiveContext);
}

export function LiveBoardProvider({ token, children }: { token: string; children: ReactNode }) {
  const [state, setState] = useState<LiveBoard>({ board: null, live: false, error: null });
  useEffect(() => {
    let stopped = false;
    let attempt = 0;
    let ac: AbortController | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = async () => {
      ac = new AbortController();
      try {
        const res = await fetch(`${CONTROL_PREFIX}/live`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal, cache: 'no-store' });
        if (!res.ok || !res.body) throw new Error(res.status === 403 ? 'The control room is for supervisors and admins.' : `the API answered ${res.status}`);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const ev = parseSse(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
            if (ev?.event === 'board') {
              attempt = 0;
              const board = JSON.parse(ev.data) as Board;
              setState({ board, live: true, error: null });
            }
          }
        }
        throw new Error('the live board stream ended');
      } catch (err) {
        if (stopped) return;
        attempt += 1;
        setState((s) => ({ ...s, live: false, error: err instanceof Error ? err.message : String(err) }));
        const cap = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        retry = setTimeout(() => void open(), Math.round(Math.random() * cap) + 250);
      }
    };
    void open();
    return () => {
      stopped = true;
      ac?.abort();
      if (retry) clearTimeout(retry);
    };
  }, [token]);
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}
