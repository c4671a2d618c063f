/**
 * The control room's records: handhelds' health reports, the settings, and alerts (opened,
 * refreshed, cleared, acknowledged), each change of an alert also queued as a webhook for the
 * endpoints that take alert events, in the channels' outbox.
 */
import type { AlertDraft } from '../../domain/control/alerts.ts';
import type { AlertView, HealthReport } from '../../domain/control/protocol.ts';
import { ControlSettingsSchema, DEFAULT_CONTROL_SETTINGS, type ControlSettings } from '../../domain/control/settings.ts';
import { z } from '../../domain/schema.ts';
import type { Sql } from '../db.ts';

const SETTINGS_KEY = 'control.thresholds';
/** Serialises alert evaluations of every API process on one database. */
const ALERTS_LOCK = 7_270_010;

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

/** The NOTIFY channel on which control changes (a health report, an acknowledgement, settings) wake every API process's monitor. */
export async function controlChannel(db: Sql): Promise<string> {
  const [row] = await db.query<{ s: string }>('SELECT current_schema() AS s');
  return `floor_control_${row?.s ?? 'public'}`.slice(0, 63);
}

export async function saveHealth(db: Sql, deviceId: string, r: HealthReport, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO device_health (device_id, reported_at, pending, oldest_pending_at, needs_attention, storage_usage, storage_quota)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (device_id) DO UPDATE SET reported_at = excluded.reported_at, pending = excluded.pending, oldest_pending_at = excluded.oldest_pending_at,
       needs_attention = excluded.needs_attention, storage_usage = excluded.storage_usage, storage_quota = excluded.storage_quota`,
    [deviceId, at, r.pending, r.oldestPendingAt, r.needsAttention, r.storageUsage, r.storageQuota],
  );
}

/** The stored settings; the defaults when none were saved (or a saved value no longer reads). */
export async function readSettings(db: Sql): Promise<{ settings: ControlSettings; updatedAt: string | null; updatedBy: string | null }> {
  const [r] = await db.query<{ value: unknown; updated_at: unknown; updated_by: string | null }>(
    'SELECT value, updated_at, updated_by FROM settings WHERE key = $1',
    [SETTINGS_KEY],
  );
  if (!r) return { settings: DEFAULT_CONTROL_SETTINGS, updatedAt: null, updatedBy: null };
  const value = typeof r.value === 'string' ? (JSON.parse(r.value) as unknown) : r.value;
  const parsed = z.safeParse(ControlSettingsSchema, value);
  return { settings: parsed.success ? parsed.data : DEFAULT_CONTROL_SETTINGS, updatedAt: isoOrNull(r.updated_at), updatedBy: r.updated_by };
}

export async function writeSettings(db: Sql, s: ControlSettings, by: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ($1, $2::jsonb, $3, $4)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [SETTINGS_KEY, JSON.stringify(s), at, by],
  );
}

const toView = (r: Record<string, unknown>): AlertView => ({
  id: Number(r.id),
  key: String(r.key),
  kind: r.kind as AlertView['kind'],
  severity: r.severity as AlertView['severity'],
  subject: String(r.subject),
  sku: (r.sku as string | null) ?? null,
  site: (r.site as string | null) ?? null,
  message: String(r.message),
  figures: (typeof r.figures === 'string' ? JSON.parse(r.figures) : r.figures) as AlertView['figures'],
  raisedAt: iso(r.raised_at),
  lastSeenAt: iso(r.last_seen_at),
  clearedAt: isoOrNull(r.cleared_at),
  ackedAt: isoOrNull(r.acked_at),
  ackedBy: (r.acked_by as string | null) ?? null,
});

/** Open alerts first (newest first), then the latest cleared ones. */
export async function alertRows(db: Sql, limit: number): Promise<AlertView[]> {
  const rows = await db.query(`SELECT * FROM control_alerts ORDER BY (cleared_at IS NULL) DESC, raised_at DESC, id DESC LIMIT $1`, [limit]);
  return rows.map(toView);
}

/** Alerts raised per day (UTC) over the last `days` days up to `now`. */
export async function alertsPerDay(db: Sql, now: Date, days: number): Promise<{ day: string; raised: number }[]> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const rows = await db.query<{ day: string; n: number }>(
    `SELECT to_char(raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM control_alerts WHERE raised_at >= $1 GROUP BY 1 ORDER BY 1`,
    [since],
  );
  return rows.map((r) => ({ day: r.day, raised: Number(r.n) }));
}

export type AlertWebhook = { type: 'alert.raised' | 'alert.cleared' | 'alert.acknowledged'; timestamp: string; data: AlertView };

/** Queues alert events for every active endpoint that takes them; wakes the webhook workers on commit. */
async function enqueueAlerts(tx: Sql, events: readonly AlertWebhook[], webhookChannel: string): Promise<void> {
  if (events.length === 0) return;
  const items = events.map((e) => ({ subject: e.data.key, msg_id: `alert-${e.data.id}-${e.type.slice(6)}`, payload: e }));
  const rows = await tx.query(
    `INSERT INTO webhook_outbox (endpoint_id, kind, subject, msg_id, payload, enqueued_at, next_attempt_at)
     SELECT e.id, 'alert', x.subject, x.msg_id, x.payload, now(), now()
     FROM jsonb_to_recordset($1::jsonb) AS x(subject text, msg_id text, payload jsonb)
     JOIN webhook_endpoints e ON e.alerts AND e.status = 'active'
     ORDER BY e.id, x.subject
     ON CONFLICT (endpoint_id, kind, subject) DO UPDATE SET msg_id = excluded.msg_id, payload = excluded.payload, enqueued_at = excluded.enqueued_at,
       next_attempt_at = CASE WHEN webhook_outbox.attempts = 0 THEN excluded.next_attempt_at ELSE webhook_outbox.next_attempt_at END
     RETURNING 1`,
    [JSON.stringify(items)],
  );
  if (rows.length > 0) await tx.query('SELECT pg_notify($1, $2)', [webhookChannel, 'due']);
}

export type AlertChanges = { opened: number; cleared: number; kept: number };

/** The open alerts' keys, kinds and SKUs. */
export function openAlerts(db: Sql): Promise<{ key: string; kind: string; sku: string | null }[]> {
  return db.query<{ key: string; kind: string; sku: string | null }>('SELECT key, kind, sku FROM control_alerts WHERE cleared_at IS NULL');
}

/**
 * Brings the open alerts of `scope` in line with the ones raised now: opens the new keys, refreshes
 * the figures of the kept ones, clears the keys of the scope no longer raised. One evaluation at
 * a time across processes (an advisory lock), so a key is never opened twice.
 */
export async function applyAlerts(
  tx: Sql,
  raised: readonly AlertDraft[],
  inScope: (a: { key: string; kind: string; sku: string | null }) => boolean,
  now: Date,
  webhookChannel: string,
): Promise<AlertChanges> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [ALERTS_LOCK]);
  const open = await tx.query<{ id: number; key: string; kind: string; sku: string | null }>(
    'SELECT id, key, kind, sku FROM control_alerts WHERE cleared_at IS NULL',
  );
  const openKeys = new Set(open.map((o) => o.key));
  const raisedKeys = new Set(raised.map((a) => a.key));
  const fresh = raised.filter((a) => !openKeys.has(a.key));
  const kept = raised.filter((a) => openKeys.has(a.key));
  const gone = open.filter((o) => inScope(o) && !raisedKeys.has(o.key)).map((o) => Number(o.id));
  const events: AlertWebhook[] = [];
  const rowJson = (a: AlertDraft) => ({ ...a, figures: a.figures });
  if (fresh.length > 0) {
    const rows = await tx.query(
      `INSERT INTO control_alerts (key, kind, severity, subject, sku, site, message, figures, raised_at, last_seen_at)
       SELECT x.key, x.kind, x.severity, x.subject, x.sku, x.site, x.message, x.figures, $2, $2
       FROM jsonb_to_recordset($1::jsonb) AS x(key text, kind text, severity text, subject text, sku text, site text, message text, figures jsonb)
       ORDER BY x.key
       RETURNING *`,
      [JSON.stringify(fresh.map(rowJson)), now],
    );
    for (const r of rows) events.push({ type: 'alert.raised', timestamp: now.toISOString(), data: toView(r) });
  }
  if (kept.length > 0) {
    await tx.query(
      `UPDATE control_alerts a SET severity = x.severity, message = x.message, figures = x.figures, last_seen_at = $2
       FROM jsonb_to_recordset($1::jsonb) AS x(key text, severity text, message text, figures jsonb)
       WHERE a.key = x.key AND a.cleared_at IS NULL`,
      [JSON.stringify(kept.map(rowJson)), now],
    );
  }
  if (gone.length > 0) {
    const rows = await tx.query('UPDATE control_alerts SET cleared_at = $2 WHERE id = ANY($1::bigint[]) RETURNING *', [gone, now]);
    for (const r of rows) events.push({ type: 'alert.cleared', timestamp: now.toISOString(), data: toView(r) });
  }
  await enqueueAlerts(tx, events, webhookChannel);
  return { opened: fresh.length, cleared: gone.length, kept: kept.length };
}

/** Acknowledges an alert (once: a second acknowledgement keeps the first); undefined when there is no such alert. */
export async function ackAlert(tx: Sql, id: number, by: string, now: Date, webhookChannel: string): Promise<AlertView | undefined> {
  const [r] = await tx.query('UPDATE control_alerts SET acked_at = coalesce(acked_at, $2), acked_by = coalesce(acked_by, $3) WHERE id = $1 RETURNING *', [
    id,
    now,
    by,
  ]);
  if (!r) return undefined;
  const view = toView(r);
  if (view.ackedBy === by && view.ackedAt === now.toISOString()) {
    await enqueueAlerts(tx, [{ type: 'alert.acknowledged', timestamp: now.toISOString(), data: view }], webhookChannel);
  }
  return view;
}

/** Makes an endpoint take (or stop taking) alert events; false when there is no such endpoint. */
export async function subscribeAlerts(db: Sql, endpointId: string, on: boolean): Promise<boolean> {
  const rows = await db.query('UPDATE webhook_endpoints SET alerts = $2 WHERE id = $1 RETURNING 1', [endpointId, on]);
  return rows.length > 0;
}

/** Days of ATP history (charts) and of acknowledgements (delivery lags) kept. */
export const HISTORY_DAYS = 30;
export const ACK_DAYS = 7;

/**
 * Drops ATP history and acknowledgements older than kept; a channel's current version stays (its
 * delivery still needs it), and so does the newest acknowledgement of each SKU (what it shows).
 */
export async function pruneHistory(db: Sql, now: Date): Promise<void> {
  await db.query(
    `DELETE FROM control_atp_history h USING channel_atp a
     WHERE a.channel_id = h.channel_id AND a.sku = h.sku AND h.version < a.version AND h.at < $1`,
    [new Date(now.getTime() - HISTORY_DAYS * 86_400_000)],
  );
  // The newest acknowledgement per channel and SKU stays: it is what the channel shows.
  await db.query(
    `DELETE FROM control_atp_acks k WHERE k.acked_at < $1
       AND EXISTS (SELECT 1 FROM control_atp_acks n WHERE n.channel_id = k.channel_id AND n.sku = k.sku AND n.version > k.version)`,
    [new Date(now.getTime() - ACK_DAYS * 86_400_000)],
  );
}
