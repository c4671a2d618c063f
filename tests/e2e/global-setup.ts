/**
 * Vitest global setup for the e2e project: checks Chromium and builds the app once, before
 * any e2e file runs, and hands the build folder to the test workers through the environment.
 */
import { ensureBuilt, ensureChromium } from './harness.ts';

export default async function setup(): Promise<void> {
  ensureChromium();
  process.env.FLOOR_E2E_DIST = await ensureBuilt();
}
