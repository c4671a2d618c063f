import { useLiveQuery } from 'dexie-react-hooks';
import { recentEvents } from '../../device/event-log.ts';
import type { StoredEvent } from '../../device/db.ts';
import type { CatalogItem } from '../../domain/protocol.ts';
import { nameOf } from '../../domain/workflows/common.ts';
import { useDevice } from '../app/device.ts';
import { useT, type Translate } from '../i18n/i18n.ts';
import { useSignedIn } from '../session/store.ts';
import { NO_CATALOG, useCatalog } from '../workflow/use-work.ts';

/** A short line for an event in the worker's words: product names, never event types. */
function describe(e: StoredEvent, catalog: readonly CatalogItem[], t: Translate): string {
  const p = e.payload as Record<string, unknown>;
  const sku = typeof p.sku === 'string' ? p.sku : '';
  const params = {
    qty: Number(p.qty ?? p.missingQty ?? 0),
    name: sku ? nameOf(catalog, sku) : '',
    bin: String(p.location ?? p.to ?? p.from ?? ''),
  };
  return t(`ev.${e.type}` as Parameters<Translate>[0], params);
}

/**
 * The signed-in worker's last scans on this device, with their delivery state (live from
 * the event log). Only their own: on a shared device a counter never sees a picker's short.
 * `types` narrows it to the screen's own kinds of fact (a blind count shows counts only).
 */
export function RecentScans({ limit = 5, types }: { limit?: number; types?: string }) {
  const { db } = useDevice();
  const { user } = useSignedIn();
  const catalog = useCatalog() ?? NO_CATALOG;
  const { t } = useT();
  const events = useLiveQuery(
    async () => (await recentEvents(db, 50)).filter((e) => e.actor === user.id && (!types || e.type.startsWith(types))).slice(0, limit),
    [db, limit, user.id, types],
  );
  if (!events || events.length === 0) return null;
  return (
    <section aria-label={t('ui.lastScans')} className="recent">
      <h2 className="sr-only">{t('ui.lastScans')}</h2>
      <ul className="list">
        {events.map((e) => (
          <li key={e.seq}>
            <span>{describe(e, catalog, t)}</span>
            <span className={`state-${e.state}`}>{t(`ui.state.${e.state}`)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
