import type { FloorDb } from '../../device/db.ts';
import type { SyncEngine } from '../../device/sync/engine.ts';
import { engineAttention, usePendingSummary, useRejected, useSyncStatus } from './use-sync.ts';
import './sync.css';

export type SyncBadgeProps = {
  db: FloorDb;
  engine: SyncEngine;
  /** Opens the sync status screen; the badge is a button when given. */
  onOpen?: () => void;
};

/**
 * The always-visible sync state: how many scans wait, whether the device is offline, and how
 * many things need a person (rejected events, a refused session, a stopped queue).
 * Mount it in the top bar of every screen.
 */
export function SyncBadge({ db, engine, onOpen }: SyncBadgeProps) {
  const status = useSyncStatus(engine);
  const pending = usePendingSummary(db)?.count ?? 0;
  const attention = (useRejected(db)?.length ?? 0) + (engineAttention(status) ? 1 : 0);
  const state = attention > 0 ? 'attention' : !status.online ? 'offline' : pending > 0 ? 'waiting' : 'ok';
  const parts = [
    !status.online ? 'Offline' : null,
    pending > 0 ? `${pending} waiting` : status.online ? 'All sent' : 'nothing waiting',
    attention > 0 ? `${attention} need attention` : null,
  ].filter(Boolean);
  const label = `Sync: ${parts.join(', ')}`;
  const body = (
    <>
      {!status.online ? <span aria-hidden="true">OFFLINE</span> : null}
      <span className="sync-count" aria-hidden="true">
        {pending > 0 ? `↑${pending}` : '✓'}
      </span>
      {attention > 0 ? <span aria-hidden="true">⚠ {attention}</span> : null}
    </>
  );
  return onOpen ? (
    <button type="button" className="sync-badge" data-state={state} aria-label={label} onClick={onOpen}>
      {body}
    </button>
  ) : (
    <span className="sync-badge" data-state={state} role="status" aria-label={label}>
      {body}
    </span>
  );
}
