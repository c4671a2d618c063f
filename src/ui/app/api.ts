/** Read calls to the central API for supervisor screens (online only: these figures are not cached). */
import { API_PREFIX } from '../../domain/protocol.ts';
import type { HttpClient } from '../../device/sync/http.ts';

/** GETs a JSON read endpoint; throws an Error with the API's message or the network failure. */
export async function apiGet<T>(http: HttpClient, token: string, path: string): Promise<T> {
  const res = await http.send({ method: 'GET', path: `${API_PREFIX}${path}`, headers: { authorization: `Bearer ${token}` } });
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = undefined;
  }
  if (res.status !== 200) {
    const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : `the API answered ${res.status}`;
    throw new Error(message);
  }
  return body as T;
}
