/**
 * The control room's API (supervisors and admins; an admin alone edits the thresholds): the
 * board and its live stream, stock with "explain this figure", alerts and their
 * acknowledgement, chart series; and the handheld's own health report. Channel keys and other
 * roles are refused. The monitor (monitor.ts) evaluates the alerts of this process.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { EndpointIdSchema, SiteIdSchema } from '../../domain/channels/protocol.ts';
import { AckSchema, HealthReportSchema, type AlertsAnswer, type ChartsAnswer, type SettingsAnswer } from '../../domain/control/protocol.ts';
import { ControlSettingsSchema } from '../../domain/control/settings.ts';
import { SkuSchema } from '../../domain/ids.ts';
import { API_PREFIX } from '../../domain/protocol.ts';
import { webhookChannel } from '../channels/storage.ts';
import type { Database } from '../db.ts';
import type { ChangeFeed } from '../feed.ts';
import { fail, parse } from '../http.ts';
import { sessionByToken } from '../identity/storage.ts';
import { deviceParam } from '../plugins/guards.ts';
import { readBoard } from './board.ts';
import { ControlMonitor, type MonitorOptions } from './monitor.ts';
import { BUCKETS, atpSeries, explainFigure, stockPage, syncLagSeries } from './stock.ts';
import * as store from './storage.ts';

export type ControlOptions = MonitorOptions & {
  /** How often the live stream sends a keep-alive and checks its session is still open (ms). */
  keepAliveMs?: number;
};

const P = `${API_PREFIX}/control`;
/** Live board streams one session may hold open at once (a control room per tab). */
export const MAX_LIVE_PER_SESSION = 4;
const StockQuery = z.strictObject({
  q: z.optional(z.string().max(100, 'q: at most 100 characters')),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
const ExplainQuery = z.strictObject({ site: z.optional(SiteIdSchema), bucket: z.enum(BUCKETS).default('available') });
const SkuParams = z.strictObject({ sku: SkuSchema });
const AlertParams = z.strictObject({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const ChartsQuery = z.strictObject({ sku: z.optional(SkuSchema), days: z.coerce.number().int().min(1).max(90).default(7) });
const EndpointParams = z.strictObject({ endpointId: EndpointIdSchema });
const SubscribeBody = z.strictObject({ alerts: z.boolean({ error: 'alerts must be true or false' }) });

/** The signed-in supervisor or admin, or a 401/403. */
function watcher(req: FastifyRequest, what: string): { id: string; admin: boolean } {
  const user = req.user ?? fail(401, 'unauthorized', 'sign in first: send Authorization: Bearer <token> of an open session');
  const admin = user.roles.includes('admin');
  if (!admin && !user.roles.includes('supervisor')) fail(403, 'forbidden', `only a supervisor or an admin may ${what}`);
  return { id: user.id, admin };
}

export async function controlPlugin(app: FastifyInstance, opts: { db: Database; feed: ChangeFeed; now: () => Date; control?: ControlOptions }): Promise<void> {
  const { db, now } = opts;
  const hooks = await webhookChannel(db);
  const channel = await store.controlChannel(db);
  const monitor = new ControlMonitor(db, now, hooks, opts.control ?? {});
  monitor.onError = (err) => app.log.warn({ err }, 'control: alert evaluation failed');
  if (opts.control?.enabled !== false) await monitor.start(opts.feed, channel);
  const poke = () => db.query('SELECT pg_notify($1, $2)', [channel, 'changed']);

  app.put(`${P}/devices/:deviceId/health`, async (req, reply) => {
    if (!req.user) fail(401, 'unauthorized', 'sign in first: send Authorization: Bearer <token> of an open session');
    const deviceId = deviceParam(req);
    const body = parse(HealthReportSchema, req.body, 'body');
    await store.saveHealth(db, deviceId, body, now());
    await poke();
    return reply.code(204).send();
  });

  app.get(`${P}/board`, async (req) => {
    watcher(req, 'read the board');
    return readBoard(db, (await store.readSettings(db)).settings, now());
  });

  const streams = new Set<() => void>();
  const perSession = new Map<string, number>();
  app.get(`${P}/live`, { config: { rateLimit: false } }, async (req, reply) => {
    watcher(req, 'watch the board');
    parse(z.strictObject({}), req.query ?? {}, 'query');
    const { tokenHash, sessionId } = req.user!;
    const open = perSession.get(sessionId) ?? 0;
    if (open >= MAX_LIVE_PER_SESSION) return fail(429, 'too_many_streams', `at most ${MAX_LIVE_PER_SESSION} live boards per session`);
    perSession.set(sessionId, open + 1);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (board: unknown) => res.write(`event: board\ndata: ${JSON.stringify(board)}\n\n`);
    const unsubscribe = monitor.subscribe(send);
    send(await readBoard(db, (await store.readSettings(db)).settings, now()));
    // A session ended or revoked meanwhile ends its stream at the next beat.
    const beat = setInterval(() => {
      void sessionByToken(db, tokenHash, now()).then(
        (u) => (u ? res.write(': keep-alive\n\n') : end()),
        () => undefined,
      );
    }, opts.control?.keepAliveMs ?? 15_000);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(beat);
      unsubscribe();
      streams.delete(end);
      const left = (perSession.get(sessionId) ?? 1) - 1;
      if (left > 0) perSession.set(sessionId, left);
      else perSession.delete(sessionId);
      res.end();
    };
    streams.add(end);
    req.raw.on('close', end);
  });

  app.get(`${P}/stock`, async (req) => {
    watcher(req, 'read stock');
    const q = parse(StockQuery, req.query, 'query');
    return stockPage(db, q.q, q.limit, q.offset, now());
  });

  app.get(`${P}/stock/:sku/explain`, async (req) => {
    watcher(req, 'read the ledger');
    const { sku } = parse(SkuParams, req.params, 'path');
    const q = parse(ExplainQuery, req.query, 'query');
    return explainFigure(db, sku, q.site ?? null, q.bucket, now(), 200);
  });

  app.get(`${P}/alerts`, async (req): Promise<AlertsAnswer> => {
    watcher(req, 'read alerts');
    const [alerts, perDay] = await Promise.all([store.alertRows(db, 500), store.alertsPerDay(db, now(), 30)]);
    return { alerts, perDay };
  });

  app.post(`${P}/alerts/:id/ack`, async (req) => {
    const who = watcher(req, 'acknowledge alerts');
    const { id } = parse(AlertParams, req.params, 'path');
    parse(AckSchema, req.body ?? {}, 'body');
    const alert = await db.transaction((tx) => store.ackAlert(tx, id, who.id, now(), hooks));
    if (!alert) return fail(404, 'not_found', `no alert ${id}`);
    await poke();
    return { alert };
  });

  app.get(`${P}/charts`, async (req): Promise<ChartsAnswer> => {
    watcher(req, 'read charts');
    const q = parse(ChartsQuery, req.query, 'query');
    const [atp, syncLag, perDay] = await Promise.all([
      q.sku ? atpSeries(db, q.sku, now(), q.days) : [],
      syncLagSeries(db, now(), q.days),
      store.alertsPerDay(db, now(), q.days),
    ]);
    return { atp, syncLag, alertsPerDay: perDay.map((d) => [Math.floor(Date.parse(`${d.day}T00:00:00Z`) / 1000), d.raised]) };
  });

  app.get(`${P}/settings`, async (req): Promise<SettingsAnswer> => {
    watcher(req, 'read the thresholds');
    return store.readSettings(db);
  });

  app.put(`${P}/settings`, async (req): Promise<SettingsAnswer> => {
    const who = watcher(req, 'change the thresholds');
    if (!who.admin) fail(403, 'forbidden', 'only an admin may change the thresholds');
    const settings = parse(ControlSettingsSchema, req.body, 'body');
    await store.writeSettings(db, settings, who.id, now());
    await poke();
    return store.readSettings(db);
  });

  app.put(`${P}/webhooks/:endpointId/alerts`, async (req) => {
    watcher(req, 'subscribe endpoints to alerts');
    const { endpointId } = parse(EndpointParams, req.params, 'path');
    const body = parse(SubscribeBody, req.body, 'body');
    if (!(await store.subscribeAlerts(db, endpointId, body.alerts))) return fail(404, 'not_found', `no endpoint ${endpointId}`);
    return { endpointId, alerts: body.alerts };
  });

  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => {
    await monitor.stop();
  });
}
