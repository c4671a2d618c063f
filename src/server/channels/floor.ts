/**
 * Orders as floor work, and the floor's effect on channels.
 *
 * A confirmed order becomes pick list `PL-<order id>`: each reservation is allocated to bins of
 * its site (most free first), one pick line per order line and bin, id `<line>@<bin>`. The
 * picker's handheld pulls it like any list. A pick-to-hold moves the reserved units to
 * committed (the reservation counts only what is not yet picked); a short leaves the missing
 * units reserved for the order (they left `available`, so every channel's ATP drops at once)
 * until the channel cancels; a cancel closes the list's lines at what was done.
 *
 * `afterFloorPush` is the one call the ingest path makes, inside a push's transaction, after
 * its stock changes: it brings order states and every channel's ATP of the SKUs the push
 * touched up to date and queues their webhooks, so they commit (or not) with the push.
 * The push tells it what its applied events touched (it wrote them; no need to read them back).
 */
import type { Sql } from '../db.ts';
import { changeChannel, insertPickLists } from '../storage/index.ts';
import { refreshAtp } from './atp.ts';
import { recordOrderEvent } from './orders.ts';
import { webhookChannel } from './storage.ts';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
export const pickListOf = (orderId: string): string => `PL-${orderId}`;

/** Turns a confirmed order's reservations into a pick list over the bins of their sites. */
export async function allocatePickList(tx: Sql, orderId: string): Promise<void> {
  const res = await tx.query<{ line_id: string; sku: string; site_id: string; qty: number; position: number }>(
    `SELECT r.line_id, r.sku, r.site_id, r.qty, ol.position FROM reservations r JOIN order_lines ol ON ol.order_id = r.order_id AND ol.line_id = r.line_id
     WHERE r.order_id = $1 AND r.qty > 0 ORDER BY ol.position, r.site_id`,
    [orderId],
  );
  const lines: { lineId: string; sku: string; location: string; qty: number }[] = [];
  // What earlier lines of this list already asked of a bin.
  const asked = new Map<string, number>();
  for (const r of res) {
    const bins = await tx.query<{ location: string; free: number }>(
      `SELECT s.location, (s.available - coalesce((SELECT sum(pl.qty - pl.picked - pl.short) FROM pick_lines pl
            WHERE pl.sku = s.sku AND pl.location = s.location AND pl.qty > pl.picked + pl.short), 0))::int AS free
       FROM stock s JOIN locations l ON l.id = s.location AND l.kind = 'bin' AND l.site_id = $2
       WHERE s.sku = $1 ORDER BY free DESC, s.location`,
      [r.sku, r.site_id],
    );
    let rest = num(r.qty);
    for (const b of bins) {
      if (rest === 0) break;
      const free = num(b.free) - (asked.get(`${r.sku} ${b.location}`) ?? 0);
      const take = Math.min(rest, Math.max(0, free));
      if (take === 0) continue;
      lines.push({ lineId: `${r.line_id}@${b.location}`, sku: r.sku, location: b.location, qty: take });
      asked.set(`${r.sku} ${b.location}`, (asked.get(`${r.sku} ${b.location}`) ?? 0) + take);
      rest -= take;
    }
    // More reserved than the bins show free (other lists ask for them too): the fullest bin, where a short will say so.
    const fullest = bins[0];
    if (rest > 0 && fullest) {
      const same = lines.find((l) => l.lineId === `${r.line_id}@${fullest.location}`);
      if (same) same.qty += rest;
      else lines.push({ lineId: `${r.line_id}@${fullest.location}`, sku: r.sku, location: fullest.location, qty: rest });
    }
  }
  if (lines.length === 0) return;
  await insertPickLists(tx, [{ id: pickListOf(orderId), orderRef: orderId, assignedTo: null, lines }]);
  await wakeHandhelds(tx);
}

/** Tells every handheld's live feed (when the transaction commits) that its work changed: it pulls at once. */
async function wakeHandhelds(tx: Sql): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [await changeChannel(tx), JSON.stringify([{ kind: 'work' }])]);
}

/** A cancelled order's list wants no more than was done: it leaves the handhelds' open work. */
export async function closePickList(tx: Sql, orderId: string): Promise<void> {
  const closed = await tx.query('UPDATE pick_lines SET qty = picked + short WHERE pick_list_id = $1 AND qty > picked + short RETURNING 1', [
    pickListOf(orderId),
  ]);
  if (closed.length > 0) await wakeHandhelds(tx);
}

/** What a push's applied events touched: the SKUs of their ledger rows, and the pick lists they name. */
export type FloorTouch = { skus: readonly string[]; pickListIds: readonly string[] };

/**
 * Called by the ingest path inside a push's transaction once its stock changes are written:
 * updates the orders whose lists the push picked from and refreshes every channel's ATP of the
 * SKUs it touched.
 */
export async function afterFloorPush(tx: Sql, deviceId: string, touched: FloorTouch, now: Date): Promise<void> {
  const skus = [...new Set(touched.skus)];
  if (skus.length === 0) return;
  const [any] = await tx.query('SELECT 1 FROM channels LIMIT 1', [], { prepared: true });
  if (!any) return;
  const notifyChannel = await webhookChannel(tx);
  const orders = [...new Set(touched.pickListIds.flatMap((list) => (list.startsWith('PL-SO-') ? [list.slice(3)] : [])))].sort();
  for (const orderId of orders) {
    const [o] = await tx.query<{ status: string }>(`SELECT status FROM channel_orders WHERE id = $1 FOR UPDATE`, [orderId]);
    if (!o || !['confirmed', 'short'].includes(o.status)) continue;
    const [t] = await tx.query<{ qty: number; picked: number; short: number }>(
      'SELECT sum(qty)::int AS qty, sum(picked)::int AS picked, sum(short)::int AS short FROM pick_lines WHERE pick_list_id = $1',
      [pickListOf(orderId)],
    );
    const status = num(t?.picked) >= num(t?.qty) ? 'picked' : num(t?.short) > 0 ? 'short' : 'confirmed';
    await tx.query('UPDATE channel_orders SET status = $2, version = version + 1, updated_at = $3 WHERE id = $1', [orderId, status, now]);
    await recordOrderEvent(tx, orderId, status === 'confirmed' ? 'order.picking' : `order.${status}`, `floor:${deviceId}`, now, notifyChannel, {
      picked: num(t?.picked),
      short: num(t?.short),
    });
  }
  await refreshAtp(tx, skus, now, notifyChannel);
}
