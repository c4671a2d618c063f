import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/** Baked into the bundle (and so into the precache manifest): two builds with different ids are two versions. */
const buildId = process.env.FLOOR_BUILD_ID ?? new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');

const THEME = '#0b3d91';

/** Icon links the manifest does not cover (browser tab, iOS home screen). */
const iconLinks = (): Plugin => ({
  name: 'floor-icon-links',
  transformIndexHtml: () => [
    { tag: 'link', attrs: { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' }, injectTo: 'head' },
    { tag: 'link', attrs: { rel: 'apple-touch-icon', href: '/apple-touch-icon-180x180.png' }, injectTo: 'head' },
  ],
});

/** Text files worth compressing (source maps are for debugging, not for the handheld). */
const COMPRESSIBLE = /\.(js|css|html|svg|webmanifest|wasm|json)$/;

/**
 * Writes a `.br` and a `.gz` beside each compressible file of the build (the API's static plugin
 * serves them with `preCompressed`): the first download travels compressed. Runs last, after the
 * PWA plugin wrote the service worker. The precache lists only the originals (its globs).
 */
const precompress = (): Plugin => {
  let outDir = 'dist';
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  return {
    name: 'floor-precompress',
    apply: 'build',
    configResolved: (config) => {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        for (const file of walk(outDir)) {
          if (!COMPRESSIBLE.test(file)) continue;
          const raw = readFileSync(file);
          if (raw.length < 1024) continue;
          writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
          // Brotli at 9: within 7% of its best (11) on the entry, at a quarter of the build time.
          writeFileSync(
            `${file}.br`,
            brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
          );
        }
      },
    },
  };
};

export default defineConfig({
  define: { __APP_BUILD__: JSON.stringify(buildId) },
  plugins: [
    react(),
    iconLinks(),
    VitePWA({
      // The worker only caches; the page registers it (src/ui/pwa) and asks before updating.
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        id: '/',
        name: 'Floor Scanner',
        short_name: 'Scanner',
        description: 'Warehouse handheld scanning: picks, receiving, returns and counts, online or offline.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: THEME,
        background_color: '#ffffff',
        categories: ['business', 'productivity'],
        icons: [
          { src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/pwa-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/maskable-icon-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The whole shell, the camera decoder's .wasm included, so the camera works offline too.
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest,wasm}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        // The API is never answered by the worker: events and work go to the network or fail loudly.
        navigateFallbackDenylist: [/^\/api\//],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
        // Updates wait for the user (registerType 'prompt'): no skipWaiting. The first worker
        // claims the page that installed it: a page no worker controls would let the next
        // version activate unasked, under a screen still running the old code.
        skipWaiting: false,
        clientsClaim: true,
      },
      devOptions: { enabled: false },
    }),
    precompress(),
  ],
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  build: { target: 'es2022', sourcemap: true },
});
