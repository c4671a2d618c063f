import { useState } from 'react';
import type { FloorDb, StoredEvent } from '../../device/db.ts';
import { dismissRejected } from '../../device/event-log.ts';
import type { StorageApi } from '../../device/storage.ts';
import type { SyncEngine } from '../../device/sync/engine.ts';
import type { Role } from '../../domain/roles.ts';
import { useT, type Translate } from '../i18n/i18n.ts';
import {
  engineAttention,
  formatAge,
  formatBytes,
  useLastDelivery,
  useNow,
  usePendingSummary,
  useRejected,
  useStorageHealth,
  useSyncStatus,
} from './use-sync.ts';
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
  const { t } = useT();
  // The engine's own words for a sign-in or reset; the server's message for a stop.
  const attention =
    status.phase === 'needs_sign_in' ? t('sync.needsSignIn') : status.phase === 'device_reset' ? t('sync.deviceReset') : engineAttention(status);
  const supervisor = user?.roles.includes('supervisor') ?? false;
  const ago = (iso: string | undefined) => t('ui.ago', { age: formatAge(iso, now) });

  return (
    <section className="sync-status stack" aria-label={t('sync.region')}>
      {attention ? (
        <div className="sync-alert" role="alert">
          {attention}
          {(status.phase === 'needs_sign_in' || status.phase === 'device_reset') && onSignIn ? (
            <div>
              <button type="button" onClick={onSignIn}>
                {t('sync.signInAgain')}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {health?.low ? (
        <div className="sync-warn" role="alert">
          {t('sync.storageLow', { usage: formatBytes(health.usage), quota: formatBytes(health.quota) })}
        </div>
      ) : null}
      <dl>
        <dt>{t('sync.network')}</dt>
        <dd>{status.online ? (status.live ? t('sync.onlineLive') : t('sync.online')) : t('sync.offline')}</dd>
        <dt>{t('sync.waiting')}</dt>
        <dd>{pending ? t(pending.count === 1 ? 'sync.scans_one' : 'sync.scans_other', { count: pending.count }) : '…'}</dd>
        <dt>{t('sync.oldest')}</dt>
        <dd>{pending?.oldestOccurredAt ? ago(pending.oldestOccurredAt) : '-'}</dd>
        <dt>{t('sync.lastDelivered')}</dt>
        <dd>{lastDelivery ? ago(lastDelivery) : t('ui.never')}</dd>
        <dt>{t('sync.sending')}</dt>
        <dd>
          {phaseText(status.phase, t)}
          {status.nextAttemptAt ? t('sync.nextTry', { seconds: Math.max(0, Math.ceil((status.nextAttemptAt - now.getTime()) / 1000)) }) : ''}
          {status.lastError && !attention ? ` (${status.lastError})` : ''}
        </dd>
        <dt>{t('sync.storage')}</dt>
        <dd>
          {health?.persisted === true ? t('sync.persisted') : health?.persisted === false ? t('sync.notPersisted') : t('sync.notAsked')}
          {health?.usage !== undefined ? t('sync.used', { usage: formatBytes(health.usage), quota: formatBytes(health.quota) }) : ''}
        </dd>
      </dl>
      <button type="button" onClick={() => engine.resume()}>
        {t('sync.sendNow')}
      </button>
      <h2>{t('sync.needsAttention', { count: rejected?.length ?? 0 })}</h2>
      {rejected && rejected.length === 0 ? <p className="muted">{t('sync.nothingRefused')}</p> : null}
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
  const { t } = useT();
  return (
    <li className="card">
      <strong>
        #{event.seq} {event.type}
      </strong>{' '}
      <span className="muted">{t('sync.byAt', { actor: event.actor, at: new Date(event.occurredAt).toLocaleString() })}</span>
      <p>{t('sync.refused', { code: event.rejection?.code ?? '', message: event.rejection?.message ?? '' })}</p>
      {supervisor && by ? (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void dismissRejected(db, event.seq, by, new Date()).catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
          }
        >
          {t('sync.acknowledge')}
        </button>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
    </li>
  );
}

const PHASES = ['idle', 'sending', 'backoff', 'offline', 'signed_out', 'needs_sign_in', 'conflict', 'device_reset', 'blocked', 'starting'] as const;

function phaseText(phase: string, t: Translate): string {
  const known = PHASES.find((p) => p === phase);
  return known ? t(`sync.phase.${known}`) : t('sync.phase.stopped');
}
