import { useLiveQuery } from 'dexie-react-hooks';
import { recentEvents } from '../../device/event-log.ts';
import type { StoredEvent } from '../../device/db.ts';
import { useDevice } from '../app/device.ts';

const STATE_LABEL = { pending: 'waiting to send', delivered: 'delivered', rejected: 'rejected' } as const;

/** A short line for an event: what it did, in the worker's words. */
function describe(e: StoredEvent): string {
  const p = e.payload as Record<string, unknown>;
  const qty = p.qty ?? p.missingQty;
  const where = p.location ?? p.to ?? '';
  return [e.type, p.sku, qty !== undefined ? `× ${String(qty)}` : '', where].filter((x) => x !== undefined && x !== '').join(' ');
}

/** The last scans recorded on this device, with their delivery state (live from the event log). */
export function RecentScans({ limit = 5 }: { limit?: number }) {
  const { db } = useDevice();
  const events = useLiveQuery(() => recentEvents(db, limit), [db, limit]);
  if (!events || events.length === 0) return null;
  return (
    <section aria-label="Last scans" className="recent">
      <h2 className="sr-only">Last scans</h2>
      <ul className="list">
        {events.map((e) => (
          <li key={e.seq}>
            <span>
              #{e.seq} {describe(e)}
            </span>
            <span className={`state-${e.state}`}>{STATE_LABEL[e.state]}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
