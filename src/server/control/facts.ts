/**
 * What the board and the alert rules read: handhelds (their contact, reported health, refusals),
 * channel endpoints (outbox and delivery log), SKU figures per site, held units and what each
 * channel was last shown. Reads only; the rules are in src/domain/control.
 */
import type { HeldBucket, HeldFacts, ShownFacts, SilentFacts, SkuFacts } from '../../domain/control/alerts.ts';
import type { DeviceFacts, EndpointFacts } from '../../domain/control/board.ts';
import type { Sql } from '../db.ts';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export type DeviceRow = DeviceFacts & { deviceId: string; lastSeq: number; reportedAt: Date | null; lastDeliveryAt: Date | null; sites: string[] };

/** Every handheld the API knows, with what it last reported and the sites of its recent scans. */
export async function deviceRows(db: Sql): Promise<DeviceRow[]> {
  const rows = await db.query(
    `SELECT d.device_id, d.last_seq, d.last_contact_at, d.rejected_count, (d.revoked_at IS NOT NULL OR d.reset_at IS NOT NULL) AS retired,
       h.reported_at, h.pending, h.oldest_pending_at, h.needs_attention, h.storage_usage, h.storage_quota,
       (SELECT g.received_at FROM ledger g WHERE g.device_id = d.device_id ORDER BY g.seq DESC LIMIT 1) AS last_delivery_at,
       (SELECT coalesce(array_agg(DISTINCT l.site_id), '{}') FROM
          (SELECT locations FROM ledger g WHERE g.device_id = d.device_id ORDER BY g.seq DESC LIMIT 50) recent
          CROSS JOIN LATERAL unnest(recent.locations) AS loc JOIN locations l ON l.id = loc) AS sites
     FROM devices d LEFT JOIN device_health h ON h.device_id = d.device_id
     ORDER BY d.device_id`,
  );
  return rows.map((r) => {
    const contact = date(r.last_contact_at);
    const reported = date(r.reported_at);
    return {
      deviceId: String(r.device_id),
      lastSeq: num(r.last_seq),
      lastContactAt: contact && reported ? (contact > reported ? contact : reported) : (contact ?? reported),
      reportedAt: reported,
      backlog: num(r.pending),
      oldestPendingAt: date(r.oldest_pending_at),
      refusals: Math.max(num(r.rejected_count), num(r.needs_attention)),
      storageUsage: numOrNull(r.storage_usage),
      storageQuota: numOrNull(r.storage_quota),
      retired: r.retired === true,
      lastDeliveryAt: date(r.last_delivery_at),
      sites: ((r.sites as string[] | null) ?? []).slice().sort(),
    };
  });
}

export const silentFacts = (d: DeviceRow): SilentFacts => ({
  deviceId: d.deviceId,
  backlog: d.backlog,
  lastDeliveryAt: d.lastDeliveryAt,
  lastContactAt: d.lastContactAt,
  retired: d.retired,
});

export type EndpointRow = EndpointFacts & {
  oldestWaitingAt: Date | null;
  endpointId: string;
  channelId: string;
  url: string;
  disabledReason: string | null;
  waiting: number;
  sites: string[];
  recentLagSeconds: number[];
};

/** Every webhook endpoint with its waiting changes, failures since its last acknowledged delivery and recent lags. */
export async function endpointRows(db: Sql): Promise<EndpointRow[]> {
  const rows = await db.query(
    `SELECT e.id, e.channel_id, e.url, e.status, e.disabled_reason, c.sites,
       (SELECT min(o.enqueued_at) FROM webhook_outbox o WHERE o.endpoint_id = e.id) AS oldest_waiting_at,
       (SELECT GREATEST(0, EXTRACT(EPOCH FROM (now() - min(o.enqueued_at))))::float8 FROM webhook_outbox o WHERE o.endpoint_id = e.id) AS waiting_seconds,
       (SELECT count(*) FROM webhook_outbox o WHERE o.endpoint_id = e.id) AS waiting,
       ack.at AS last_ack_at,
       (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.id > coalesce(ack.id, 0)) AS failures,
       (SELECT coalesce(json_agg(x.lag ORDER BY x.acked_at), '[]') FROM
          (SELECT a.acked_at, GREATEST(0, EXTRACT(EPOCH FROM (a.acked_at - a.changed_at)))::float8 AS lag FROM control_atp_acks a
           WHERE a.endpoint_id = e.id ORDER BY a.acked_at DESC LIMIT 20) x) AS lags
     FROM webhook_endpoints e JOIN channels c ON c.id = e.channel_id
     LEFT JOIN LATERAL (SELECT d.id, d.at FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status_code BETWEEN 200 AND 299
                        ORDER BY d.id DESC LIMIT 1) ack ON true
     ORDER BY e.channel_id, e.id`,
  );
  return rows.map((r) => ({
    endpointId: String(r.id),
    channelId: String(r.channel_id),
    url: String(r.url),
    disabled: r.status === 'disabled',
    disabledReason: (r.disabled_reason as string | null) ?? null,
    oldestWaitingAt: date(r.oldest_waiting_at),
    waitingSeconds: numOrNull(r.waiting_seconds),
    waiting: num(r.waiting),
    failuresInARow: num(r.failures),
    lastAckAt: date(r.last_ack_at),
    sites: (r.sites as string[]) ?? [],
    recentLagSeconds: (typeof r.lags === 'string' ? (JSON.parse(r.lags) as number[]) : ((r.lags as number[]) ?? [])).map(
      (n) => Math.round(Number(n) * 10) / 10,
    ),
  }));
}

export async function siteRows(db: Sql): Promise<{ id: string; name: string }[]> {
  return db.query<{ id: string; name: string }>('SELECT id, name FROM sites WHERE active ORDER BY id');
}

/** Figures per SKU and site for the stock rules; `skus` limits them (a ledger change), undefined reads all. */
export async function skuFacts(db: Sql, skus: readonly string[] | undefined, now: Date, windowDays: number): Promise<SkuFacts[]> {
  const since = new Date(now.getTime() - windowDays * 86_400_000);
  const rows = await db.query(
    `WITH s AS (
       SELECT st.sku, l.site_id, sum(st.available)::bigint AS available,
         sum(st.available + st.committed + st.qc + st.quarantine + st.suspect)::bigint AS on_hand, max(st.last_moved_at) AS last_at
       FROM stock st JOIN locations l ON l.id = st.location
       WHERE ($1::text[] IS NULL OR st.sku = ANY($1::text[])) GROUP BY st.sku, l.site_id),
     p AS (
       SELECT pk.sku, l.site_id, sum(pk.taken - pk.returned)::bigint AS picked
       FROM picks pk JOIN ledger g ON g.id = pk.event_id AND g.status = 'applied' JOIN locations l ON l.id = pk.location
       WHERE g.received_at >= $2 AND ($1::text[] IS NULL OR pk.sku = ANY($1::text[])) GROUP BY pk.sku, l.site_id)
     SELECT s.sku, s.site_id, c.reorder_point, s.available, s.on_hand, coalesce(p.picked, 0) AS picked, s.last_at
     FROM s JOIN catalog c ON c.sku = s.sku
     LEFT JOIN p ON p.sku = s.sku AND p.site_id = s.site_id
     ORDER BY s.sku, s.site_id`,
    [skus ? [...skus] : null, since],
  );
  return rows.map((r) => ({
    sku: String(r.sku),
    site: String(r.site_id),
    reorderPoint: numOrNull(r.reorder_point),
    available: num(r.available),
    onHand: num(r.on_hand),
    pickedInWindow: num(r.picked),
    lastMovementAt: date(r.last_at),
  }));
}

/** Units in QC, quarantine or suspect, with when their stock row last moved (kept by the push's write). */
export async function heldFacts(db: Sql, skus: readonly string[] | undefined): Promise<HeldFacts[]> {
  const rows = await db.query(
    `SELECT st.sku, st.location, l.site_id, st.qc, st.quarantine, st.suspect, st.last_moved_at AS last_at
     FROM stock st JOIN locations l ON l.id = st.location
     WHERE (st.qc > 0 OR st.quarantine > 0 OR st.suspect > 0) AND ($1::text[] IS NULL OR st.sku = ANY($1::text[]))
     ORDER BY st.sku, st.location`,
    [skus ? [...skus] : null],
  );
  const out: HeldFacts[] = [];
  for (const r of rows)
    for (const bucket of ['qc', 'quarantine', 'suspect'] as HeldBucket[])
      if (num(r[bucket]) > 0)
        out.push({ sku: String(r.sku), location: String(r.location), site: String(r.site_id), bucket, qty: num(r[bucket]), lastTouchedAt: date(r.last_at) });
  return out;
}

/** SKUs whose ATP waits for delivery to some endpoint, or with an open "shown too much" alert: where that rule can change on the clock alone. */
export async function shownCandidates(db: Sql): Promise<string[]> {
  const rows = await db.query<{ sku: string }>(
    `SELECT subject AS sku FROM webhook_outbox WHERE kind = 'atp'
     UNION SELECT sku FROM control_alerts WHERE cleared_at IS NULL AND kind = 'channel_overshown' AND sku IS NOT NULL`,
  );
  return rows.map((r) => r.sku);
}

/**
 * Per channel and SKU shown more than its ATP now: the newest value an endpoint acknowledged, the
 * ATP, and how long a newer value has waited. Only those rows: every other SKU raises nothing.
 */
export async function shownFacts(db: Sql, skus: readonly string[] | undefined): Promise<ShownFacts[]> {
  const rows = await db.query(
    `SELECT a.channel_id, a.sku, a.atp, s.atp AS shown,
       (SELECT GREATEST(0, EXTRACT(EPOCH FROM (now() - min(o.enqueued_at))))::float8 FROM webhook_outbox o JOIN webhook_endpoints e ON e.id = o.endpoint_id
        WHERE e.channel_id = a.channel_id AND o.kind = 'atp' AND o.subject = a.sku) AS waiting_seconds
     FROM channel_atp a JOIN channels c ON c.id = a.channel_id AND c.disabled_at IS NULL
     CROSS JOIN LATERAL (SELECT k.atp FROM control_atp_acks k WHERE k.channel_id = a.channel_id AND k.sku = a.sku ORDER BY k.version DESC LIMIT 1) s
     WHERE s.atp > GREATEST(a.atp, 0) AND ($1::text[] IS NULL OR a.sku = ANY($1::text[]))
     ORDER BY a.channel_id, a.sku`,
    [skus ? [...skus] : null],
  );
  return rows.map((r) => ({
    channelId: String(r.channel_id),
    sku: String(r.sku),
    shown: numOrNull(r.shown),
    atpNow: Math.max(0, num(r.atp)),
    waitingSeconds: numOrNull(r.waiting_seconds),
  }));
}
