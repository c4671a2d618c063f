/** Read calls to the central API for supervisor screens (online only: these figures are not cached). */
import { expectOk, type Answer, type ApiClient } from '../../device/api/client.ts';

/** One read of the API client for the signed-in token, e.g. `(api, token) => api.devices(token)`. */
export type ApiRead<T> = (api: ApiClient, token: string) => Promise<Answer<T>>;

/** Runs a read; throws an Error with the API's message, the network failure or what the answer lacked. */
export async function apiGet<T>(api: ApiClient, token: string, read: ApiRead<T>): Promise<T> {
  return expectOk(await read(api, token));
}
