/**
 * The shared browser-test harness: every e2e test drives the built app in Debian's
 * Chromium through this file, which gathers the tools of tests/e2e/harness/, one job each:
 * chromium, build, server, network (the proxy), api, app, lighthouse, device-log, storefront.
 *
 * - `ensureChromium()` finds /usr/bin/chromium (installs Debian's package when root with apt).
 * - `ensureBuilt()` runs `vite build` once per source state; a lock file keeps parallel
 *   files from building twice, and each build lands in its own folder so a rebuild never
 *   changes files under a running test.
 * - `startApp()` starts a fresh API server (seeded, in-memory) serving that build behind a
 *   small proxy the test controls (`network.offline()`, `network.hold()`), then launches
 *   Chromium on it.
 */
export * from './harness/chromium.ts';
export * from './harness/build.ts';
export * from './harness/server.ts';
export * from './harness/network.ts';
export * from './harness/api.ts';
export * from './harness/app.ts';
export * from './harness/lighthouse.ts';
export * from './harness/device-log.ts';
export * from './harness/storefront.ts';
