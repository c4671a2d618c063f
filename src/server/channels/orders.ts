/**
 * Channel orders: placing one reserves within the channel's ATP in one transaction (or is
 * refused naming the short line), confirming makes it floor work, cancelling releases what the
 * floor has not yet held, changing lines re-reserves, and expiry gives units back. Every state
 * change is a row of `order_events` (the order ledger) and an `order.updated` webhook, written
 * in the same transaction as the change.
 *
 * Locks, always in this order: the order's row, then the SKUs' `atp_locks` rows (SKU order),
 * then `channel_atp` rows (channel, SKU order). Every path that may take units holds the SKU
 * locks while it decides, so two API processes never promise the same unit.
 */
import { randomBytes } from 'node:crypto';
import { allocateLine, type Reservation } from '../../domain/channels/atp.ts';
import type { OrderStatus, OrderView, OrderWebhook, PlaceOrder } from '../../domain/channels/protocol.ts';
import type { Database, Sql } from '../db.ts';
import { activeChannels, atpInputs, atpOf, lockSkus, refreshAtp, withReservations, type AtpInputs, type ChannelRow } from './atp.ts';
import { allocatePickList, closePickList } from './floor.ts';
import { enqueue } from './outbox.ts';

export type OrderCtx = { channelId: string; now: Date; notifyChannel: string; actor: string };
export type Answer = { status: number; body: unknown };

const newOrderId = (): string => `SO-${randomBytes(8).toString('hex')}`;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const LIVE: readonly OrderStatus[] = ['reserved', 'confirmed', 'short'];

/** The order as a channel sees it (one query). */
export async function orderView(tx: Sql, orderId: string): Promise<OrderView | undefined> {
  const [o] = await tx.query<{
    id: string;
    channel_id: string;
    status: OrderStatus;
    version: number;
    reference: string | null;
    expires_at: Date | null;
    list: string | null;
    lines: unknown;
  }>(
    `SELECT o.id, o.channel_id, o.status, o.version, o.reference, o.expires_at,
       (SELECT p.id FROM pick_lists p WHERE p.id = 'PL-' || o.id) AS list,
       coalesce((SELECT json_agg(json_build_object('lineId', ol.line_id, 'sku', ol.sku, 'requested', ol.requested,
           'reserved', coalesce((SELECT sum(r.qty) FROM reservations r WHERE r.order_id = ol.order_id AND r.line_id = ol.line_id), 0),
           'picked', coalesce((SELECT sum(pl.picked) FROM pick_lines pl WHERE pl.pick_list_id = 'PL-' || ol.order_id AND split_part(pl.line_id, '@', 1) = ol.line_id), 0),
           'short', coalesce((SELECT sum(pl.short) FROM pick_lines pl WHERE pl.pick_list_id = 'PL-' || ol.order_id AND split_part(pl.line_id, '@', 1) = ol.line_id), 0))
         ORDER BY ol.position) FROM order_lines ol WHERE ol.order_id = o.id), '[]') AS lines
     FROM channel_orders o WHERE o.id = $1`,
    [orderId],
  );
  if (!o) return undefined;
  const lines = (typeof o.lines === 'string' ? JSON.parse(o.lines) : o.lines) as Record<string, unknown>[];
  return {
    id: o.id,
    channelId: o.channel_id,
    status: o.status,
    version: num(o.version),
    reference: o.reference,
    expiresAt: o.status === 'reserved' && o.expires_at ? new Date(o.expires_at).toISOString() : null,
    lines: lines.map((l) => ({
      lineId: String(l.lineId),
      sku: String(l.sku),
      requested: num(l.requested),
      reserved: num(l.reserved),
      picked: num(l.picked),
      short: num(l.short),
    })),
    pickListId: o.list,
  };
}

/** Records an order fact in the order ledger and queues its webhook with the order as it now is. */
export async function recordOrderEvent(
  tx: Sql,
  orderId: string,
  type: string,
  actor: string,
  now: Date,
  notifyChannel: string,
  payload: unknown = {},
): Promise<OrderView> {
  const view = (await orderView(tx, orderId)) as OrderView;
  await tx.query('INSERT INTO order_events (order_id, channel_id, type, actor, at, payload) VALUES ($1, $2, $3, $4, $5, $6)', [
    orderId,
    view.channelId,
    type,
    actor,
    now,
    JSON.stringify(payload),
  ]);
  const body: OrderWebhook = { type: 'order.updated', timestamp: now.toISOString(), data: view };
  await enqueue(tx, [{ channelId: view.channelId, kind: 'order', subject: orderId, msgId: `order-${orderId}-v${view.version}`, payload: body }], notifyChannel);
  return view;
}

/** A refusal is an order fact too (no webhook: the channel had its answer). */
async function recordRefusal(tx: Sql, orderId: string, channelId: string, actor: string, now: Date, payload: unknown): Promise<void> {
  await tx.query(`INSERT INTO order_events (order_id, channel_id, type, actor, at, payload) VALUES ($1, $2, 'order.refused', $3, $4, $5)`, [
    orderId,
    channelId,
    actor,
    now,
    JSON.stringify(payload),
  ]);
}

/**
 * Places an order under an idempotency key. The first answer is stored with the order and is
 * what every retry of the same body gets (a refusal too); another body under the same key is a 422.
 */
export async function placeOrder(
  db: Database,
  ctx: OrderCtx,
  idempotencyKey: string,
  requestHash: string,
  body: PlaceOrder,
): Promise<Answer & { replayed: boolean }> {
  return db.transaction(async (tx) => {
    const id = newOrderId();
    // The key's row first: a concurrent retry waits here for this transaction, then finds the answer.
    const inserted = await tx.query(
      `INSERT INTO channel_orders (id, channel_id, idempotency_key, request_hash, status, reference, partial, answer_status, answer, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'refused', $5, $6, 0, '{}', $7, $7) ON CONFLICT (channel_id, idempotency_key) DO NOTHING RETURNING id`,
      [id, ctx.channelId, idempotencyKey, requestHash, body.reference ?? null, body.partial, ctx.now],
    );
    if (inserted.length === 0) {
      const [prev] = await tx.query<{ request_hash: string; answer_status: number; answer: unknown }>(
        'SELECT request_hash, answer_status, answer FROM channel_orders WHERE channel_id = $1 AND idempotency_key = $2',
        [ctx.channelId, idempotencyKey],
      );
      if (!prev) throw Object.assign(new Error('idempotency key vanished'), { code: '40001' });
      if (prev.request_hash !== requestHash) {
        return {
          status: 422,
          body: {
            error: 'idempotency_key_reused',
            message: 'this Idempotency-Key was used for another order body; use a new key for a new order',
            field: 'Idempotency-Key',
          },
          replayed: false,
        };
      }
      return { status: num(prev.answer_status), body: typeof prev.answer === 'string' ? JSON.parse(prev.answer) : prev.answer, replayed: true };
    }
    const answer = await reserveNew(tx, ctx, id, body);
    await tx.query('UPDATE channel_orders SET answer_status = $2, answer = $3 WHERE id = $1', [id, answer.status, JSON.stringify(answer.body)]);
    return { ...answer, replayed: false };
  });
}

async function reserveNew(tx: Sql, ctx: OrderCtx, id: string, body: PlaceOrder): Promise<Answer> {
  const refuse = async (status: number, error: string, message: string, extra: Record<string, unknown> = {}): Promise<Answer> => {
    await recordRefusal(tx, id, ctx.channelId, ctx.actor, ctx.now, { error, ...extra });
    return { status, body: { error, message, orderId: id, ...extra } };
  };
  const refuseShort = (first: ShortLine, shortLines: ShortLine[]) =>
    refuse(
      409,
      'insufficient_stock',
      `line ${first.lineId}: ${first.sku} has ${first.available} of ${first.requested} available to this channel; nothing was reserved`,
      { line: first, shortLines },
    );
  const skus = [...new Set(body.lines.map((l) => l.sku))];
  // A first look without the SKU locks (one snapshot of committed figures): an order that does
  // not fit then is refused at once, without queueing behind every order of a flash sale. Only
  // an order that may fit waits for the locks and decides again.
  const glance = await activeChannels(tx);
  const glancer = glance.find((c) => c.id === ctx.channelId);
  if (glancer && !body.partial) {
    const seen = await atpInputs(tx, skus, ctx.now);
    const { shortLines } = allocateAll(body, seen, glance, glancer, ctx.now, new Date(ctx.now.getTime() + 1));
    const first = shortLines[0];
    // A SKU with no stock row at all may be unknown: the locked path names that properly.
    const stocked = (sku: string) => [...seen.available.keys()].some((k) => k.startsWith(`${sku}\u0000`));
    if (first && shortLines.every((l) => stocked(l.sku))) return refuseShort(first, shortLines);
  }
  const known = await lockSkus(tx, skus);
  const unknown = body.lines.find((l) => !known.has(l.sku));
  if (unknown)
    return refuse(422, 'unknown_sku', `line ${unknown.lineId}: ${unknown.sku} is not in the catalog`, { line: { lineId: unknown.lineId, sku: unknown.sku } });
  const channels = await activeChannels(tx);
  const me = channels.find((c) => c.id === ctx.channelId);
  if (!me) return refuse(403, 'channel_disabled', 'this channel is disabled');
  const inputs = await atpInputs(tx, skus, ctx.now);
  const expiresAt = new Date(ctx.now.getTime() + (body.ttlSeconds ?? me.ttlSeconds) * 1000);
  const { takes, shortLines } = allocateAll(body, inputs, channels, me, ctx.now, expiresAt);
  const first = shortLines[0];
  if (first && (!body.partial || takes.length === 0)) return refuseShort(first, shortLines);
  await tx.query(
    `WITH up AS (UPDATE channel_orders SET status = 'reserved', expires_at = $2, updated_at = $3 WHERE id = $1 RETURNING 1),
     lines_in AS (INSERT INTO order_lines (order_id, line_id, position, sku, requested) SELECT $1, line_id, position, sku, requested
       FROM jsonb_to_recordset($4::jsonb) AS x(line_id text, position int, sku text, requested int) RETURNING 1),
     res_in AS (INSERT INTO reservations (order_id, line_id, channel_id, sku, site_id, qty)
       SELECT $1, line_id, $6, sku, site, sum(qty) FROM jsonb_to_recordset($5::jsonb) AS x(line_id text, sku text, site text, qty int) GROUP BY line_id, sku, site RETURNING 1)
     SELECT (SELECT count(*) FROM up) AS u, (SELECT count(*) FROM lines_in) AS l, (SELECT count(*) FROM res_in) AS r`,
    [
      id,
      expiresAt,
      ctx.now,
      JSON.stringify(body.lines.map((l, i) => ({ line_id: l.lineId, position: i, sku: l.sku, requested: l.qty }))),
      JSON.stringify(takes.map((t) => ({ line_id: t.lineId, sku: t.sku, site: t.site, qty: t.qty }))),
      me.id,
    ],
  );
  // The SKU locks are held: nothing else reserved meanwhile, so the inputs plus this order are the truth.
  const after = withReservations(
    inputs,
    takes.map((t) => ({ sku: t.sku, site: t.site, reservation: { channelId: me.id, qty: t.qty, expiresAt } })),
  );
  await refreshAtp(tx, skus, ctx.now, ctx.notifyChannel, { channels, inputs: after });
  const view = await recordOrderEvent(tx, id, 'order.reserved', ctx.actor, ctx.now, ctx.notifyChannel, {
    lines: body.lines,
    takes,
    expiresAt: expiresAt.toISOString(),
  });
  return { status: 201, body: { order: view, ...(shortLines.length > 0 ? { shortLines } : {}) } };
}

type ShortLine = { lineId: string; sku: string; requested: number; available: number };
type Take = { lineId: string; sku: string; site: string; qty: number };

/** How an order's lines fit the channel's ATP, line by line (a SKU on two lines is not promised twice). */
function allocateAll(
  body: PlaceOrder,
  inputs: AtpInputs,
  channels: ChannelRow[],
  me: ChannelRow,
  now: Date,
  expiresAt: Date,
): { takes: Take[]; shortLines: ShortLine[] } {
  const mine = new Map<string, Reservation[]>();
  const takes: Take[] = [];
  const shortLines: ShortLine[] = [];
  for (const line of body.lines) {
    const a = atpOf(inputs, channels, me, line.sku, now, (site) => mine.get(`${line.sku} ${site}`) ?? []);
    const alloc = allocateLine(line.qty, a.bySite);
    if (!alloc.complete) shortLines.push({ lineId: line.lineId, sku: line.sku, requested: line.qty, available: alloc.reserved });
    for (const t of alloc.takes) {
      takes.push({ lineId: line.lineId, sku: line.sku, site: t.site, qty: t.qty });
      const k = `${line.sku} ${t.site}`;
      mine.set(k, [...(mine.get(k) ?? []), { channelId: me.id, qty: t.qty, expiresAt }]);
    }
  }
  return { takes, shortLines };
}

async function insertReservations(
  tx: Sql,
  orderId: string,
  channelId: string,
  takes: readonly { lineId: string; sku: string; site: string; qty: number }[],
): Promise<void> {
  if (takes.length === 0) return;
  await tx.query(
    `INSERT INTO reservations (order_id, line_id, channel_id, sku, site_id, qty)
     SELECT $1, line_id, $2, sku, site, qty FROM jsonb_to_recordset($3::jsonb) AS x(line_id text, sku text, site text, qty int)
     ON CONFLICT (order_id, line_id, site_id) DO UPDATE SET qty = reservations.qty + excluded.qty`,
    [orderId, channelId, JSON.stringify(takes.map((t) => ({ line_id: t.lineId, sku: t.sku, site: t.site, qty: t.qty })))],
  );
}

type Locked = { id: string; status: OrderStatus; expires_at: Date | null; skus: string[] };

async function lockOrder(tx: Sql, channelId: string, orderId: string): Promise<Locked | undefined> {
  const [o] = await tx.query<{ id: string; status: OrderStatus; expires_at: Date | null }>(
    'SELECT id, status, expires_at FROM channel_orders WHERE id = $1 AND channel_id = $2 FOR UPDATE',
    [orderId, channelId],
  );
  if (!o) return undefined;
  const skus = (await tx.query<{ sku: string }>('SELECT DISTINCT sku FROM order_lines WHERE order_id = $1', [orderId])).map((r) => r.sku);
  return { ...o, skus };
}

const notFound = (orderId: string): Answer => ({ status: 404, body: { error: 'not_found', message: `this channel has no order ${orderId}` } });
const isExpired = (o: Locked, now: Date) => o.status === 'reserved' && o.expires_at !== null && new Date(o.expires_at).getTime() <= now.getTime();

async function setStatus(tx: Sql, orderId: string, status: OrderStatus, now: Date, expiresAt?: Date | null): Promise<void> {
  await tx.query(
    `UPDATE channel_orders SET status = $2, version = version + 1, updated_at = $3 ${expiresAt !== undefined ? ', expires_at = $4' : ''} WHERE id = $1`,
    expiresAt !== undefined ? [orderId, status, now, expiresAt] : [orderId, status, now],
  );
}

/** Marks a reserved order whose time ran out as expired (its units already stopped counting). */
async function expireLocked(tx: Sql, ctx: OrderCtx, o: Locked, actor: string): Promise<OrderView> {
  await setStatus(tx, o.id, 'expired', ctx.now);
  await refreshAtp(tx, o.skus, ctx.now, ctx.notifyChannel);
  return recordOrderEvent(tx, o.id, 'order.expired', actor, ctx.now, ctx.notifyChannel);
}

/** Confirms a reserved order: its reservation no longer expires and it becomes a pick list. */
export async function confirmOrder(db: Database, ctx: OrderCtx, orderId: string): Promise<Answer> {
  return db.transaction(async (tx) => {
    const o = await lockOrder(tx, ctx.channelId, orderId);
    if (!o) return notFound(orderId);
    if (o.status === 'confirmed' || o.status === 'short' || o.status === 'picked') return { status: 200, body: { order: await orderView(tx, orderId) } };
    if (o.status !== 'reserved')
      return { status: 409, body: { error: `order_${o.status}`, message: `order ${orderId} is ${o.status}; it cannot be confirmed` } };
    // Held while deciding: a reservation being placed now must see this one either expired or confirmed, never both.
    await lockSkus(tx, o.skus);
    if (isExpired(o, ctx.now)) {
      await expireLocked(tx, ctx, o, 'system:expiry');
      return { status: 409, body: { error: 'order_expired', message: `order ${orderId} expired before it was confirmed; its units were released` } };
    }
    await setStatus(tx, orderId, 'confirmed', ctx.now, null);
    await allocatePickList(tx, orderId);
    const view = await recordOrderEvent(tx, orderId, 'order.confirmed', ctx.actor, ctx.now, ctx.notifyChannel);
    return { status: 200, body: { order: view } };
  });
}

/** Cancels an order: what the floor has not yet held is released at once; a pick list in progress stops wanting more. */
export async function cancelOrder(db: Database, ctx: OrderCtx, orderId: string): Promise<Answer> {
  return db.transaction(async (tx) => {
    const o = await lockOrder(tx, ctx.channelId, orderId);
    if (!o) return notFound(orderId);
    if (o.status === 'cancelled') return { status: 200, body: { order: await orderView(tx, orderId) } };
    if (!LIVE.includes(o.status))
      return { status: 409, body: { error: `order_${o.status}`, message: `order ${orderId} is ${o.status}; there is nothing to cancel` } };
    await setStatus(tx, orderId, 'cancelled', ctx.now, null);
    await closePickList(tx, orderId);
    await refreshAtp(tx, o.skus, ctx.now, ctx.notifyChannel);
    const view = await recordOrderEvent(tx, orderId, 'order.cancelled', ctx.actor, ctx.now, ctx.notifyChannel);
    return { status: 200, body: { order: view } };
  });
}

/**
 * Sets new quantities on lines of a reserved (not yet confirmed) order. Less releases units at
 * once; more must fit the channel's ATP (else 409 naming the line, and nothing changes).
 */
export async function changeLines(db: Database, ctx: OrderCtx, orderId: string, lines: readonly { lineId: string; qty: number }[]): Promise<Answer> {
  return db.transaction(async (tx) => {
    const o = await lockOrder(tx, ctx.channelId, orderId);
    if (!o) return notFound(orderId);
    if (o.status !== 'reserved')
      return { status: 409, body: { error: `order_${o.status}`, message: `order ${orderId} is ${o.status}; lines change only before it is confirmed` } };
    await lockSkus(tx, o.skus);
    if (isExpired(o, ctx.now)) {
      await expireLocked(tx, ctx, o, 'system:expiry');
      return { status: 409, body: { error: 'order_expired', message: `order ${orderId} expired; its units were released` } };
    }
    const current = await tx.query<{ line_id: string; sku: string; reserved: number }>(
      `SELECT ol.line_id, ol.sku, coalesce((SELECT sum(r.qty) FROM reservations r WHERE r.order_id = ol.order_id AND r.line_id = ol.line_id), 0)::int AS reserved
       FROM order_lines ol WHERE ol.order_id = $1`,
      [orderId],
    );
    const byId = new Map(current.map((l) => [l.line_id, l]));
    const missing = lines.find((l) => !byId.has(l.lineId));
    if (missing) return { status: 422, body: { error: 'unknown_line', message: `order ${orderId} has no line ${missing.lineId}`, field: 'lines' } };
    const channels = await activeChannels(tx);
    const me = channels.find((c) => c.id === ctx.channelId);
    if (!me) return { status: 403, body: { error: 'channel_disabled', message: 'this channel is disabled' } };
    const inputs = await atpInputs(tx, o.skus, ctx.now);
    const added = new Map<string, Reservation[]>();
    const grow: { lineId: string; sku: string; site: string; qty: number }[] = [];
    for (const l of lines) {
      const cur = byId.get(l.lineId) as { sku: string; reserved: number };
      const more = l.qty - num(cur.reserved);
      if (more <= 0) continue;
      const a = atpOf(inputs, channels, me, cur.sku, ctx.now, (site) => added.get(`${cur.sku} ${site}`) ?? []);
      const alloc = allocateLine(more, a.bySite);
      if (!alloc.complete) {
        return {
          status: 409,
          body: {
            error: 'insufficient_stock',
            message: `line ${l.lineId}: ${cur.sku} has ${alloc.reserved} more of ${more} available to this channel; nothing was changed`,
            line: { lineId: l.lineId, sku: cur.sku, requested: l.qty, available: num(cur.reserved) + alloc.reserved },
          },
        };
      }
      for (const t of alloc.takes) {
        grow.push({ lineId: l.lineId, sku: cur.sku, site: t.site, qty: t.qty });
        const k = `${cur.sku} ${t.site}`;
        added.set(k, [...(added.get(k) ?? []), { channelId: me.id, qty: t.qty, expiresAt: o.expires_at }]);
      }
    }
    for (const l of lines) {
      const cur = byId.get(l.lineId) as { reserved: number };
      let less = num(cur.reserved) - l.qty;
      if (less <= 0) continue;
      // Shrink from the last site first.
      const rows = await tx.query<{ site_id: string; qty: number }>(
        'SELECT site_id, qty FROM reservations WHERE order_id = $1 AND line_id = $2 ORDER BY site_id DESC',
        [orderId, l.lineId],
      );
      for (const r of rows) {
        if (less === 0) break;
        const cut = Math.min(less, num(r.qty));
        await tx.query('UPDATE reservations SET qty = qty - $4 WHERE order_id = $1 AND line_id = $2 AND site_id = $3', [orderId, l.lineId, r.site_id, cut]);
        less -= cut;
      }
    }
    await insertReservations(tx, orderId, me.id, grow);
    await tx.query(
      `UPDATE order_lines ol SET requested = x.qty FROM jsonb_to_recordset($2::jsonb) AS x(line_id text, qty int) WHERE ol.order_id = $1 AND ol.line_id = x.line_id`,
      [orderId, JSON.stringify(lines.map((l) => ({ line_id: l.lineId, qty: l.qty })))],
    );
    await tx.query('UPDATE channel_orders SET version = version + 1, updated_at = $2 WHERE id = $1', [orderId, ctx.now]);
    await refreshAtp(tx, o.skus, ctx.now, ctx.notifyChannel);
    const view = await recordOrderEvent(tx, orderId, 'order.lines_changed', ctx.actor, ctx.now, ctx.notifyChannel, { lines });
    return { status: 200, body: { order: view } };
  });
}

/**
 * Marks reserved orders whose time ran out as expired, a batch at a time, skipping rows another
 * process is handling. Not needed for correctness (expired reservations never count): it makes
 * the order states and the pushed ATP catch up. Answers how many it expired.
 */
export async function sweepExpired(db: Database, now: Date, notifyChannel: string, limit = 200): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx.query<{ id: string; channel_id: string }>(
      `SELECT id, channel_id FROM channel_orders WHERE status = 'reserved' AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    if (due.length === 0) return 0;
    const ids = due.map((d) => d.id);
    await tx.query(`UPDATE channel_orders SET status = 'expired', version = version + 1, updated_at = $2 WHERE id = ANY($1::text[])`, [ids, now]);
    const skus = (await tx.query<{ sku: string }>('SELECT DISTINCT sku FROM order_lines WHERE order_id = ANY($1::text[])', [ids])).map((r) => r.sku);
    await refreshAtp(tx, skus, now, notifyChannel);
    for (const id of ids) await recordOrderEvent(tx, id, 'order.expired', 'system:expiry', now, notifyChannel);
    return ids.length;
  });
}
