/** The page's API client and sync engine over the browser's lock, network events and change stream, and the health reports (loaded after the first sign-in). */
import { httpApiClient, type ApiClient } from '../../device/api/client.ts';
import type { FloorDb } from '../../device/db.ts';
import { startHealthReports } from '../../device/health-report.ts';
import { SyncEngine } from '../../device/sync/engine.ts';
import { browserEnvironment } from '../../device/sync/environment.ts';
import type { HttpClient } from '../../device/sync/http.ts';
import { defaultLock } from '../../device/sync/lock.ts';
import { eventSourceStream } from '../../device/sync/stream.ts';

export function startBrowserEngine({ db, http }: { db: FloorDb; http: HttpClient }): { api: ApiClient; engine: SyncEngine } {
  const api = httpApiClient(http);
  const engine = new SyncEngine({ db, api, lock: defaultLock(), env: browserEnvironment(), stream: eventSourceStream('') });
  void engine.start();
  // The control room's view of this handheld: its backlog, refusals and storage.
  startHealthReports({ db, http, engine });
  return { api, engine };
}
