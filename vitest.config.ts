import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // expect.poll waits on a condition, never a fixed time; on a loaded 2-core runner 1 s (the default) is too short.
    expect: { poll: { timeout: 20_000, interval: 50 } },
    projects: [
      { extends: true, test: { name: 'unit', exclude: [...configDefaults.exclude, 'tests/e2e/**', 'tests/**/*-browser.test.ts'] } },
      // Browser tests (not extending the root: its include would be added to this one):
      // one build for the run, one Chromium at a time on this small machine.
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts', 'tests/**/*-browser.test.ts'],
          environment: 'node',
          pool: 'forks',
          globalSetup: ['tests/e2e/global-setup.ts'],
          fileParallelism: false,
          expect: { poll: { timeout: 20_000, interval: 50 } },
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
