/**
 * `npm start`: the API plus the built PWA on one origin.
 * Env: PORT (8080), HOST (0.0.0.0), DATA_DIR (./data, the embedded database), DATABASE_URL
 * (a real PostgreSQL instead), TLS_CERT / TLS_KEY (PEM files: HTTPS, needed for the camera on
 * a handheld), STATIC_DIR (dist), LOG_LEVEL (info), WEBHOOK_ALLOW_NETS (networks webhooks may reach
 * although not public, comma-separated CIDRs; none by default, `npm start` allows loopback for the
 * demo storefront), WEBHOOK_LOG_RETENTION_DAYS (7), PGLITE_THREAD (1: the embedded database on a
 * thread of its own, more events a second under load for a little more time per push; off).
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { startServer } from './app.ts';
import { DataDirLockedError } from './data-lock.ts';
import { DEMO_USERS } from './seed.ts';

const env = process.env;
const port = Number(env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${env.PORT}"`);
  process.exit(1);
}
if ((env.TLS_CERT === undefined) !== (env.TLS_KEY === undefined)) {
  console.error('HTTPS needs both TLS_CERT and TLS_KEY (paths to PEM files)');
  process.exit(1);
}
const tls = env.TLS_CERT && env.TLS_KEY ? { cert: readFileSync(env.TLS_CERT, 'utf8'), key: readFileSync(env.TLS_KEY, 'utf8') } : undefined;
const host = env.HOST ?? '0.0.0.0';
const allowNets = (env.WEBHOOK_ALLOW_NETS ?? '')
  .split(',')
  .map((n) => n.trim())
  .filter((n) => n !== '');
const retentionDays = Number(env.WEBHOOK_LOG_RETENTION_DAYS ?? 7);
if (!(retentionDays > 0)) {
  console.error(`WEBHOOK_LOG_RETENTION_DAYS must be a positive number of days, got "${env.WEBHOOK_LOG_RETENTION_DAYS}"`);
  process.exit(1);
}

let server: Awaited<ReturnType<typeof startServer>>;
try {
  server = await startServer({
    port,
    host,
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.DATA_DIR ?? './data', pgliteThread: env.PGLITE_THREAD === '1' }),
    seed: true,
    staticDir: env.STATIC_DIR ?? 'dist',
    logLevel: env.LOG_LEVEL ?? 'info',
    ...(tls ? { tls } : {}),
    channels: { webhookTargets: { allow: allowNets }, worker: { retentionMs: retentionDays * 86_400_000 }, demo: true },
    // Reconciliation's schedule: hourly and daily runs, the morning's cycle counts, re-push checks.
    reconcile: { tickMs: 15_000 },
  });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  // Refused before any data was touched: the port is taken, or another process owns DATA_DIR.
  if (e.code === 'EADDRINUSE') console.error(`Cannot start: port ${port} on ${host} is in use by another process (set PORT to another port).`);
  else if (e instanceof DataDirLockedError) console.error(`Cannot start: ${e.message}`);
  else console.error('Cannot start:', e);
  process.exit(1);
}

const where = env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${env.DATA_DIR ?? './data'}`;
const lan =
  host === '0.0.0.0'
    ? Object.values(networkInterfaces())
        .flat()
        .filter((i) => i && i.family === 'IPv4' && !i.internal)
        .map((i) => server.url.replace('127.0.0.1', (i as { address: string }).address))
    : [];
console.log(`\nFloor scanner API and app: ${server.url}${lan.length ? `  (on the network: ${lan.join(', ')})` : ''}`);
console.log(`Database: ${where}`);
console.log('Demo sign-ins (user / PIN):');
for (const u of DEMO_USERS) console.log(`  ${u.id.padEnd(11)} ${u.pin}   ${u.roles.join(', ')}`);
if (allowNets.length > 0) console.log(`Webhooks may also reach ${allowNets.join(', ')} (WEBHOOK_ALLOW_NETS; set it empty in production).`);
if (!tls) console.log('A handheld camera needs HTTPS off localhost: set TLS_CERT and TLS_KEY.');

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
