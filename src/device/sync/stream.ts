/**
 * The API's live change feed (server-sent events): it tells the device when to pull again.
 * Two readers behind one shape: `EventSource` in the browser, `fetch` streaming anywhere.
 */
import { ChangeMessageSchema, type ChangeMessage } from '../../domain/protocol.ts';

export type { ChangeMessage } from '../../domain/protocol.ts';

export type StreamHandlers = {
  onOpen(): void;
  onChange(msg: ChangeMessage): void;
  /** The feed ended or failed; the engine reconnects with backoff. */
  onClose(reason: string): void;
};
export interface ChangeStream {
  close(): void;
}
/** Opens the feed at `path` (already carrying `?token=`). */
export type ChangeStreamFactory = (path: string, handlers: StreamHandlers) => ChangeStream;

/** A change message of the wire contract, or undefined for anything else (ignored: the feed only prompts pulls). */
function parseChange(data: string): ChangeMessage | undefined {
  try {
    const msg = ChangeMessageSchema.safeParse(JSON.parse(data));
    return msg.success ? msg.data : undefined;
  } catch {
    return undefined;
  }
}

/** The browser's `EventSource`; its own reconnects are turned off so the engine's backoff decides. */
export function eventSourceStream(baseUrl = ''): ChangeStreamFactory {
  return (path, h) => {
    const es = new EventSource(baseUrl + path);
    let closed = false;
    es.onopen = () => h.onOpen();
    es.addEventListener('change', (e) => {
      const msg = parseChange((e as MessageEvent<string>).data);
      if (msg) h.onChange(msg);
    });
    es.onerror = () => {
      if (closed) return;
      closed = true;
      es.close();
      h.onClose('the change feed was interrupted');
    };
    return {
      close() {
        closed = true;
        es.close();
      },
    };
  };
}

/** Reads the feed with streaming `fetch` (Node, and browsers alike). */
export function fetchStream(baseUrl: string, fetchImpl: typeof fetch = (...a) => fetch(...a)): ChangeStreamFactory {
  return (path, h) => {
    const ac = new AbortController();
    let done = false;
    const finish = (reason: string) => {
      if (done) return;
      done = true;
      h.onClose(reason);
    };
    void (async () => {
      try {
        const res = await fetchImpl(baseUrl + path, { headers: { accept: 'text/event-stream' }, signal: ac.signal });
        if (res.status !== 200 || !res.body) {
          finish(`the change feed answered ${res.status}`);
          return;
        }
        h.onOpen();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done: end } = await reader.read();
          if (end) break;
          buf += value.replace(/\r\n?/g, '\n');
          let cut: number;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            const msg = event === 'change' ? parseChange(data.join('\n')) : undefined;
            if (msg) h.onChange(msg);
          }
        }
        finish('the change feed ended');
      } catch (err) {
        finish(err instanceof Error ? err.message : String(err));
      }
    })();
    return {
      close() {
        done = true;
        ac.abort();
      },
    };
  };
}
