/**
 * The channels plugin: registration and policies (a supervisor), per-channel API keys, ATP
 * reads, orders and webhook endpoints (the channel's own key, or a supervisor), plus the two
 * background jobs of each API process: the webhook worker and the expiry sweeper.
 *
 * A channel key (`ck_...`) is not a session: it opens only its own channel's routes here, and
 * every other route of the API (which looks for a handheld's session) refuses it.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CHANNEL_BODY_BYTES,
  ChangeLinesSchema,
  ChannelIdSchema,
  CreateChannelSchema,
  EndpointIdSchema,
  EndpointSchema,
  IdempotencyKeySchema,
  MAX_ENDPOINTS_PER_CHANNEL,
  OrderIdSchema,
  PlaceOrderSchema,
  PoliciesSchema,
  RotateSecretSchema,
  type AtpItem,
} from '../../domain/channels/protocol.ts';
import { SkuSchema } from '../../domain/ids.ts';
import { API_PREFIX } from '../../domain/protocol.ts';
import type { Database } from '../db.ts';
import { fail, parse } from '../http.ts';
import { canonicalJson } from '../payload.ts';
import { seedDemoChannels } from './demo.ts';
import { activeChannels, atpInputs, atpOf, refreshAtp } from './atp.ts';
import { cancelOrder, changeLines, confirmOrder, orderView, placeOrder, sweepExpired, type Answer, type OrderCtx } from './orders.ts';
import { WebhookWorker, type WorkerOptions } from './outbox.ts';
import * as store from './storage.ts';
import { TargetGuard, TargetRefused, type TargetGuardOptions } from './url-guard.ts';

export type ChannelsOptions = {
  /** The webhook delivery worker of this process; false runs none (another process delivers). */
  worker?: WorkerOptions | false;
  /** How often this process marks expired reservations (ms); false never (expiry still holds: ATP counts live reservations only). */
  sweepMs?: number | false;
  /** Requests per minute per client address on channel routes. */
  rateMax?: number;
  /**
   * Where webhooks may go: public addresses only, unless `allow` names networks (CIDRs) such as
   * 127.0.0.0/8 for a storefront on the same machine (`WEBHOOK_ALLOW_NETS`; `npm start` and tests set it).
   */
  webhookTargets?: TargetGuardOptions;
  /** Register the demo channels and place their orders once (`npm start`; src/server/channels/demo.ts). */
  demo?: boolean;
};

type Caller = { kind: 'channel'; channelId: string } | { kind: 'supervisor'; userId: string };

const OrderParams = z.strictObject({ channelId: ChannelIdSchema, orderId: OrderIdSchema });
const ChannelParams = z.strictObject({ channelId: ChannelIdSchema });
const EndpointParams = z.strictObject({ channelId: ChannelIdSchema, endpointId: EndpointIdSchema });
const AtpQuery = z.strictObject({ sku: z.optional(SkuSchema) });
const KeyBody = z.strictObject({ revokeOthers: z.boolean().default(false) });

export async function channelsPlugin(app: FastifyInstance, opts: { db: Database; now: () => Date; channels?: ChannelsOptions }): Promise<void> {
  const { db, now } = opts;
  const notifyChannel = await store.webhookChannel(db);
  const config = { rateLimit: { max: opts.channels?.rateMax ?? 6000, timeWindow: 60_000 } };
  const route = { bodyLimit: CHANNEL_BODY_BYTES, config };
  const guard = new TargetGuard(opts.channels?.webhookTargets);

  const bearer = (req: FastifyRequest): string | undefined => {
    const h = req.headers.authorization;
    return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
  };
  /**
   * Who calls for the path's channel: its own key, or (when `supervisorToo`) a supervisor's
   * session. Credentials are checked before anything in the path is parsed or looked up, so
   * a caller without them learns nothing (not even which ids are well-formed).
   */
  const caller = async (req: FastifyRequest, supervisorToo: boolean): Promise<Caller> => {
    const pathChannel = (req.params as { channelId?: unknown }).channelId;
    const token = bearer(req);
    if (token?.startsWith('ck_') && token.length <= 100) {
      const owner = await store.channelOfKey(db, token);
      if (!owner) return fail(401, 'unauthorized', 'unknown or revoked channel key');
      if (owner !== pathChannel) return fail(403, 'wrong_channel', `this key belongs to another channel; it opens only its own channel's routes`);
      return { kind: 'channel', channelId: owner };
    }
    if (!req.user) return fail(401, 'unauthorized', 'send Authorization: Bearer <channel API key>');
    if (!supervisorToo || !req.user.roles.includes('supervisor')) {
      return fail(
        403,
        'forbidden',
        supervisorToo ? 'only this channel (its API key) or a supervisor may do this' : 'only this channel, with its API key, may do this',
      );
    }
    const { channelId } = parse(ChannelParams, { channelId: pathChannel }, 'path');
    if (!(await store.channelExists(db, channelId))) fail(404, 'not_found', `no channel ${channelId}`);
    return { kind: 'supervisor', userId: req.user.id };
  };
  const supervisor = (req: FastifyRequest): string => {
    if (!req.user) fail(401, 'unauthorized', 'sign in as a supervisor first');
    if (!req.user?.roles.includes('supervisor')) fail(403, 'forbidden', 'only a supervisor may manage channels');
    return (req.user as { id: string }).id;
  };
  const actorOf = (c: Caller) => (c.kind === 'channel' ? `channel:${c.channelId}` : `supervisor:${c.userId}`);
  const ctxOf = (c: Caller, channelId: string): OrderCtx => ({ channelId, now: now(), notifyChannel, actor: actorOf(c) });
  const send = (reply: FastifyReply, a: Answer) => reply.code(a.status).send(a.body);

  // ---------------------------------------------------------------- registration (supervisor)

  app.post(`${API_PREFIX}/channels`, route, async (req, reply) => {
    const by = supervisor(req);
    const body = parse(CreateChannelSchema, req.body, 'body');
    const missing = await store.unknownSites(db, body.sites);
    if (missing.length > 0) return fail(422, 'unknown_site', `no active site ${missing.join(', ')}`, 'sites');
    const created = await db.transaction(async (tx) => {
      const c = await store.createChannel(tx, body, by, now());
      if (c) await refreshAtp(tx, await store.catalogSkus(tx), now(), notifyChannel);
      return c;
    });
    if (!created) return fail(409, 'channel_exists', `channel ${body.id} exists already`, 'id');
    // The key is shown once; only its hash is kept.
    return reply.code(201).send(created);
  });
  app.get(`${API_PREFIX}/channels`, route, async (req) => {
    supervisor(req);
    return { channels: await store.channelRows(db) };
  });
  app.post(`${API_PREFIX}/channels/:channelId/keys`, route, async (req, reply) => {
    supervisor(req);
    const { channelId } = parse(ChannelParams, req.params, 'path');
    const body = parse(KeyBody, req.body ?? {}, 'body');
    if (!(await store.channelExists(db, channelId))) return fail(404, 'not_found', `no channel ${channelId}`);
    const apiKey = await db.transaction((tx) => store.addKey(tx, channelId, now(), body.revokeOthers));
    return reply.code(201).send({ apiKey });
  });
  app.put(`${API_PREFIX}/channels/:channelId/policies`, route, async (req) => {
    supervisor(req);
    const { channelId } = parse(ChannelParams, req.params, 'path');
    const body = parse(PoliciesSchema, req.body, 'body');
    if (!(await store.channelExists(db, channelId))) return fail(404, 'not_found', `no channel ${channelId}`);
    const changed = await db.transaction(async (tx) => {
      await store.replacePolicies(tx, channelId, body.rules);
      // A fence or a share changes what every channel may sell: all of them are refreshed.
      return refreshAtp(tx, await store.catalogSkus(tx), now(), notifyChannel);
    });
    return { rules: body.rules.length, atpChanged: changed };
  });

  // ---------------------------------------------------------------- reads

  app.get(`${API_PREFIX}/channels/:channelId/atp`, route, async (req) => {
    await caller(req, true);
    const { channelId } = parse(ChannelParams, req.params, 'path');
    const q = parse(AtpQuery, req.query, 'query');
    const skus = q.sku ? [q.sku] : await store.catalogSkus(db);
    const t = now();
    // Computed now, from live reservations only: true even if no sweeper has run.
    const [channels, inputs, versions] = await Promise.all([
      activeChannels(db),
      atpInputs(db, skus, t),
      db.query<{ sku: string; version: number }>('SELECT sku, version FROM channel_atp WHERE channel_id = $1 AND sku = ANY($2::text[])', [channelId, skus]),
    ]);
    const me = channels.find((c) => c.id === channelId);
    if (!me) return fail(404, 'not_found', `no channel ${channelId}`);
    const version = new Map(versions.map((v) => [v.sku, Number(v.version)]));
    const items: AtpItem[] = skus.map((sku) => {
      const a = atpOf(inputs, channels, me, sku, t);
      return { sku, atp: a.atp, version: version.get(sku) ?? 0, zeroedBy: a.zeroedBy };
    });
    return { channelId, items };
  });

  // ---------------------------------------------------------------- orders

  app.post(`${API_PREFIX}/channels/:channelId/orders`, route, async (req, reply) => {
    const who = await caller(req, false);
    const { channelId } = parse(ChannelParams, req.params, 'path');
    const key = parse(IdempotencyKeySchema, req.headers['idempotency-key'], 'Idempotency-Key');
    const body = parse(PlaceOrderSchema, req.body, 'body');
    const hash = createHash('sha256').update(canonicalJson(req.body)).digest('hex');
    const answer = await placeOrder(db, ctxOf(who, channelId), key, hash, body);
    if (answer.replayed) reply.header('idempotent-replayed', 'true');
    return send(reply, answer);
  });
  app.get(`${API_PREFIX}/channels/:channelId/orders/:orderId`, route, async (req) => {
    await caller(req, true);
    const { channelId, orderId } = parse(OrderParams, req.params, 'path');
    const view = await orderView(db, orderId);
    // Another channel's order is as unknown as a missing one.
    if (!view || view.channelId !== channelId || view.status === 'refused') return fail(404, 'not_found', `this channel has no order ${orderId}`);
    return { order: view };
  });
  app.post(`${API_PREFIX}/channels/:channelId/orders/:orderId/confirm`, route, async (req, reply) => {
    const who = await caller(req, true);
    const { channelId, orderId } = parse(OrderParams, req.params, 'path');
    return send(reply, await confirmOrder(db, ctxOf(who, channelId), orderId));
  });
  app.post(`${API_PREFIX}/channels/:channelId/orders/:orderId/cancel`, route, async (req, reply) => {
    const who = await caller(req, true);
    const { channelId, orderId } = parse(OrderParams, req.params, 'path');
    return send(reply, await cancelOrder(db, ctxOf(who, channelId), orderId));
  });
  app.put(`${API_PREFIX}/channels/:channelId/orders/:orderId/lines`, route, async (req, reply) => {
    const who = await caller(req, false);
    const { channelId, orderId } = parse(OrderParams, req.params, 'path');
    const body = parse(ChangeLinesSchema, req.body, 'body');
    return send(reply, await changeLines(db, ctxOf(who, channelId), orderId, body.lines));
  });

  // ---------------------------------------------------------------- webhooks

  app.post(`${API_PREFIX}/channels/:channelId/webhooks`, route, async (req, reply) => {
    await caller(req, true);
    const { channelId } = parse(ChannelParams, req.params, 'path');
    const body = parse(EndpointSchema, req.body, 'body');
    if ((await store.endpointCount(db, channelId)) >= MAX_ENDPOINTS_PER_CHANNEL)
      return fail(409, 'too_many_endpoints', `a channel has at most ${MAX_ENDPOINTS_PER_CHANNEL} endpoints`);
    // Checked again at every delivery (a name may resolve elsewhere later); refused here so the channel hears why now.
    try {
      await guard.checkUrl(body.url);
    } catch (err) {
      if (err instanceof TargetRefused) return fail(422, 'webhook_target_refused', err.message, 'url');
      throw err;
    }
    const created = await db.transaction(async (tx) => {
      const e = await store.addEndpoint(tx, channelId, body.url, now());
      // The new endpoint starts from the current figures: every SKU is published to it once.
      await tx.query('UPDATE channel_atp SET atp = -1 WHERE channel_id = $1', [channelId]);
      await refreshAtp(tx, await store.catalogSkus(tx), now(), notifyChannel);
      return e;
    });
    return reply.code(201).send(created);
  });
  app.get(`${API_PREFIX}/channels/:channelId/webhooks`, route, async (req) => {
    await caller(req, true);
    const { channelId } = parse(ChannelParams, req.params, 'path');
    return { endpoints: await store.endpointRows(db, channelId) };
  });
  app.post(`${API_PREFIX}/channels/:channelId/webhooks/:endpointId/secrets`, route, async (req, reply) => {
    await caller(req, true);
    const { channelId, endpointId } = parse(EndpointParams, req.params, 'path');
    const body = parse(RotateSecretSchema, req.body ?? {}, 'body');
    // Signatures are made on the wall clock (receivers check the timestamp): so is a secret's grace.
    const secret = await db.transaction((tx) => store.rotateSecret(tx, channelId, endpointId, body.graceSeconds, new Date()));
    if (!secret) return fail(404, 'not_found', `this channel has no endpoint ${endpointId}`);
    return reply.code(201).send({ secret });
  });
  app.post(`${API_PREFIX}/channels/:channelId/webhooks/:endpointId/enable`, route, async (req) => {
    await caller(req, true);
    const { channelId, endpointId } = parse(EndpointParams, req.params, 'path');
    const ok = await db.transaction(async (tx) => {
      const found = await store.enableEndpoint(tx, channelId, endpointId);
      if (found) {
        await tx.query('UPDATE channel_atp SET atp = -1 WHERE channel_id = $1', [channelId]);
        await refreshAtp(tx, await store.catalogSkus(tx), now(), notifyChannel);
      }
      return found;
    });
    if (!ok) return fail(404, 'not_found', `this channel has no endpoint ${endpointId}`);
    return { endpoints: await store.endpointRows(db, channelId) };
  });
  app.get(`${API_PREFIX}/channels/:channelId/webhooks/:endpointId/deliveries`, route, async (req) => {
    await caller(req, true);
    const { channelId, endpointId } = parse(EndpointParams, req.params, 'path');
    return { deliveries: await store.deliveryRows(db, channelId, endpointId, 500) };
  });

  // ---------------------------------------------------------------- demo and background jobs

  if (opts.channels?.demo) await seedDemoChannels(db, now(), notifyChannel);

  const worker =
    opts.channels?.worker === false
      ? undefined
      : new WebhookWorker(
          db,
          notifyChannel,
          { onError: (err) => app.log.warn({ err }, 'webhook delivery round failed'), now, ...(opts.channels?.worker || {}) },
          guard,
        );
  await worker?.start();
  const sweepMs = opts.channels?.sweepMs ?? 1000;
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweeper =
    sweepMs === false
      ? undefined
      : setInterval(() => {
          sweeping = sweepExpired(db, now(), notifyChannel).catch(() => undefined);
        }, sweepMs);
  sweeper?.unref?.();
  app.addHook('onClose', async () => {
    if (sweeper) clearInterval(sweeper);
    await sweeping;
    await worker?.stop();
  });
}
