/** The control room's calls to the API (online only: these figures are the central store's, never cached). */
import { API_PREFIX } from '../../domain/protocol.ts';
import type { HttpClient } from '../../device/sync/http.ts';

export const CONTROL_PREFIX = `${API_PREFIX}/control`;

/** One call; throws an Error with the API's message (or the status) when the answer is not 2xx. */
export async function controlCall<T>(http: HttpClient, token: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const res = await http.send({
    method,
    path: `${CONTROL_PREFIX}${path}`,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  let parsed: unknown;
  try {
    parsed = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.status < 200 || res.status >= 300) {
    const message = (parsed as { message?: string } | undefined)?.message;
    throw new Error(message ?? `the API answered ${res.status}`);
  }
  return parsed as T;
}

/** Reads the answer of one server-sent event stream block (`event:` and `data:` lines). */
export function parseSse(block: string): { event: string; data: string } | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return data.length > 0 ? { event, data: data.join('\n') } : null;
}
