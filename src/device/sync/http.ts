/** The engine's one edge to the network: small enough for a test to wrap with faults. */
export type HttpRequest = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/api/v1/devices/ID/events`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
};
export type HttpResponse = {
  status: number;
  /** Reads a header by name, case-insensitive. */
  header(name: string): string | null;
  text: string;
};
/** Sends one request; rejects on a network failure or abort, resolves with any HTTP status. */
export interface HttpClient {
  send(req: HttpRequest): Promise<HttpResponse>;
}

/** The app's client: `fetch` against the API's origin (`''` for the page's own origin). */
export function fetchHttpClient(baseUrl = '', fetchImpl: typeof fetch = (...a) => fetch(...a)): HttpClient {
  return {
    async send(req) {
      const res = await fetchImpl(baseUrl + req.path, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        cache: 'no-store',
      });
      const text = await res.text();
      return { status: res.status, header: (name) => res.headers.get(name), text };
    },
  };
}
