import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { expectFeedback, expectFigures, figures, openApp, scan, signIn, signOut } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await app?.close();
});

test('badge sign-in; sign-out and a user switch keep the queue, which the next session delivers', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  // Badge: the scan fills the user name, the PIN follows.
  await scan(page, 'U:picker');
  await expectFeedback(page, 'Badge picker: enter your PIN');
  await expect.poll(() => page.getByLabel('User name').inputValue()).toBe('picker');
  await page.getByLabel('PIN').fill('9999');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectFeedback(page, /^Wrong:\s*Sign-in failed: /);
  await page.getByLabel('PIN').fill('1111');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Workflows' }).waitFor();

  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50002/ }).waitFor();
  await app.network.offline();
  await page.getByRole('button', { name: /Order SO-50002/ }).click();
  await scan(page, 'T-0004');
  await scan(page, 'A-01-02');
  await page.getByLabel('Quantity').fill('3');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330145');
  await expectFeedback(page, /Saved offline: 3 × Trail socks, size M into tote T-0004/);

  // Signed out while the scan waits; the network returns with nobody signed in.
  await signOut(page);
  await app.network.online();
  await expect.poll(() => page.evaluate(() => navigator.onLine)).toBe(true);
  expect(await figures(api, 'SKU-1002', 'A-01-02')).toEqual({ available: 60, committed: 0, qc: 0, quarantine: 0, suspect: 0 });

  // Another user signs in on the shared device: the picker's queued scan goes with that session.
  await signIn(page, 'receiver', '2222');
  await expectFigures(api, 'SKU-1002', 'A-01-02', { available: 57, committed: 3, qc: 0, quarantine: 0, suspect: 0 });
  await expect.poll(() => page.getByRole('button', { name: /^Sync:/ }).getAttribute('aria-label')).toBe('Sync: All sent');
});
