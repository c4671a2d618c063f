/**
 * One API process for the multi-process ingest bench: a server on an ephemeral loopback port
 * over the PostgreSQL at DATABASE_URL (logging off, no rate limit, as the in-process bench),
 * printing `listening <url>` once it answers and stopping on SIGTERM.
 */
import { startServer } from '../src/server/app.ts';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const server = await startServer({ port: 0, host: '127.0.0.1', databaseUrl, logLevel: 'silent', rateLimit: false });
process.stdout.write(`listening ${server.url}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
