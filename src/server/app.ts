/**
 * The central inventory API (wire protocol v1) and the static host of the built PWA.
 * Routes parse with the domain schemas and call one use case each; SQL lives in storage.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { rolesFor } from '../domain/events.ts';
import { DeviceIdSchema, LocationIdSchema, SkuSchema } from '../domain/ids.ts';
import { hasRole } from '../domain/roles.ts';
import { API_PREFIX, MAX_BODY_BYTES, type PullResponse } from '../domain/protocol.ts';
import { openPglite, openPostgres, type Database } from './db.ts';
import { ChangeFeed } from './feed.ts';
import { HttpError, fail, parse } from './http.ts';
import { rateKey, registerIdentity, requireSession } from './identity/routes.ts';
import { deviceAdminRows } from './identity/storage.ts';
import { pushEvents, readBatch } from './ingest.ts';
import { seedDemo } from './seed.ts';
import * as storage from './storage.ts';

export type ServerOptions = {
  /** 0 = an ephemeral port. */
  port?: number;
  host?: string;
  /** postgres://... runs on a real PostgreSQL; otherwise embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** PGlite folder, kept across restarts; 'memory://' (the default here) keeps nothing. */
  dataDir?: string;
  /** Write the demo data into an empty database (default true). */
  seed?: boolean;
  /** The built PWA to serve, e.g. 'dist'; ignored when it has no index.html. */
  staticDir?: string;
  logLevel?: string;
  tls?: { cert: string; key: string };
  /** Requests per window per verified session (or per address without one); false turns the limit off (benchmarks). */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  /** The clock stamping receivedAt and sessions; tests fix it. */
  now?: () => Date;
  /** How often the change stream sends a keep-alive comment. */
  keepAliveMs?: number;
};

export type App = { app: FastifyInstance; db: Database; feed: ChangeFeed; close(): Promise<void> };

const optionalText = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());
const StockQuery = z.object({ sku: optionalText(SkuSchema), location: optionalText(LocationIdSchema) });
const LedgerQuery = StockQuery.extend({
  deviceId: optionalText(DeviceIdSchema),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** Builds the API on an open database (migrated, optionally seeded); `createApp` + `listen` is `startServer`. */
export async function createApp(opts: ServerOptions = {}): Promise<App> {
  const now = opts.now ?? (() => new Date());
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(opts.dataDir ?? 'memory://');
  try {
    await storage.migrate(db);
    if (opts.seed ?? true) await seedDemo(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const channel = await storage.changeChannel(db);
  const feed = await ChangeFeed.open(db, channel);

  const app = Fastify({
    logger: {
      level: opts.logLevel ?? 'warn',
      // The change stream takes a single-use ticket in the query (EventSource cannot send headers): keep it out of the logs.
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url.replace(/([?&]ticket=)[^&]*/g, '$1[redacted]'), remoteAddress: req.ip }),
      },
    },
    bodyLimit: MAX_BODY_BYTES,
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
  }) as unknown as FastifyInstance;

  // Our own JSON parser, so a malformed body is answered with what is wrong and where.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const textBody = String(body);
    if (textBody.trim() === '') return done(new HttpError(400, { error: 'malformed_json', message: 'body is empty; send a JSON object', field: 'body' }));
    try {
      done(null, JSON.parse(textBody));
    } catch (err) {
      done(new HttpError(400, { error: 'malformed_json', message: `body is not valid JSON: ${(err as Error).message}`, field: 'body' }));
    }
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).headers(err.headers).send(err.body);
    const e = err as { statusCode?: number; code?: string; message?: string; error?: string };
    if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: 'body_too_large', message: `request body is larger than ${MAX_BODY_BYTES} bytes; send fewer events per push` });
    }
    if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: 'unsupported_media_type', message: 'send the body as JSON with content-type: application/json' });
    }
    if (e.statusCode === 429) return reply.code(429).send({ error: 'rate_limited', message: e.message ?? 'too many requests' });
    if (e.statusCode === 400 && (e.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError)) {
      return reply.code(400).send({ error: 'malformed_json', message: `body is not valid JSON: ${e.message ?? 'parse error'}`, field: 'body' });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: e.code ?? 'bad_request', message: e.message ?? 'bad request' });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'the server failed to handle this request; it is safe to retry' });
  });

  const requireRole = (req: FastifyRequest, role: 'supervisor') => {
    if (!req.user?.roles.includes(role)) fail(403, 'forbidden', `only a ${role} may read this`);
  };
  const deviceParam = (req: FastifyRequest): string => {
    const id = parse(DeviceIdSchema, (req.params as { deviceId?: string }).deviceId, 'deviceId').toLowerCase();
    if (req.user && req.user.deviceId.toLowerCase() !== id) {
      fail(403, 'wrong_device', `this session was opened on device ${req.user.deviceId}; sign in on ${id} to use it`);
    }
    // A reset registration takes nothing more: the device re-registers and sends again under a new id.
    if (req.user?.deviceReset) fail(403, 'device_reset', 'a supervisor reset this handheld: sign in again to re-register it and send its undelivered scans');
    return id;
  };

  if (opts.rateLimit !== false) {
    const limit = opts.rateLimit ?? { max: 1200, timeWindowMs: 60_000 };
    await app.register(rateLimit, {
      global: true,
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      // Authentication ran first (an onRequest hook of the instance): only a verified session gets a key of its own.
      keyGenerator: rateKey,
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: 429,
        error: 'rate_limited',
        message: `too many requests: at most ${ctx.max} per ${ctx.after}; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
      }),
    });
  }

  // After the rate limit plugin, whose onRoute hook covers only routes declared after it.
  const identity = await registerIdentity(app, { db, feed, now, keepAliveMs: opts.keepAliveMs ?? 15_000 });
  const authed = { preHandler: async (req: FastifyRequest) => void requireSession(req) };

  app.post(`${API_PREFIX}/devices/:deviceId/events`, authed, async (req, reply) => {
    const deviceId = deviceParam(req);
    const batch = readBatch(deviceId, req.body);
    if (!batch.ok) return fail(400, 'unreadable_batch', `${batch.problem.message}; nothing was applied`, batch.problem.field);
    const outcome = await pushEvents(db, { deviceId, channel, now }, batch.events);
    if (outcome.status === 409) {
      req.log.warn({ deviceId, seq: outcome.body.seq }, 'seq reused for another event');
      return reply.code(409).send(outcome.body);
    }
    req.log.info({ deviceId, events: batch.events.length, ackedSeq: outcome.body.ackedSeq, rejected: outcome.body.rejected.length, expectedSeq: outcome.body.expectedSeq }, 'push');
    return outcome.body;
  });

  app.get(`${API_PREFIX}/devices/:deviceId/work`, authed, async (req): Promise<PullResponse> => {
    const deviceId = deviceParam(req);
    const user = req.user as storage.SessionUser;
    const roles = user.roles;
    const supervisor = roles.includes('supervisor');
    const head = await storage.ledgerHead(db);
    const cursor = `c${head}`;
    const asked = (req.query as { cursor?: unknown }).cursor;
    const [lastSeq, catalog, locations, pickLists, receipts, countTasks, returns] = await Promise.all([
      storage.deviceContact(db, deviceId, now()),
      storage.catalogRows(db),
      storage.locationRows(db),
      hasRole(roles, ['picker']) ? storage.openPickLists(db, user.id) : [],
      hasRole(roles, ['receiver']) ? storage.openReceipts(db) : [],
      hasRole(roles, rolesFor('count.recorded')) ? storage.workCountTasks(db, ['open', 'started', 'awaiting_approval']) : [],
      supervisor ? storage.returnRows(db, true) : [],
    ]);
    return { cursor, ...(asked === cursor ? { unchanged: true } : {}), lastSeq, catalog, locations, pickLists, receipts, countTasks, returns };
  });

  app.get(`${API_PREFIX}/stock`, authed, async (req) => {
    const q = parse(StockQuery, req.query, 'query');
    return { rows: await storage.stockRows(db, q) };
  });
  app.get(`${API_PREFIX}/ledger`, authed, async (req) => {
    const q = parse(LedgerQuery, req.query, 'query');
    return { events: await storage.ledgerEvents(db, { ...q, ...(q.deviceId ? { deviceId: q.deviceId.toLowerCase() } : {}) }) };
  });
  app.get(`${API_PREFIX}/discrepancies`, authed, async (req) => {
    requireRole(req, 'supervisor');
    return { discrepancies: await storage.discrepancyRows(db, 500) };
  });
  app.get(`${API_PREFIX}/devices`, authed, async (req) => {
    requireRole(req, 'supervisor');
    return { devices: await deviceAdminRows(db, now()) };
  });
  app.get(`${API_PREFIX}/count-tasks`, authed, async (req) => {
    // Expected quantities only for supervisors: a counter's count stays blind.
    return { countTasks: await storage.countTaskRows(db, req.user?.roles.includes('supervisor') ?? false) };
  });
  app.get(`${API_PREFIX}/returns`, authed, async (req) => {
    const open = (req.query as { open?: string }).open;
    return { returns: await storage.returnRows(db, open === '1' || open === 'true') };
  });

  const root = opts.staticDir ? path.resolve(opts.staticDir) : undefined;
  const serveStatic = root !== undefined && existsSync(path.join(root, 'index.html'));
  if (serveStatic) {
    await app.register(fastifyStatic, {
      root,
      setHeaders: (res, file) => {
        // Hashed assets never change; the shell and the service worker must be revalidated.
        if (file.includes(`${path.sep}assets${path.sep}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
        else res.header('cache-control', 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((req, reply: FastifyReply) => {
    const url = req.url.split('?')[0] ?? '';
    if (url.startsWith('/api/') || url === '/api' || !serveStatic || req.method !== 'GET') {
      return reply.code(404).send({ error: 'not_found', message: `no route for ${req.method} ${url}` });
    }
    // The app routes on the client: every other page is the shell.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });

  app.addHook('preClose', async () => {
    identity.closeStreams();
  });

  return {
    app,
    db,
    feed,
    async close() {
      await app.close();
      await identity.close();
      await feed.close();
      await db.close();
    },
  };
}

/** Starts the API (and the PWA when `staticDir` is built) and answers its URL. */
export async function startServer(opts: ServerOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const built = await createApp(opts);
  const host = opts.host ?? '127.0.0.1';
  try {
    await built.app.listen({ port: opts.port ?? 0, host });
  } catch (err) {
    await built.close();
    throw err;
  }
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { url: `${opts.tls ? 'https' : 'http'}://${shown}:${port}`, close: built.close };
}
