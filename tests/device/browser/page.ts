/** Builds a page script of the device layer (Vite, library mode) into a folder the API can serve. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Bundles `entry` as /page.js with an index.html that runs it; its CSS is linked when there is any. */
export async function buildPage(entry: string, dir: string): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'error',
    publicDir: false,
    // Production React and JSX whatever NODE_ENV the caller runs under (vitest sets "test").
    define: { 'process.env.NODE_ENV': '"production"' },
    oxc: { jsx: { runtime: 'automatic', development: false } },
    build: { outDir: dir, emptyOutDir: false, minify: false, cssCodeSplit: false, lib: { entry, formats: ['es'], fileName: () => 'page.js', cssFileName: 'page' } },
  });
  writeFileSync(
    path.join(dir, 'index.html'),
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>loading</title><link rel="stylesheet" href="/page.css"><div id="root"></div><script type="module" src="/page.js"></script></html>',
  );
}
