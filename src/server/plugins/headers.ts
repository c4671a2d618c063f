/**
 * Security headers on every answer, API and app alike. The PWA needs only its own origin: its
 * scripts, its decoder worker and the WebAssembly it compiles ('wasm-unsafe-eval'), data: and
 * blob: images (test sheet, camera frames). React's style props use the CSSOM, which CSP does
 * not govern. Registered at the root (fastify-plugin).
 */
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

async function headers(app: FastifyInstance, opts: { tls: boolean }): Promise<void> {
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
}

export const headersPlugin = fp(headers, { name: 'floor-headers' });
