/** Builds a page script of the device layer (Vite, library mode) into a folder the API can serve. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { startServer } from '../../../src/server/app.ts';
import { CHROMIUM_ARGS, ensureChromium } from '../../e2e/harness.ts';

export const CHROMIUM = '/usr/bin/chromium';
export { CHROMIUM_ARGS };

/** Bundles `entry` as /page.js with an index.html that runs it; its CSS is linked when there is any. */
export async function buildPage(entry: string, dir: string): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'error',
    publicDir: false,
    // Production React and JSX whatever NODE_ENV the caller runs under (vitest sets "test").
    define: { 'process.env.NODE_ENV': '"production"' },
    oxc: { jsx: { runtime: 'automatic', development: false } },
    build: {
      outDir: dir,
      emptyOutDir: false,
      minify: false,
      cssCodeSplit: false,
      lib: { entry, formats: ['es'], fileName: () => 'page.js', cssFileName: 'page' },
    },
  });
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>loading</title><link rel="stylesheet" href="/page.css"><div id="root"></div><script type="module" src="/page.js"></script></html>',
  );
}

export type DevicePage = { server: { url: string; close(): Promise<void> }; browser: Browser; close(): Promise<void> };

/** Builds `entry` into a temp folder, serves it from the real API (in-memory PGlite, seeded) and launches Chromium. */
export async function startDevicePage(entry: string): Promise<DevicePage> {
  const dir = mkdtempSync(path.join(tmpdir(), 'floor-device-page-'));
  await buildPage(entry, dir);
  const server = await startServer({ port: 0, dataDir: 'memory://', seed: true, staticDir: dir, logLevel: 'error' });
  const browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
