/**
 * Requests per window per verified session (or per address without one). Registered at the root
 * (the plugin is wrapped by fastify-plugin) before any route: its onRoute hook covers only routes
 * declared after it. Authentication runs first (an onRequest hook of the instance), so only a
 * verified session gets a key of its own.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { rateKey } from '../identity/routes.ts';

export async function registerRateLimit(app: FastifyInstance, limit: { max: number; timeWindowMs: number }): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    keyGenerator: rateKey,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `too many requests: at most ${ctx.max} per ${ctx.after}; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
    }),
  });
}
