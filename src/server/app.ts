/**
 * The central inventory API (wire protocol v1) and the static host of the built PWA: a set of
 * Fastify plugins (src/server/plugins/, identity in src/server/identity/). Routes parse with the
 * domain schemas, call one use case each and return the protocol's answer types; SQL lives in
 * src/server/storage/.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { MAX_BODY_BYTES } from '../domain/protocol.ts';
import { observeStatements, openPglite, openPostgres, type Database } from './db.ts';
import { openPgliteThread } from './db-thread.ts';
import { lockDataDir } from './data-lock.ts';
import { ChangeFeed } from './feed.ts';
import { registerIdentity } from './identity/routes.ts';
import { shiftRoutes } from './shift/routes.ts';
import { masterdataRoutes } from './masterdata/routes.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { type ApiContext } from './plugins/guards.ts';
import { headersPlugin } from './plugins/headers.ts';
import { pushRoutes } from './plugins/push.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { readRoutes } from './plugins/reads.ts';
import { staticPlugin } from './plugins/static.ts';
import { workRoutes } from './plugins/work.ts';
import { seedDemo } from './seed.ts';
import { channelsPlugin, type ChannelsOptions } from './channels/routes.ts';
import { reconcilePlugin, type ReconcileOptions } from './reconcile/routes.ts';
import { controlPlugin, type ControlOptions } from './control/routes.ts';
import * as storage from './storage/index.ts';

export type ServerOptions = {
  /** 0 = an ephemeral port. */
  port?: number;
  host?: string;
  /** postgres://... runs on a real PostgreSQL; otherwise embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** PGlite folder, kept across restarts; 'memory://' (the default here) keeps nothing. */
  dataDir?: string;
  /**
   * PGlite on a thread of its own (db-thread.ts): the database and the HTTP side on two cores.
   * Measured (`npm run bench -- api`): about 17% more events a second under a flood of pushes,
   * but about 1.4 ms more per single push (each statement crosses threads twice), so it is off by
   * default: the product's point is the time from scan to commit.
   */
  pgliteThread?: boolean;
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
  /** Told the text of every statement the API sends (tests count a request's round trips). */
  observeSql?: (text: string) => void;
  /** Sales channels: the webhook worker and expiry sweeper of this process. */
  channels?: ChannelsOptions;
  /** Reconciliation and cycle counts: this process's schedule (off unless `tickMs` is set). */
  reconcile?: ReconcileOptions;
  /** The control room: its alert monitor's clock tick and sweep, its live stream's keep-alive. */
  control?: ControlOptions;
};

export type App = { app: FastifyInstance; db: Database; feed: ChangeFeed; close(): Promise<void> };

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
    db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : opts.pgliteThread ? await openPgliteThread(dataDir) : await openPglite(dataDir);
    if (opts.observeSql) db = observeStatements(db, opts.observeSql);
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
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: req.url.replace(/([?&]ticket=)[^&]*/g, '$1[redacted]'),
          remoteAddress: req.ip,
        }),
      },
    },
    bodyLimit: MAX_BODY_BYTES,
    ...(opts.server ? { serverFactory: () => opts.server as Server } : opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
  }) as unknown as FastifyInstance;

  // The API, plugin by plugin. Order matters only where noted: the rate limit before any route
  // (its onRoute hook covers routes declared after it), identity's authentication hook with it.
  // An area adds its routes as a plugin of its own, with one line here.
  const ctx: ApiContext = { db, feed, channel, now };
  await app.register(errorsPlugin);
  await app.register(headersPlugin, { tls: opts.tls !== undefined });
  if (opts.rateLimit !== false) await registerRateLimit(app, opts.rateLimit ?? { max: 1200, timeWindowMs: 60_000 });
  // Sessions, device administration and the change stream (src/server/identity/routes.ts).
  const identity = await registerIdentity(app, { db, feed, now, keepAliveMs: opts.keepAliveMs ?? 15_000 });
  await app.register(pushRoutes, ctx);
  await app.register(workRoutes, ctx);
  await app.register(readRoutes, ctx);
  // Master data: catalog, sites, locations, users, expected receipts (src/server/masterdata/).
  await app.register(masterdataRoutes, { db, now, channel });
  // Sales channels: channels, keys, policies, orders, webhooks (src/server/channels/).
  await app.register(channelsPlugin, { db, now, ...(opts.channels ? { channels: opts.channels } : {}) });
  // Reconciliation and cycle counts: drift report, re-push, schedule (src/server/reconcile/).
  await app.register(reconcilePlugin, {
    db,
    now,
    channel,
    ...(opts.channels?.webhookTargets ? { targets: opts.channels.webhookTargets } : {}),
    ...(opts.reconcile ? { reconcile: opts.reconcile } : {}),
  });
  // The control room: board, stock, alerts and their monitor (src/server/control/).
  await app.register(controlPlugin, { db, feed, now, ...(opts.control ? { control: opts.control } : {}) });
  // Offline sign-in: grants and their setting (src/server/shift/).
  await app.register(shiftRoutes({ db, now }));
  await app.register(staticPlugin, { staticDir: opts.staticDir });

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
  // Fastify's own keep-alive (72 s), which it applies only to servers it creates: Node's 5 s
  // closes idle connections under a client that reuses them (a reset push) and costs handhelds new TLS handshakes.
  server.keepAliveTimeout = 72_000;
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
