/**
 * The demo's sales channels (`npm start`): two channels with policies and a few orders, placed
 * through the same functions the channel routes call (registration, policies, `placeOrder`,
 * `confirmOrder`), so the demo shows reservations, ATP per channel and an order's pick list
 * on the handheld. Written once: a database that has the first channel keeps what it has.
 */
import { createHash } from 'node:crypto';
import { CreateChannelSchema, PlaceOrderSchema, PoliciesSchema } from '../../domain/channels/protocol.ts';
import { canonicalJson } from '../payload.ts';
import type { Database } from '../db.ts';
import { refreshAtp } from './atp.ts';
import { confirmOrder, placeOrder, type OrderCtx } from './orders.ts';
import * as store from './storage.ts';

/** The demo channels and their orders; `confirm` makes an order floor work (a pick list). */
export const DEMO_CHANNELS = [
  {
    channel: { id: 'webstore', name: 'Demo webstore', sites: ['main'], reservationTtlSeconds: 86_400 },
    rules: [{ sku: null, site: null, safetyBuffer: 2 }],
    orders: [
      { key: 'demo-webstore-0001', confirm: false, lines: [{ lineId: '1', sku: 'SKU-1006', qty: 3 }] },
      {
        key: 'demo-webstore-0002',
        confirm: true,
        lines: [
          { lineId: '1', sku: 'SKU-1004', qty: 2 },
          { lineId: '2', sku: 'SKU-1006', qty: 1 },
        ],
      },
    ],
  },
  {
    channel: { id: 'marketplace', name: 'Demo marketplace', sites: ['main'], reservationTtlSeconds: 86_400 },
    rules: [{ sku: null, site: null, sharePct: 50 }],
    orders: [{ key: 'demo-marketplace-0001', confirm: false, lines: [{ lineId: '1', sku: 'SKU-1004', qty: 4 }] }],
  },
] as const;

/** Registers the demo channels and places their orders if the first is not there yet; answers whether it did. */
export async function seedDemoChannels(db: Database, now: Date, notifyChannel: string): Promise<boolean> {
  if (await store.channelExists(db, DEMO_CHANNELS[0].channel.id)) return false;
  for (const d of DEMO_CHANNELS) {
    const created = await db.transaction(async (tx) => {
      // Parsed with the routes' schemas: the demo says nothing a channel could not.
      const c = await store.createChannel(tx, CreateChannelSchema.parse(d.channel), 'system', now);
      if (!c) return false;
      await store.replacePolicies(tx, d.channel.id, PoliciesSchema.parse({ rules: d.rules }).rules);
      await refreshAtp(tx, await store.catalogSkus(tx), now, notifyChannel);
      return true;
    });
    // Another process seeds at the same moment: it places the orders.
    if (!created) return false;
    const ctx: OrderCtx = { channelId: d.channel.id, now, notifyChannel, actor: 'system:demo' };
    for (const o of d.orders) {
      const request = { lines: o.lines };
      const body = PlaceOrderSchema.parse(request);
      const hash = createHash('sha256').update(canonicalJson(request)).digest('hex');
      const placed = await placeOrder(db, ctx, o.key, hash, body);
      if (placed.status !== 201) throw new Error(`demo order ${o.key} was refused: ${JSON.stringify(placed.body)}`);
      const id = (placed.body as { order: { id: string } }).order.id;
      if (o.confirm) {
        const confirmed = await confirmOrder(db, ctx, id);
        if (confirmed.status !== 200) throw new Error(`demo order ${o.key} was not confirmed: ${JSON.stringify(confirmed.body)}`);
      }
    }
  }
  return true;
}
