/**
 * The reconciliation plugin (supervisors and admins): the drift report, on-demand runs, the
 * one-click re-push, a channel's read-back address, settings, the morning's cycle counts and
 * count accuracy over time; plus this process's schedule (`ReconcileScheduler`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { countAccuracy, lastDays } from '../../domain/reconcile/cycle-counts.ts';
import { DRIFT_CAUSES, DEFAULT_GRACE_MS, type DriftCause } from '../../domain/reconcile/drift.ts';
import {
  AccuracyQuerySchema,
  ChannelParamSchema,
  ReconcileSettingsSchema,
  RepushRequestSchema,
  RunRequestSchema,
  StockUrlRequestSchema,
  type CycleAnswer,
  type ReportAnswer,
} from '../../domain/reconcile/protocol.ts';
import { dayOf } from '../../domain/reconcile/schedule.ts';
import { API_PREFIX } from '../../domain/protocol.ts';
import type { z } from '../../domain/schema.ts';
import type { Database } from '../db.ts';
import { fail, parse } from '../http.ts';
import { refreshAtp } from '../channels/atp.ts';
import { channelExists, knownSkus, webhookChannel } from '../channels/storage.ts';
import { TargetGuard, TargetRefused, type TargetGuardOptions } from '../channels/url-guard.ts';
import { httpReadBack, type ReadBackFetch } from './run.ts';
import { ReconcileScheduler } from './scheduler.ts';
import * as counts from './counts-storage.ts';
import * as store from './storage.ts';

export type ReconcileOptions = {
  /** How often this process looks at its schedule (ms); false (the default) runs no timer: on demand only. */
  tickMs?: number | false;
  /** How a channel's read-back is fetched (tests may pass their own). */
  readBack?: ReadBackFetch;
  /** How long a fresh change may be on its way before it is drift (ms). */
  graceMs?: number;
  /** How long a re-push waits for its acknowledgement before it is checked anyway (ms). */
  repushWaitMs?: number;
  /** Given this process's scheduler (tests drive it under a fake clock). */
  onScheduler?: (s: ReconcileScheduler) => void;
};

const REPORT_LIMIT = 5000;

/** Supervisors and admins only. */
function controller(req: FastifyRequest): string {
  if (!req.user) fail(401, 'unauthorized', 'sign in as a supervisor or an admin first');
  const user = req.user as { id: string; roles: readonly string[] };
  if (!user.roles.includes('supervisor') && !user.roles.includes('admin'))
    fail(403, 'forbidden', 'only a supervisor or an admin may reconcile stock or plan counts');
  return user.id;
}

export async function reconcilePlugin(
  app: FastifyInstance,
  opts: { db: Database; now: () => Date; channel: string; targets?: TargetGuardOptions; reconcile?: ReconcileOptions },
): Promise<void> {
  const { db, now } = opts;
  const o = opts.reconcile ?? {};
  // A read-back address may reach only what a webhook may (the channels' SSRF guard and its allow-list).
  const guard = new TargetGuard(opts.targets);
  const webhooks = await webhookChannel(db);
  const scheduler = new ReconcileScheduler({
    db,
    now,
    readBack: o.readBack ?? httpReadBack(5000, guard),
    graceMs: o.graceMs ?? DEFAULT_GRACE_MS,
    workChannel: opts.channel,
    repushWaitMs: o.repushWaitMs ?? 300_000,
  });
  o.onScheduler?.(scheduler);
  const route = { config: { rateLimit: { max: 600, timeWindow: 60_000 } } };

  const report = async (): Promise<ReportAnswer> => {
    const [drifts, perCause, runs] = await Promise.all([store.driftRows(db, REPORT_LIMIT), store.driftCounts(db), store.runRows(db, 20)]);
    const byCause = Object.fromEntries(DRIFT_CAUSES.map((c) => [c, perCause[c] ?? 0])) as Record<DriftCause, number>;
    return { drifts, byCause, runs };
  };

  app.get(`${API_PREFIX}/reconcile/report`, route, async (req) => {
    controller(req);
    return report();
  });

  // Every run replays the whole ledger: one on-demand run at a time per process, so repeated clicks (or a hostile caller) cannot pile them up.
  let onDemand = false;
  app.post(`${API_PREFIX}/reconcile/runs`, route, async (req, reply) => {
    const by = controller(req);
    const body = parse(RunRequestSchema, req.body ?? {}, 'body');
    if (body.skus && body.scope) fail(400, 'invalid_request', 'body: name skus or a scope, not both', 'skus');
    if (onDemand) fail(409, 'run_in_progress', 'a reconciliation is running already; its drifts appear in the report when it ends');
    onDemand = true;
    try {
      return reply.code(201).send(await runOnDemand(body, by));
    } finally {
      onDemand = false;
    }
  });
  const runOnDemand = async (body: z.output<typeof RunRequestSchema>, by: string) => {
    let skus: readonly string[] | 'all' = 'all';
    if (body.skus) {
      const known = await knownSkus(db, body.skus);
      const unknown = body.skus.filter((s) => !known.has(s));
      if (unknown.length > 0) fail(400, 'unknown_sku', `not in the catalog: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? '…' : ''}`, 'skus');
      skus = body.skus;
    } else if (body.scope === 'fast') {
      const s = await store.settings(db);
      skus = await store.fastMoverSkus(db, new Date(now().getTime() - s.velocityDays * 86_400_000), s.fastMovers);
    }
    const run = await scheduler.run({ skus, scope: body.skus ? 'skus' : (body.scope ?? 'all'), trigger: 'on_demand', slot: null, by });
    return { run, report: await report() };
  };

  app.post(`${API_PREFIX}/reconcile/repush`, route, async (req, reply) => {
    controller(req);
    const body = parse(RepushRequestSchema, req.body, 'body');
    if (!(await channelExists(db, body.channelId))) fail(404, 'not_found', `no channel ${body.channelId}`);
    const known = await knownSkus(db, body.skus);
    const unknown = body.skus.filter((s) => !known.has(s));
    if (unknown.length > 0) fail(400, 'unknown_sku', `not in the catalog: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? '…' : ''}`, 'skus');
    const skus = [...new Set(body.skus)];
    const changed = await db.transaction(async (tx) => {
      // A new version for each figure, whatever the channel holds: a receiver that keeps the newest version takes it.
      await tx.query('UPDATE channel_atp SET atp = -1 WHERE channel_id = $1 AND sku = ANY($2::text[])', [body.channelId, skus]);
      const n = await refreshAtp(tx, skus, now(), webhooks);
      await store.markRepushed(tx, body.channelId, skus, now());
      return n;
    });
    return reply.code(202).send({ channelId: body.channelId, skus: skus.length, republished: changed });
  });

  app.put(`${API_PREFIX}/reconcile/channels/:channelId/stock-url`, route, async (req) => {
    controller(req);
    const { channelId } = parse(ChannelParamSchema, req.params, 'path');
    const body = parse(StockUrlRequestSchema, req.body, 'body');
    if (body.stockUrl !== null) {
      try {
        await guard.checkUrl(body.stockUrl);
      } catch (err) {
        if (err instanceof TargetRefused) fail(422, 'target_refused', `stockUrl: ${err.message}`, 'stockUrl');
        throw err;
      }
    }
    if (!(await store.setStockUrl(db, channelId, body.stockUrl))) fail(404, 'not_found', `no channel ${channelId}`);
    return { channelId, stockUrl: body.stockUrl };
  });

  app.get(`${API_PREFIX}/reconcile/settings`, route, async (req) => {
    controller(req);
    return { settings: await store.settings(db) };
  });
  app.put(`${API_PREFIX}/reconcile/settings`, route, async (req) => {
    const by = controller(req);
    const body = parse(ReconcileSettingsSchema, req.body, 'body');
    const next = { ...(await store.settings(db)), ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) };
    await store.saveSettings(db, next, by, now());
    return { settings: next };
  });

  app.get(`${API_PREFIX}/counts/cycle`, route, async (req): Promise<CycleAnswer> => {
    controller(req);
    const q = parse(AccuracyQuerySchema, req.query ?? {}, 'query');
    const days = lastDays(now(), q.days ?? 30);
    const today = dayOf(now()).today;
    const [tasks, posted, settings] = await Promise.all([counts.cycleDay(db, today), counts.postedCounts(db, days[0] as string), store.settings(db)]);
    return { day: today, tasks, accuracy: countAccuracy(posted, days), settings };
  });
  app.post(`${API_PREFIX}/counts/cycle`, route, async (req, reply) => {
    controller(req);
    const raised = await scheduler.raiseCounts(now());
    const today = dayOf(now()).today;
    return reply.code(raised > 0 ? 201 : 200).send({ day: today, raised, tasks: await counts.cycleDay(db, today) });
  });

  const tickMs = o.tickMs ?? false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  if (tickMs !== false) {
    const loop = () => {
      if (stopped) return;
      scheduler
        .tick()
        .catch((err: unknown) => app.log.warn({ err }, 'reconciliation tick failed'))
        .finally(() => {
          if (stopped) return;
          timer = setTimeout(loop, tickMs);
          timer.unref?.();
        });
    };
    timer = setTimeout(loop, tickMs);
    timer.unref?.();
  }
  app.addHook('onClose', async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await scheduler.stop();
  });
}
