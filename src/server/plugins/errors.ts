/**
 * Errors plugin: the API's own JSON body parser (a malformed body is answered with what is wrong
 * and where) and the one error handler every route shares. Registered at the root (fastify-plugin).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from '../../domain/protocol.ts';
import { jsonNestsDeeperThan } from '../../domain/text.ts';
import { HttpError } from '../http.ts';

/**
 * A database that is away (connection refused or lost, shutting down, too many clients) is a
 * 503: the device then knows the fault is passing, not about what it sent (a 500).
 */
function unavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^(08|57P0|53300)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code);
}

async function errors(app: FastifyInstance): Promise<void> {
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
}

export const errorsPlugin = fp(errors, { name: 'floor-errors' });
