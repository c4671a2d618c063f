import { useState } from 'react';
import type { FloorDb, StoredEvent } from '../../device/db.ts';
import { dismissRejected } from '../../device/event-log.ts';
import type { StorageApi } from '../../device/storage.ts';
import type { SyncEngine } from '../../device/sync/engine.ts';
import type { Role } from '../../domain/roles.ts';
import { engineAttention, formatAge, formatBytes, useLastDelivery, useNow, usePendingSummary, useRejected, useStorageHealth, useSyncStatus } from './use-sync.ts';
import './sync.css';

export type SyncStatusScreenProps = {
  db: FloorDb;
  engine: SyncEngine;
  /** The signed-in user: a supervisor may acknowledge rejected events. */
  user?: { id: string; roles: readonly Role[] };
  /** Where "Sign in again" leads, when the API refused the session. */
  onSignIn?: () => void;
  /** `navigator.storage` by default; tests pass their own. */
  storage?: StorageApi;
};

/**
 * The sync status every user can open: online or offline, what waits and for how long, the
 * last delivery, what the API refused and why, and the health of the device's storage.
 * Renders content only: mount it inside the app's screen frame.
 */
export function SyncStatusScreen({ db, engine, user, onSignIn, storage }: SyncStatusScreenProps) {
  const status = useSyncStatus(engine);
  const pending = usePendingSummary(db);
  const rejected = useRejected(db);
  const lastDelivery = useLastDelivery(db);
  const health = useStorageHealth(db, storage);
  const now = useNow();
  const attention = engineAttention(status);
  const supervisor = user?.roles.includes('supervisor') ?? false;

  return (
    <section className="sync-status stack" aria-label="Sync status">
      {attention ? (
        <div className="sync-alert" role="alert">
          {attention}
          {(status.phase === 'needs_sign_in' || status.phase === 'device_reset') && onSignIn ? (
            <div>
              <button type="button" onClick={onSignIn}>
                Sign in again
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {health?.low ? (
        <div className="sync-warn" role="alert">
          Storage on this device is nearly full ({formatBytes(health.usage)} of {formatBytes(health.quota)}). Deliver waiting scans and tell a supervisor.
        </div>
      ) : null}
      <dl>
        <dt>Network</dt>
        <dd>{status.online ? (status.live ? 'Online, live updates on' : 'Online') : 'Offline: scans are kept on this device'}</dd>
        <dt>Waiting to send</dt>
        <dd>{pending ? `${pending.count} scan${pending.count === 1 ? '' : 's'}` : '…'}</dd>
        <dt>Oldest waiting</dt>
        <dd>{pending?.oldestOccurredAt ? `${formatAge(pending.oldestOccurredAt, now)} ago` : '-'}</dd>
        <dt>Last delivered</dt>
        <dd>{lastDelivery ? `${formatAge(lastDelivery, now)} ago` : 'never'}</dd>
        <dt>Sending</dt>
        <dd>
          {phaseText(status.phase)}
          {status.nextAttemptAt ? `, next try in ${Math.max(0, Math.ceil((status.nextAttemptAt - now.getTime()) / 1000))} s` : ''}
          {status.lastError && !attention ? ` (${status.lastError})` : ''}
        </dd>
        <dt>Storage</dt>
        <dd>
          {health?.persisted === true ? 'Kept (persistent)' : health?.persisted === false ? 'May be cleared by the browser (not persistent)' : 'Not asked yet'}
          {health?.usage !== undefined ? `; ${formatBytes(health.usage)} used of ${formatBytes(health.quota)}` : ''}
        </dd>
      </dl>
      <button type="button" onClick={() => engine.resume()}>
        Send now
      </button>
      <h2>Needs attention ({rejected?.length ?? 0})</h2>
      {rejected && rejected.length === 0 ? <p className="muted">Nothing was refused.</p> : null}
      <ul className="list">
        {rejected?.map((e) => (
          <RejectedItem key={e.seq} event={e} db={db} supervisor={supervisor} by={user?.id} />
        ))}
      </ul>
    </section>
  );
}

function RejectedItem({ event, db, supervisor, by }: { event: StoredEvent; db: FloorDb; supervisor: boolean; by?: string }) {
  const [error, setError] = useState<string>();
  return (
    <li className="card">
      <strong>
        #{event.seq} {event.type}
      </strong>{' '}
      <span className="muted">
        by {event.actor}, {new Date(event.occurredAt).toLocaleString()}
      </span>
      <p>
        Refused by the server ({event.rejection?.code}): {event.rejection?.message}
      </p>
      {supervisor && by ? (
        <button
          type="button"
          className="secondary"
          onClick={() => void dismissRejected(db, event.seq, by, new Date()).catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))}
        >
          Acknowledge
        </button>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
    </li>
  );
}

function phaseText(phase: string): string {
  switch (phase) {
    case 'idle':
      return 'Up to date';
    case 'sending':
      return 'Sending';
    case 'backoff':
      return 'Waiting to retry';
    case 'offline':
      return 'Paused while offline';
    case 'signed_out':
      return 'Paused: nobody signed in';
    case 'needs_sign_in':
      return 'Paused: sign in again';
    case 'conflict':
      return 'Stopped: needs a supervisor';
    case 'device_reset':
      return 'Paused: reset by a supervisor, sign in again';
    case 'blocked':
      return 'Stuck: needs attention';
    case 'starting':
      return 'Starting';
    default:
      return 'Stopped';
  }
}
