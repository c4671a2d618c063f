/**
 * The sync badge and status screen on a page of their own for the Chromium test, wired to
 * the real database and engine. `?supervisor=1` renders them for a supervisor.
 */
import { createRoot } from 'react-dom/client';
import { openFloorDb } from '../../../src/device/db.ts';
import { appendEvent } from '../../../src/device/event-log.ts';
import { signIn } from '../../../src/device/session.ts';
import { browserEnvironment } from '../../../src/device/sync/environment.ts';
import { SyncEngine } from '../../../src/device/sync/engine.ts';
import { httpApiClient } from '../../../src/device/api/client.ts';
import { fetchHttpClient } from '../../../src/device/sync/http.ts';
import { webLocks } from '../../../src/device/sync/lock.ts';
import { SyncBadge, SyncStatusScreen } from '../../../src/ui/sync/index.ts';
import type { DraftEvent } from '../../../src/domain/events.ts';

const db = openFloorDb();
const http = fetchHttpClient('');
const engine = new SyncEngine({ db, api: httpApiClient(http), lock: webLocks(), env: browserEnvironment() });
const supervisor = new URLSearchParams(location.search).get('supervisor') === '1';
let opened = 0;

const floor = {
  signIn: async (user: string, pin: string) => {
    const r = await signIn(db, httpApiClient(http), { user, pin }, new Date());
    if (!r.ok) throw new Error(r.message);
  },
  start: () => engine.start(),
  append: async (draft: DraftEvent, actor: string) => (await appendEvent(db, draft, { actor, now: new Date() })).seq,
  opened: () => opened,
};
(window as unknown as { floor: typeof floor }).floor = floor;

const root = document.getElementById('root');
if (!root) throw new Error('no #root');
createRoot(root).render(
  <>
    <SyncBadge db={db} engine={engine} onOpen={() => (opened += 1)} />
    <SyncStatusScreen db={db} engine={engine} user={supervisor ? { id: 'supervisor', roles: ['supervisor'] } : { id: 'picker', roles: ['picker'] }} />
  </>,
);
document.title = 'floor sync ui ready';
