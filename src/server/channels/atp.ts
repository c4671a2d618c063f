/**
 * ATP as the database holds it: the inputs of the pure function (stock per site, live
 * reservations, every channel's policies) read inside a transaction, and `refreshAtp`, which
 * recomputes a set of SKUs for every channel, bumps the version of each value that changed and
 * puts it in the webhook outbox in the same transaction as the change.
 */
import { channelAtp, policyFor, type ChannelAtp, type PolicyRule, type Reservation, type SiteStock } from '../../domain/channels/atp.ts';
import type { AtpWebhook } from '../../domain/channels/protocol.ts';
import type { Sql } from '../db.ts';
import { enqueue, type OutboxItem } from './outbox.ts';

export type ChannelRow = { id: string; name: string; sites: string[]; ttlSeconds: number; rules: PolicyRule[] };

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** Active channels with their policy rules, by id. */
export async function activeChannels(tx: Sql): Promise<ChannelRow[]> {
  const rows = await tx.query<{ id: string; name: string; sites: string[]; ttl: number; rules: unknown }>(
    `SELECT c.id, c.name, c.sites, c.reservation_ttl_seconds AS ttl,
       coalesce((SELECT json_agg(json_build_object('sku', p.sku, 'site', p.site_id, 'safetyBuffer', p.safety_buffer, 'sharePct', p.share_pct,
         'maxListed', p.max_listed, 'maxListedSet', p.max_listed_set, 'ringFence', p.ring_fence)) FROM channel_policies p WHERE p.channel_id = c.id), '[]') AS rules
     FROM channels c WHERE c.disabled_at IS NULL ORDER BY c.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    sites: r.sites,
    ttlSeconds: num(r.ttl),
    rules: (typeof r.rules === 'string' ? JSON.parse(r.rules) : (r.rules as Record<string, unknown>[])).map(toRule),
  }));
}

function toRule(r: Record<string, unknown>): PolicyRule {
  const rule: PolicyRule = { sku: r.sku === '*' ? null : String(r.sku), site: r.site === '*' ? null : String(r.site) };
  if (r.safetyBuffer !== null && r.safetyBuffer !== undefined) rule.safetyBuffer = num(r.safetyBuffer);
  if (r.sharePct !== null && r.sharePct !== undefined) rule.sharePct = num(r.sharePct);
  if (r.maxListedSet === true) rule.maxListed = r.maxListed === null || r.maxListed === undefined ? null : num(r.maxListed);
  if (r.ringFence !== null && r.ringFence !== undefined) rule.ringFence = num(r.ringFence);
  return rule;
}

/** What is on the shelves and held by live reservations, per SKU and site. */
export type AtpInputs = {
  available: Map<string, number>;
  reservations: Map<string, Reservation[]>;
};
/** The key of an SKU at a site in `AtpInputs`. */
export const key = (sku: string, site: string) => `${sku}\u0000${site}`;

/**
 * Reads the ATP inputs of `skus`. A reservation is live while its order is confirmed or short,
 * or reserved and not expired at `now`; what the floor has already picked for an order is no
 * longer reserved (it moved to committed).
 */
export async function atpInputs(tx: Sql, skus: readonly string[], now: Date): Promise<AtpInputs> {
  const list = sorted(skus);
  // One statement, so one snapshot: shelf and reservations as they were at one moment.
  // What the floor picked for an order is looked up only for orders that are floor work already.
  const rows = await tx.query<{
    k: 's' | 'r';
    sku: string;
    site_id: string;
    qty: number;
    channel_id: string | null;
    status: string | null;
    expires_at: Date | string | null;
    picked: number;
  }>(
    `SELECT 's' AS k, s.sku, l.site_id, sum(s.available)::int AS qty, NULL::text AS channel_id, NULL::text AS status, NULL::timestamptz AS expires_at, 0 AS picked
     FROM stock s JOIN locations l ON l.id = s.location WHERE s.sku = ANY($1::text[]) GROUP BY s.sku, l.site_id
     UNION ALL
     SELECT 'r', r.sku, r.site_id, r.qty, r.channel_id, o.status, o.expires_at,
       CASE WHEN o.status = 'reserved' THEN 0 ELSE coalesce((SELECT sum(pl.picked) FROM pick_lines pl JOIN locations loc ON loc.id = pl.location
         WHERE pl.pick_list_id = 'PL-' || r.order_id AND pl.sku = r.sku AND loc.site_id = r.site_id), 0) END::int
     FROM (SELECT order_id, channel_id, sku, site_id, sum(qty)::int AS qty FROM reservations WHERE sku = ANY($1::text[]) AND qty > 0 GROUP BY 1, 2, 3, 4) r
     JOIN channel_orders o ON o.id = r.order_id
     WHERE o.status IN ('confirmed', 'short') OR (o.status = 'reserved' AND o.expires_at > $2)`,
    [list, now],
  );
  const available = new Map<string, number>();
  const reservations = new Map<string, Reservation[]>();
  for (const r of rows) {
    const k = key(r.sku, r.site_id);
    if (r.k === 's') {
      available.set(k, num(r.qty));
      continue;
    }
    const open = Math.max(0, num(r.qty) - num(r.picked));
    if (open === 0) continue;
    reservations.set(k, [
      ...(reservations.get(k) ?? []),
      { channelId: r.channel_id as string, qty: open, expiresAt: r.status === 'reserved' && r.expires_at ? new Date(r.expires_at) : null },
    ]);
  }
  return { available, reservations };
}

/** The inputs of the pure function for one SKU at one site. */
export function siteStock(inputs: AtpInputs, channels: readonly ChannelRow[], sku: string, site: string, extra: readonly Reservation[] = []): SiteStock {
  return {
    site,
    buckets: { available: inputs.available.get(key(sku, site)) ?? 0 },
    reservations: [...(inputs.reservations.get(key(sku, site)) ?? []), ...extra],
    channels: channels.filter((c) => c.sites.includes(site)).map((c) => ({ channelId: c.id, policy: policyFor(c.rules, sku, site) })),
  };
}

/** One channel's ATP for one SKU over its sites (in the channel's site order). */
export function atpOf(
  inputs: AtpInputs,
  channels: readonly ChannelRow[],
  channel: ChannelRow,
  sku: string,
  now: Date,
  extra: (site: string) => readonly Reservation[] = () => [],
): ChannelAtp {
  return channelAtp(
    channel.id,
    channel.sites.map((site) => siteStock(inputs, channels, sku, site, extra(site))),
    now,
  );
}

/**
 * Recomputes the ATP of `skus` for every active channel; each value that changed (or was never
 * published) gets the next version and an outbox item for each of its channel's endpoints.
 * Locks the `channel_atp` rows in (channel, sku) order, so concurrent refreshes queue and the
 * last to commit wrote the newest figures. Answers how many values changed.
 */
export async function refreshAtp(
  tx: Sql,
  skus: readonly string[],
  now: Date,
  notifyChannel: string,
  /** Inputs the caller read while holding the SKUs' locks, with its own changes applied (saves reading them again). */
  known?: { channels: ChannelRow[]; inputs: AtpInputs },
): Promise<number> {
  const list = sorted(skus);
  if (list.length === 0) return 0;
  const channels = known?.channels ?? (await activeChannels(tx));
  if (channels.length === 0) return 0;
  const ids = channels.map((c) => c.id);
  const lockRows = () =>
    tx.query<{ channel_id: string; sku: string; atp: number; version: number; zeroed_by: string[] | null }>(
      `SELECT channel_id, sku, atp, version, zeroed_by FROM channel_atp WHERE channel_id = ANY($1::text[]) AND sku = ANY($2::text[])
       ORDER BY channel_id, sku FOR UPDATE`,
      [ids, list],
    );
  let current = await lockRows();
  if (current.length < ids.length * list.length) {
    await tx.query(
      `INSERT INTO channel_atp (channel_id, sku)
       SELECT c, s FROM unnest($1::text[]) AS c CROSS JOIN unnest($2::text[]) AS s ORDER BY c, s
       ON CONFLICT DO NOTHING`,
      [ids, list],
    );
    current = await lockRows();
  }
  // Read after the locks: a refresh that waited sees what the one before it committed.
  const inputs = known?.inputs ?? (await atpInputs(tx, list, now));
  const changed: { channel_id: string; sku: string; atp: number; version: number; zeroed_by: string[] | null }[] = [];
  const items: OutboxItem[] = [];
  for (const row of current) {
    const channel = channels.find((c) => c.id === row.channel_id);
    if (!channel) continue;
    const a = atpOf(inputs, channels, channel, row.sku, now);
    const zeroedBy = a.zeroedBy ? [...a.zeroedBy].sort() : null;
    const same = num(row.atp) === a.atp && num(row.version) > 0 && JSON.stringify(row.zeroed_by ?? null) === JSON.stringify(zeroedBy);
    if (same) continue;
    const version = num(row.version) + 1;
    changed.push({ channel_id: row.channel_id, sku: row.sku, atp: a.atp, version, zeroed_by: zeroedBy });
    const body: AtpWebhook = {
      type: 'atp.updated',
      timestamp: now.toISOString(),
      data: { channelId: row.channel_id, sku: row.sku, atp: a.atp, version, zeroedBy: a.zeroedBy },
    };
    items.push({ channelId: row.channel_id, kind: 'atp', subject: row.sku, msgId: `atp-${row.channel_id}-${row.sku}-v${version}`, payload: body });
  }
  if (changed.length === 0) return 0;
  await tx.query(
    `UPDATE channel_atp a SET atp = x.atp, version = x.version, zeroed_by = x.zeroed_by, updated_at = $2
     FROM jsonb_to_recordset($1::jsonb) AS x(channel_id text, sku text, atp int, version bigint, zeroed_by text[])
     WHERE a.channel_id = x.channel_id AND a.sku = x.sku`,
    [JSON.stringify(changed), now],
  );
  await enqueue(tx, items, notifyChannel);
  return changed.length;
}

/**
 * Locks the SKUs' rows that every reservation takes first, in SKU order (no deadlock between
 * orders). Only catalog SKUs get a row; answers the SKUs it locked (the unknown ones are missing).
 */
export async function lockSkus(tx: Sql, skus: readonly string[]): Promise<Set<string>> {
  const list = sorted(skus);
  let locked = await tx.query<{ sku: string }>('SELECT sku FROM atp_locks WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [list]);
  if (locked.length < list.length) {
    await tx.query('INSERT INTO atp_locks (sku) SELECT sku FROM catalog WHERE sku = ANY($1::text[]) ORDER BY sku ON CONFLICT DO NOTHING', [list]);
    locked = await tx.query<{ sku: string }>('SELECT sku FROM atp_locks WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [list]);
  }
  return new Set(locked.map((r) => r.sku));
}

/** The inputs with reservations added (what a transaction just wrote, without reading it back). */
export function withReservations(inputs: AtpInputs, added: readonly { sku: string; site: string; reservation: Reservation }[]): AtpInputs {
  const reservations = new Map(inputs.reservations);
  for (const a of added) reservations.set(key(a.sku, a.site), [...(reservations.get(key(a.sku, a.site)) ?? []), a.reservation]);
  return { available: inputs.available, reservations };
}
