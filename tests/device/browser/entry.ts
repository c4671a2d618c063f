/**
 * The device layer as a page script for the Chromium test: the real Dexie database, event
 * log and engine with Web Locks, `online`/visibility events and EventSource, exposed on
 * `window.floor` so the test can drive two tabs of one device.
 */
import { openFloorDb, deviceIdOf } from '../../../src/device/db.ts';
import { appendEvent, pendingSummary } from '../../../src/device/event-log.ts';
import { signIn } from '../../../src/device/session.ts';
import { browserEnvironment } from '../../../src/device/sync/environment.ts';
import { SyncEngine } from '../../../src/device/sync/engine.ts';
import { httpApiClient } from '../../../src/device/api/client.ts';
import { fetchHttpClient, type HttpClient } from '../../../src/device/sync/http.ts';
import { webLocks } from '../../../src/device/sync/lock.ts';
import { eventSourceStream } from '../../../src/device/sync/stream.ts';
import type { DraftEvent } from '../../../src/domain/events.ts';

// Every readwrite transaction's options, to show that the log asks for strict durability.
const durabilities: { stores: string[]; durability: string }[] = [];
const original = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (this: IDBDatabase, stores: string | string[], mode?: IDBTransactionMode, options?: IDBTransactionOptions) {
  if (mode === 'readwrite') durabilities.push({ stores: [stores].flat(), durability: options?.durability ?? 'default' });
  return original.call(this, stores, mode, options);
} as typeof original;

/** Push requests of this tab, with their start and end on the shared clock. */
const pushes: { start: number; end: number; seqs: number[] }[] = [];
const base = fetchHttpClient('');
const http: HttpClient = {
  async send(req) {
    const start = performance.timeOrigin + performance.now();
    try {
      return await base.send(req);
    } finally {
      if (req.method === 'POST' && req.path.endsWith('/events')) {
        const seqs = (JSON.parse(req.body ?? '{"events":[]}') as { events: { seq: number }[] }).events.map((e) => e.seq);
        pushes.push({ start, end: performance.timeOrigin + performance.now(), seqs });
      }
    }
  },
};

const db = openFloorDb();
const engine = new SyncEngine({ db, api: httpApiClient(http), lock: webLocks(), env: browserEnvironment(), stream: eventSourceStream('') });

const floor = {
  start: () => engine.start(),
  stop: () => engine.stop(),
  status: () => engine.status(),
  deviceId: () => deviceIdOf(db),
  signIn: async (user: string, pin: string) => {
    const r = await signIn(db, httpApiClient(http), { user, pin }, new Date());
    if (!r.ok) throw new Error(r.message);
    return r.session.user.id;
  },
  append: async (draft: DraftEvent, actor: string) => (await appendEvent(db, draft, { actor, now: new Date() })).seq,
  pending: async () => (await pendingSummary(db)).count,
  states: async () => (await db.events.toArray()).map((e) => e.state),
  pushes: () => pushes,
  durabilities: () => durabilities,
};
(window as unknown as { floor: typeof floor }).floor = floor;
document.title = 'floor device ready';
