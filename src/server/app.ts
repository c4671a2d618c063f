/**
 * The central inventory API (wire protocol v1) and the static host of the built PWA.
 * Routes parse with the domain schemas and call one use case each; SQL lives in storage.ts.
 */
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { rolesFor } from '../domain/events.ts';
import { AnyDeviceIdSchema, DeviceIdSchema, LocationIdSchema, SkuSchema } from '../domain/ids.ts';
import { hasRole } from '../domain/roles.ts';
import { API_PREFIX, MAX_BODY_BYTES, MAX_BODY_DEPTH, type PullResponse } from '../domain/protocol.ts';
import { openPglite, openPostgres, type Database } from './db.ts';
import { lockDataDir } from './data-lock.ts';
import { ChangeFeed } from './feed.ts';
import { HttpError, fail, parse } from './http.ts';
import { rateKey, registerIdentity, requireSession } from './identity/routes.ts';
import { deviceAdminRows } from './identity/storage.ts';
import { masterdataRoutes } from './masterdata/routes.ts';
import { catalogForPull } from './masterdata/pull.ts';
import { pushEvents, readBatch } from './ingest.ts';
import { jsonNestsDeeperThan } from '../domain/text.ts';
import { seedDemo } from './seed.ts';
import { channelsPlugin, type ChannelsOptions } from './channels/routes.ts';
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
  /** An HTTP(S) server already listening (startServer binds its port before touching the data); the app answers its requests. */
  server?: Server;
  /** Sales channels: the webhook worker and expiry sweeper of this process. */
  channels?: ChannelsOptions;
};

export type App = { app: FastifyInstance; db: Database; feed: ChangeFeed; close(): Promise<void> };

/**
 * A database that is away (connection refused or lost, shutting down, too many clients) is a
 * 503: the device then knows the fault is passing, not about what it sent (a 500).
 */
function unavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^(08|57P0|53300)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code);
}

const optionalText = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());
const StockQuery = z.object({ sku: optionalText(SkuSchema), location: optionalText(LocationIdSchema) });
const LedgerQuery = StockQuery.extend({
  // Reserved ids too: a supervisor may read the opening balances' device.
  deviceId: optionalText(AnyDeviceIdSchema),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** Builds the API on an open database (migrated, optionally seeded); `createApp` + `listen` is `startServer`. */
export async function createApp(opts: ServerOptions = {}): Promise<App> {
  const now = opts.now ?? (() => new Date());
  const dataDir = opts.dataDir ?? 'memory://';
  // One owner per embedded database folder, taken before PGlite reads a byte of it.
  const unlock =
    opts.databaseUrl || dataDir.startsWith('memory://')
      ? async () => undefined
      : await lockDataDir(dataDir, (err) => {
          // Someone took the folder from under us: writing on would corrupt it. Stop now.
          console.error(`floor-scanner: lost the lock on ${dataDir} (${err.message}); stopping without further writes`);
          process.exit(70);
        });
  let db: Database;
  try {
    db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(dataDir);
  } catch (err) {
    await unlock();
    throw err;
  }
  try {
    await storage.migrate(db);
    if (opts.seed ?? true) await seedDemo(db);
  } catch (err) {
    await db.close();
    await unlock();
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
    ...(opts.server
      ? { serverFactory: () => opts.server as Server }
      : opts.tls
        ? { https: { cert: opts.tls.cert, key: opts.tls.key } }
        : {}),
  }) as unknown as FastifyInstance;

  // Our own JSON parser, so a malformed body is answered with what is wrong and where.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const textBody = String(body);
    if (textBody.trim() === '') return done(new HttpError(400, { error: 'malformed_json', message: 'body is empty; send a JSON object', field: 'body' }));
    // Counted before parsing, without recursion: nothing that walks the value later can blow the stack.
    if (jsonNestsDeeperThan(textBody, MAX_BODY_DEPTH)) {
      return done(new HttpError(400, { error: 'too_deep', message: `body nests deeper than ${MAX_BODY_DEPTH} levels; nothing was applied`, field: 'body' }));
    }
    try {
      done(null, JSON.parse(textBody));
    } catch (err) {
      done(new HttpError(400, { error: 'malformed_json', message: `body is not valid JSON: ${(err as Error).message}`, field: 'body' }));
    }
  });

  // Every answer, API and app alike. The PWA needs only its own origin: its scripts, its
  // decoder worker and the WebAssembly it compiles ('wasm-unsafe-eval'), data: and blob: images
  // (test sheet, camera frames). React's style props use the CSSOM, which CSP does not govern.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'"],
        fontSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    // HSTS only where the answer came over TLS: a plain-HTTP trial on the LAN must stay reachable.
    hsts: opts.tls ? { maxAge: 31_536_000 } : false,
    crossOriginEmbedderPolicy: false,
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
    if (unavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'unavailable', message: 'the database is not reachable right now; it is safe to retry' });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'the server failed to handle this request; it is safe to retry' });
  });

  const requireRole = (req: FastifyRequest, role: 'supervisor') => {
    if (!req.user?.roles.includes(role)) fail(403, 'forbidden', `only a ${role} may read this`);
  };
  const isSupervisor = (req: FastifyRequest): boolean => req.user?.roles.includes('supervisor') ?? false;
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
  await app.register(masterdataRoutes, { db, now, channel });
  const authed = { preHandler: async (req: FastifyRequest) => void requireSession(req) };
  await app.register(channelsPlugin, { db, now, ...(opts.channels ? { channels: opts.channels } : {}) });

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
      catalogForPull(db, (req.query as { catalogSince?: unknown }).catalogSince),
      storage.locationRows(db),
      hasRole(roles, ['picker']) ? storage.openPickLists(db, user.id) : [],
      hasRole(roles, ['receiver']) ? storage.openReceipts(db) : [],
      hasRole(roles, rolesFor('count.recorded')) ? storage.workCountTasks(db, ['open', 'started', 'awaiting_approval']) : [],
      supervisor ? storage.returnRows(db, true) : [],
    ]);
    // Named fields only: a count task's snapshot or held lines never reach a counter's handheld.
    const blind = countTasks.map((t) => ({ id: t.id, location: t.location, reason: t.reason, status: t.status }));
    return { cursor, ...(asked === cursor ? { unchanged: true } : {}), lastSeq, ...catalog, locations, pickLists, receipts, countTasks: blind, returns };
  });

  // Reads by role (README "API: who may read what"): stock figures would tell a blind counter
  // what to find, so they are a supervisor's; others read their own device's ledger only.
  app.get(`${API_PREFIX}/stock`, authed, async (req) => {
    requireRole(req, 'supervisor');
    const q = parse(StockQuery, req.query, 'query');
    return { rows: await storage.stockRows(db, q) };
  });
  app.get(`${API_PREFIX}/ledger`, authed, async (req) => {
    const q = parse(LedgerQuery, req.query, 'query');
    const asked = q.deviceId?.toLowerCase();
    const own = (req.user as storage.SessionUser).deviceId.toLowerCase();
    if (!isSupervisor(req) && asked !== undefined && asked !== own) {
      return fail(403, 'forbidden', `only a supervisor may read another device's ledger; this session is on ${own}`, 'deviceId');
    }
    const deviceId = isSupervisor(req) ? asked : own;
    return { events: await storage.ledgerEvents(db, { ...q, ...(deviceId ? { deviceId } : {}) }) };
  });
  app.get(`${API_PREFIX}/conflicts`, authed, async (req) => {
    requireRole(req, 'supervisor');
    return { conflicts: await storage.resendConflictRows(db, 500) };
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
    return { countTasks: await storage.countTaskRows(db, isSupervisor(req)) };
  });
  app.get(`${API_PREFIX}/returns`, authed, async (req) => {
    if (!hasRole((req.user as storage.SessionUser).roles, ['returns', 'receiver'])) fail(403, 'forbidden', 'only returns, receiving or a supervisor may read returns');
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
      await unlock();
    },
  };
}

const STARTING: Record<string, string> = { error: 'starting', message: 'the API is starting; retry in a moment' };

/**
 * Starts the API (and the PWA when `staticDir` is built) and answers its URL. The port is bound
 * first, answering 503 until the database is open: a second server that cannot have the port
 * fails before it touches any data, and one that cannot have the data folder (locked by
 * another process) fails before it opens it.
 */
export async function startServer(opts: ServerOptions = {}): Promise<{ url: string; db: Database; close(): Promise<void> }> {
  const host = opts.host ?? '127.0.0.1';
  // Until the database is open every request gets a 503; then Fastify's own handler takes over.
  const routing: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    if (routing.handler) return routing.handler(req, res);
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify(STARTING));
  };
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, serve) : createHttpServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  let built: App | undefined;
  try {
    built = await createApp({ ...opts, server });
    await built.app.ready();
  } catch (err) {
    await built?.close();
    await closeServer();
    throw err;
  }
  const app = built;
  // Fastify's own routing, now that the database is open; `routing` is its request handler.
  routing.handler = (req, res) => app.app.routing(req, res);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${shown}:${port}`,
    db: app.db,
    async close() {
      const closed = closeServer();
      server.closeAllConnections?.();
      await app.close();
      await closed;
    },
  };
}
