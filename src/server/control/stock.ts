/**
 * The control room's stock reads: every SKU with its buckets per site, each channel's ATP and
 * open reservations; the ledger entries behind a figure; the series of its charts.
 */
import { describeScan, locationOf, qtyOf } from '../../domain/control/explain.ts';
import type { ChartSeries, ExplainAnswer, StockAnswer, StockItem } from '../../domain/control/protocol.ts';
import type { Sql } from '../db.ts';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

/** Live reservations: of orders confirmed, short, or reserved and not expired at `now`. */
const LIVE = `(o.status IN ('confirmed', 'short') OR (o.status = 'reserved' AND o.expires_at > $NOW))`;

/** A page of SKUs (by SKU order, optionally those starting with or named like `q`). */
export async function stockPage(db: Sql, q: string | undefined, limit: number, offset: number, now: Date): Promise<StockAnswer> {
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const [total] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM catalog c WHERE ($1::text IS NULL OR c.sku ILIKE $1 OR c.name ILIKE $1)`, [
    pattern,
  ]);
  const skus = await db.query<{ sku: string; name: string; reorder_point: number | null }>(
    `SELECT c.sku, c.name, c.reorder_point FROM catalog c WHERE ($1::text IS NULL OR c.sku ILIKE $1 OR c.name ILIKE $1) ORDER BY c.sku LIMIT $2 OFFSET $3`,
    [pattern, limit, offset],
  );
  const list = skus.map((s) => s.sku);
  const [buckets, reserved, atp] = await Promise.all([
    db.query(
      `SELECT st.sku, l.site_id, sum(st.available)::bigint AS available, sum(st.committed)::bigint AS committed, sum(st.qc)::bigint AS qc,
         sum(st.quarantine)::bigint AS quarantine, sum(st.suspect)::bigint AS suspect
       FROM stock st JOIN locations l ON l.id = st.location WHERE st.sku = ANY($1::text[]) GROUP BY st.sku, l.site_id`,
      [list],
    ),
    db.query(
      `SELECT r.sku, r.site_id, sum(r.qty)::bigint AS qty FROM reservations r JOIN channel_orders o ON o.id = r.order_id
       WHERE r.sku = ANY($1::text[]) AND ${LIVE.replace('$NOW', '$2')} GROUP BY r.sku, r.site_id`,
      [list, now],
    ),
    db.query<{ sku: string; channel_id: string; atp: number }>(
      `SELECT a.sku, a.channel_id, a.atp FROM channel_atp a JOIN channels c ON c.id = a.channel_id AND c.disabled_at IS NULL
       WHERE a.sku = ANY($1::text[]) ORDER BY a.channel_id`,
      [list],
    ),
  ]);
  const items: StockItem[] = skus.map((s) => {
    const sites = new Map<string, StockItem['sites'][number]>();
    const site = (id: string) => {
      let f = sites.get(id);
      if (!f) sites.set(id, (f = { site: id, available: 0, committed: 0, qc: 0, quarantine: 0, suspect: 0, reserved: 0 }));
      return f;
    };
    for (const b of buckets.filter((b) => b.sku === s.sku))
      Object.assign(site(String(b.site_id)), {
        available: num(b.available),
        committed: num(b.committed),
        qc: num(b.qc),
        quarantine: num(b.quarantine),
        suspect: num(b.suspect),
      });
    for (const r of reserved.filter((r) => r.sku === s.sku)) site(String(r.site_id)).reserved = num(r.qty);
    return {
      sku: s.sku,
      name: s.name,
      reorderPoint: s.reorder_point === null ? null : num(s.reorder_point),
      sites: [...sites.values()].sort((a, b) => a.site.localeCompare(b.site)),
      atp: atp.filter((a) => a.sku === s.sku).map((a) => ({ channelId: a.channel_id, atp: Math.max(0, num(a.atp)) })),
    };
  });
  return { items, total: num(total?.n) };
}

export const BUCKETS = ['available', 'committed', 'qc', 'quarantine', 'suspect', 'reserved'] as const;
export type ExplainBucket = (typeof BUCKETS)[number];

/**
 * The entries behind one figure of a SKU (at a site, or everywhere): the applied ledger entries
 * that touched it, newest first, with who, which device, when and what the scan was; for
 * `reserved`, the live reservations that make it.
 */
export async function explainFigure(db: Sql, sku: string, site: string | null, bucket: ExplainBucket, now: Date, limit: number): Promise<ExplainAnswer> {
  const [fig] = await db.query(
    `SELECT coalesce(sum(st.${bucket === 'reserved' ? 'available' : bucket}), 0)::bigint AS n FROM stock st JOIN locations l ON l.id = st.location
     WHERE st.sku = $1 AND ($2::text IS NULL OR l.site_id = $2)`,
    [sku, site],
  );
  const reservations = await db.query<{ order_id: string; channel_id: string; qty: number; status: string }>(
    `SELECT r.order_id, r.channel_id, sum(r.qty)::int AS qty, o.status FROM reservations r JOIN channel_orders o ON o.id = r.order_id
     WHERE r.sku = $1 AND ($2::text IS NULL OR r.site_id = $2) AND ${LIVE.replace('$NOW', '$3')} AND r.qty > 0
     GROUP BY r.order_id, r.channel_id, o.status ORDER BY r.order_id`,
    [sku, site, now],
  );
  const entries =
    bucket === 'reserved'
      ? []
      : await db.query(
          `SELECT g.position, g.type, g.actor, g.device_id, g.seq, g.occurred_at, g.received_at, g.payload
           FROM ledger g
           WHERE g.status = 'applied' AND g.skus @> ARRAY[$1::text]
             AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM unnest(g.locations) AS loc JOIN locations l ON l.id = loc WHERE l.site_id = $2))
           ORDER BY g.position DESC LIMIT $3`,
          [sku, site, limit],
        );
  const figure = bucket === 'reserved' ? reservations.reduce((a, r) => a + num(r.qty), 0) : num(fig?.n);
  return {
    sku,
    site,
    bucket,
    figure,
    entries: entries.map((e) => {
      const payload = typeof e.payload === 'string' ? (JSON.parse(e.payload) as unknown) : e.payload;
      return {
        position: num(e.position),
        type: String(e.type),
        actor: String(e.actor),
        deviceId: String(e.device_id),
        seq: num(e.seq),
        occurredAt: String(e.occurred_at),
        receivedAt: iso(e.received_at),
        location: locationOf(payload),
        qty: qtyOf(payload, sku),
        scan: describeScan(String(e.type), payload),
        payload,
      };
    }),
    reservations: reservations.map((r) => ({ orderId: r.order_id, channelId: r.channel_id, qty: num(r.qty), status: r.status })),
  };
}

/** ATP per channel of one SKU, as it stood at the end of each change, over the last `days` days. */
export async function atpSeries(db: Sql, sku: string, now: Date, days: number): Promise<ChartSeries[]> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const rows = await db.query<{ channel_id: string; at: unknown; atp: number }>(
    `SELECT channel_id, at, atp FROM control_atp_history WHERE sku = $1 AND at >= $2 ORDER BY channel_id, version LIMIT 5000`,
    [sku, since],
  );
  const series = new Map<string, [number, number][]>();
  for (const r of rows) {
    const s = series.get(r.channel_id) ?? [];
    s.push([Math.floor(new Date(iso(r.at)).getTime() / 1000), num(r.atp)]);
    series.set(r.channel_id, s);
  }
  return [...series].map(([label, points]) => ({ label, points }));
}

/** Ledger entries a sync-lag chart reads at most (the newest): a chart never scans a long ledger. */
export const LAG_WINDOW = 100_000;

/**
 * Sync lag per handheld: per hour, the longest a delivered event waited between its recording
 * (the device clock) and its receipt (the API's), in seconds, over the last `days` days (and the
 * newest `LAG_WINDOW` entries).
 */
export async function syncLagSeries(db: Sql, now: Date, days: number): Promise<ChartSeries[]> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const rows = await db.query<{ device_id: string; hour: unknown; lag: number }>(
    `SELECT device_id, date_trunc('hour', received_at) AS hour,
       max(GREATEST(0, EXTRACT(EPOCH FROM (received_at - occurred_at::timestamptz))))::float8 AS lag
     FROM ledger WHERE position > (SELECT coalesce(max(position), 0) FROM ledger) - $2 AND received_at >= $1 AND occurred_at ~ '^\\d{4}-\\d{2}-\\d{2}T' GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 5000`,
    [since, LAG_WINDOW],
  );
  const series = new Map<string, [number, number][]>();
  for (const r of rows) {
    const s = series.get(r.device_id) ?? [];
    s.push([Math.floor(new Date(iso(r.hour)).getTime() / 1000), Math.round(num(r.lag))]);
    series.set(r.device_id, s);
  }
  return [...series].map(([label, points]) => ({ label, points }));
}
