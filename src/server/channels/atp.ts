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
    rules: (typeof r.rules === 'string' ? JSON.parse(r.rules) : r.rules as Record<string, unknown>[]).map(toRule),
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
const key = (sku: string, site: string) => `${sku}\u0000${site}`;

/**
 * Reads the ATP inputs of `skus`. A reservation is live while its order is confirmed or short,
 * or reserved and not expired at `now`; what the floor has already picked for an order is no
 * longer reserved (it moved to committed).
 */
export async function atpInputs(tx: Sql, skus: readonly string[], now: Date): Promise<AtpInputs> {
  const list = sorted(skus);
  const [stock, held] = await Promise.all([
    tx.query<{ sku: string; site_id: string; available: number }>(
      `SELECT s.sku, l.site_id, sum(s.available)::int AS available FROM stock s JOIN locations l ON l.id = s.location
       WHERE s.sku = ANY($1::text[]) GROUP BY s.sku, l.site_id`,
      [list],
    ),
    tx.query<{ order_id: string; channel_id: string; sku: string; site_id: string; qty: number; picked: number; status: string; expires_at: Date | string | null }>(
      `WITH picked AS (
         SELECT p.order_ref AS order_id, l.sku, loc.site_id, sum(l.picked)::int AS picked
         FROM pick_lists p JOIN pick_lines l ON l.pick_list_id = p.id JOIN locations loc ON loc.id = l.location
         WHERE l.sku = ANY($1::text[]) AND p.order_ref LIKE 'SO-%'
         GROUP BY 1, 2, 3)
       SELECT r.order_id, r.channel_id, r.sku, r.site_id, sum(r.qty)::int AS qty, coalesce(max(pk.picked), 0)::int AS picked, o.status, o.expires_at
       FROM reservations r JOIN channel_orders o ON o.id = r.order_id
       LEFT JOIN picked pk ON pk.order_id = r.order_id AND pk.sku = r.sku AND pk.site_id = r.site_id
       WHERE r.sku = ANY($1::text[]) AND (o.status IN ('confirmed', 'short') OR (o.status = 'reserved' AND o.expires_at > $2))
       GROUP BY r.order_id, r.channel_id, r.sku, r.site_id, o.status, o.expires_at`,
      [list, now],
    ),
  ]);
  const available = new Map<string, number>();
  for (const r of stock) available.set(key(r.sku, r.site_id), num(r.available));
  const reservations = new Map<string, Reservation[]>();
  for (const r of held) {
    const open = Math.max(0, num(r.qty) - num(r.picked));
    if (open === 0) continue;
    const k = key(r.sku, r.site_id);
    const list2 = reservations.get(k) ?? [];
    list2.push({ channelId: r.channel_id, qty: open, expiresAt: r.status === 'reserved' && r.expires_at ? new Date(r.expires_at) : null });
    reservations.set(k, list2);
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
export function atpOf(inputs: AtpInputs, channels: readonly ChannelRow[], channel: ChannelRow, sku: string, now: Date, extra: (site: string) => readonly Reservation[] = () => []): ChannelAtp {
  return channelAtp(channel.id, channel.sites.map((site) => siteStock(inputs, channels, sku, site, extra(site))), now);
}

/**
 * Recomputes the ATP of `skus` for every active channel; each value that changed (or was never
 * published) gets the next version and an outbox item for each of its channel's endpoints.
 * Locks the `channel_atp` rows in (channel, sku) order, so concurrent refreshes queue and the
 * last to commit wrote the newest figures. Answers how many values changed.
 */
export async function refreshAtp(tx: Sql, skus: readonly string[], now: Date, notifyChannel: string): Promise<number> {
  const list = sorted(skus);
  if (list.length === 0) return 0;
  const channels = await activeChannels(tx);
  if (channels.length === 0) return 0;
  const ids = channels.map((c) => c.id);
  await tx.query(
    `INSERT INTO channel_atp (channel_id, sku)
     SELECT c, s FROM unnest($1::text[]) AS c CROSS JOIN unnest($2::text[]) AS s ORDER BY c, s
     ON CONFLICT DO NOTHING`,
    [ids, list],
  );
  const current = await tx.query<{ channel_id: string; sku: string; atp: number; version: number; zeroed_by: string[] | null }>(
    `SELECT channel_id, sku, atp, version, zeroed_by FROM channel_atp WHERE channel_id = ANY($1::text[]) AND sku = ANY($2::text[])
     ORDER BY channel_id, sku FOR UPDATE`,
    [ids, list],
  );
  // Read after the locks: a refresh that waited sees what the one before it committed.
  const inputs = await atpInputs(tx, list, now);
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
    const body: AtpWebhook = { type: 'atp.updated', timestamp: now.toISOString(), data: { channelId: row.channel_id, sku: row.sku, atp: a.atp, version, zeroedBy: a.zeroedBy } };
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

/** Locks the SKUs' rows that every reservation takes first, in SKU order (no deadlock between orders). */
export async function lockSkus(tx: Sql, skus: readonly string[]): Promise<void> {
  const list = sorted(skus);
  await tx.query('INSERT INTO atp_locks (sku) SELECT s FROM unnest($1::text[]) AS s ORDER BY s ON CONFLICT DO NOTHING', [list]);
  await tx.query('SELECT sku FROM atp_locks WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [list]);
}
