/** The page's sync engine over the browser's lock, network events and change stream (loaded after the first sign-in). */
import type { FloorDb } from '../../device/db.ts';
import { SyncEngine } from '../../device/sync/engine.ts';
import { browserEnvironment } from '../../device/sync/environment.ts';
import type { HttpClient } from '../../device/sync/http.ts';
import { defaultLock } from '../../device/sync/lock.ts';
import { eventSourceStream } from '../../device/sync/stream.ts';

export function startBrowserEngine({ db, http }: { db: FloorDb; http: HttpClient }): SyncEngine {
  const engine = new SyncEngine({ db, http, lock: defaultLock(), env: browserEnvironment(), stream: eventSourceStream('') });
  void engine.start();
  return engine;
}
