import { expect, test } from 'vitest';
import { startApp } from './harness.ts';

test('the built app opens in Chromium', async () => {
  const app = await startApp();
  try {
    await app.page.goto(app.baseUrl);
    await expect.poll(() => app.page.title()).toBe('Floor Scanner');
  } finally {
    await app.close();
  }
});
