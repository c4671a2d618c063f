/**
 * Issue 13, a battery swap in a dead zone, in Chromium at 360x640 with touch: the picker signed
 * in online once on this handheld; without the network, after a sign-out, they sign in again
 * with their PIN (checked on the device), pick, and when the network returns the app signs in
 * online by itself and the picks are accepted centrally, recorded as the picker's. Wrong PINs
 * offline are bounded: after five, offline sign-in is locked, even for the right PIN.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { expectFeedback, expectFigures, feedbackTone, openApp, read, scan, signIn, signOut } from '../ui/floor-steps.ts';
import { HANDHELD } from './shift-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp(HANDHELD);
});
afterAll(async () => {
  await app?.close();
});

test('sign in online, go offline, sign out, sign in offline with the PIN, pick; back online the picks are accepted centrally', async () => {
  const { page, api, network } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.getByText(/Offline sign-in ready on this handheld until/).waitFor({ timeout: 20_000 });

  await network.offline();
  await signOut(page);
  await page.getByLabel('User name').fill('picker');
  await page.getByLabel('PIN').fill('1111');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.getByRole('navigation', { name: 'Workflows' }).waitFor({ timeout: 20_000 });
  await expectFeedback(page, /Signed in without the network, until .+: scans are kept on this handheld/);
  expect(await feedbackTone(page)).toBe('offline');
  await page.getByText('Signed in without the network: scans wait on this handheld').waitFor();

  await page.getByRole('button', { name: 'Pick', exact: true }).tap();
  await page.getByRole('button', { name: /Order SO-50001/ }).tap();
  await scan(page, 'T-0001');
  await scan(page, 'A-01-01');
  await scan(page, '4006381330077');
  await expectFeedback(page, /Saved offline: 1 × Stainless bottle 750 ml into tote T-0001/);
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 40, committed: 0, qc: 0, quarantine: 0, suspect: 0 });

  await network.online();
  await expectFigures(api, 'SKU-1001', 'A-01-01', { available: 39, committed: 1, qc: 0, quarantine: 0, suspect: 0 });
  const ledger = await read<{ events: { type: string; actor: string; status: string }[] }>(api, '/api/v1/ledger?limit=1000');
  expect(ledger.events.filter((e) => e.type === 'pick.held').map((e) => [e.actor, e.status])).toEqual([['picker', 'applied']]);
  await page.getByRole('button', { name: 'Home' }).tap();
  await page.getByText(/Offline sign-in ready on this handheld until/).waitFor({ timeout: 20_000 });
});

test('five wrong PINs offline lock offline sign-in, even for the right PIN', async () => {
  const { page, network } = app;
  await network.offline();
  await signOut(page);
  for (const left of [4, 3, 2, 1]) {
    await page.getByLabel('User name').fill('picker');
    await page.getByLabel('PIN').fill('9999');
    await page.getByRole('button', { name: 'Sign in' }).tap();
    await expectFeedback(page, `Wrong PIN: ${left} more tries before offline sign-in locks`);
  }
  await page.getByLabel('PIN').fill('9999');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await expectFeedback(page, 'Offline sign-in is locked after too many wrong PINs');
  await page.getByLabel('PIN').fill('1111');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await expect.poll(() => page.getByRole('status', { name: 'Feedback' }).innerText()).toMatch(/Offline sign-in is locked/);
  expect(await page.getByRole('navigation', { name: 'Workflows' }).count()).toBe(0);
  // A user who never signed in online here cannot sign in offline at all.
  await page.getByLabel('User name').fill('receiver');
  await page.getByLabel('PIN').fill('2222');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await expectFeedback(page, 'receiver has not signed in online on this handheld');
  await network.online();
});
