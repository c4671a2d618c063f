/**
 * Static plugin: the built PWA (hashed assets cached for good, the shell and the service worker
 * revalidated; brotli or gzip from the files the build wrote beside them), the shell for every
 * other page, and JSON 404s under /api. Registered at the root (fastify-plugin): the not-found
 * handler is the whole server's.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

async function staticFiles(app: FastifyInstance, opts: { staticDir?: string }): Promise<void> {
  const root = opts.staticDir ? path.resolve(opts.staticDir) : undefined;
  const serveStatic = root !== undefined && existsSync(path.join(root, 'index.html'));
  if (serveStatic) {
    await app.register(fastifyStatic, {
      root,
      // The build writes a .br and a .gz beside each text file (vite.config.ts): sent to a browser that takes them.
      preCompressed: true,
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
}

export const staticPlugin = fp(staticFiles, { name: 'floor-static' });
