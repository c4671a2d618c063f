/**
 * Issue 13: every screen (not a sample) passes axe-core with no serious or critical
 * violation, at 360x640 on a touch handheld; and the language is chosen per user and
 * remembered on the device. Screens added since: the short in the undo list, the supervisor's
 * offline sign-in settings, the exceptions and sync status in German, and sign-in without the
 * network (a wrong PIN, then the offline session's home).
 */
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startApp, type App } from './harness.ts';
import { expectFeedback, openApp, scan, signIn, signOut } from '../ui/floor-steps.ts';
import { HANDHELD, hardwareScan, pathOf } from './shift-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp(HANDHELD);
});
afterAll(async () => {
  await app?.close();
});

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('the language is per user and remembered on this device; German words come through the same codes', async () => {
  const { page } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.getByLabel('Language').selectOption('de');
  await page.getByRole('navigation', { name: 'Arbeitsabläufe' }).getByRole('button', { name: 'Picken' }).waitFor();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
  await page.getByRole('button', { name: 'Picken' }).tap();
  await page.getByRole('button', { name: /Auftrag SO-50001/ }).tap();
  await page.getByLabel('Code scannen oder eintippen').waitFor();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await hardwareScan(page, 'A-01-01');
  await expect
    .poll(() => page.getByRole('status', { name: 'Rückmeldung' }).innerText())
    .toMatch(/Falsch:\s+Zuerst einen Behälter scannen, nicht Lagerplatz A-01-01/);
  // A reload keeps the screen and the language.
  await page.reload();
  await page.getByRole('heading', { name: 'Behälter für Auftrag SO-50001 scannen' }).waitFor();

  // Another user on the same device gets their own language (English by default).
  await page.getByRole('button', { name: 'Start' }).tap();
  await page.getByRole('button', { name: 'Abmelden' }).tap();
  await signIn(page, 'receiver', '2222');
  await page.getByRole('navigation', { name: 'Workflows' }).getByRole('button', { name: 'Receiving' }).waitFor();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  await signOut(page);
  // The picker again: German, remembered on this device.
  await page.getByLabel('User name').fill('picker');
  await page.getByLabel('PIN').fill('1111');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.getByRole('navigation', { name: 'Arbeitsabläufe' }).waitFor();
  await page.getByLabel('Sprache').selectOption('en');
  await page.getByRole('navigation', { name: 'Workflows' }).waitFor();
  await page.getByRole('button', { name: 'Home' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).tap();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
});

test('axe-core finds no serious or critical violation on any screen', async () => {
  const { page } = app;
  const found: Record<string, string[]> = {};
  const check = async (name: string) => {
    found[name] = await seriousViolations(page);
  };
  await check('sign-in');
  // Each worker's own screens, as they see them: the picker (who also counts), the receiver, the supervisor.
  await signIn(page, 'picker', '1111');
  await check('home');

  await page.getByRole('button', { name: 'Pick', exact: true }).tap();
  await page.getByRole('button', { name: /Order SO-50002/ }).waitFor();
  await check('pick lists');
  await page.getByRole('button', { name: /Order SO-50002/ }).tap();
  await scan(page, 'T-0009');
  await scan(page, 'A-01-02');
  await expectFeedback(page, 'Bin A-01-02');
  await page.getByRole('button', { name: 'Fewer here' }).tap();
  await check('pick, at the bin, fewer here open');
  await page.getByRole('button', { name: 'None here' }).tap();
  await page.getByRole('region', { name: 'Check short' }).waitFor();
  await check('pick, short to confirm');
  await page.getByRole('button', { name: 'Yes, record the short' }).tap();
  await expectFeedback(page, 'Short 3 × Trail socks, size M at A-01-02');
  await scan(page, 'B-01-01');
  await scan(page, '4006381330350');
  await page.getByRole('heading', { name: 'Done' }).waitFor();
  // The confirmed short can be taken back from the undo list, on the done screen too.
  await page.getByRole('button', { name: 'Take back the short of 3 × SKU-1002 at A-01-02' }).waitFor();
  await check('pick done');

  await page.goto(`${app.baseUrl}/pick/PL-NOWHERE`);
  await page.getByText('PL-NOWHERE is not on this device').waitFor();
  await check('pick list not on this device');

  await page.getByRole('button', { name: 'Home' }).tap();
  await page.getByRole('button', { name: 'Blind counts' }).tap();
  await page.getByRole('button', { name: /Count A-01-02/ }).waitFor({ timeout: 20_000 });
  await check('count tasks');
  await page.getByRole('button', { name: /Count A-01-02/ }).tap();
  await check('count, before the bin');
  await scan(page, 'A-01-02');
  await page.getByLabel('Item').selectOption('SKU-1002');
  await page.getByLabel('Counted quantity').fill('57');
  await page.getByRole('button', { name: 'Key count' }).tap();
  await expectFeedback(page, 'Trail socks, size M: 57 counted');
  await check('count, counting');
  await page.getByRole('button', { name: 'Record count' }).tap();
  await page.getByRole('region', { name: 'Done' }).waitFor();
  await check('count done');

  await signOut(page);
  await signIn(page, 'receiver', '2222');
  await page.getByRole('button', { name: 'Receiving' }).tap();
  await page.getByRole('button', { name: /RCV-0001/ }).waitFor();
  await check('receipts');
  await scan(page, '034012345000000019');
  await page.getByRole('table', { name: 'Receipt lines' }).waitFor();
  await check('receiving');
  await scan(page, '(01)04006381330282(10)LOT7(17)271231(37)24');
  await page.getByRole('region', { name: 'Scanned label' }).waitFor();
  await check('receiving, label to confirm');
  await page.getByRole('button', { name: 'Confirm' }).tap();
  await expectFeedback(page, 'Received 24');
  await page.getByRole('button', { name: 'Finish receipt' }).tap();
  await page.getByRole('region', { name: 'Done' }).waitFor();
  await check('receiving done');

  await page.getByRole('button', { name: 'Home' }).tap();
  await page.getByRole('button', { name: 'QC release' }).tap();
  await check('QC release');
  await scan(page, '4006381330282');
  await scan(page, 'A-02-02');
  await page.getByRole('region', { name: 'Last release' }).waitFor();
  await check('QC release, done line');

  await page.getByRole('button', { name: 'Home' }).tap();
  await page.getByRole('button', { name: 'Returns' }).tap();
  await check('returns');
  await scan(page, '4006381330350');
  await page.getByRole('button', { name: 'Opened' }).tap();
  await page.getByRole('button', { name: 'Quarantine' }).tap();
  await page.getByRole('region', { name: 'Done' }).waitFor();
  await check('returns, done line');

  await signOut(page);
  await signIn(page, 'supervisor', '3333');
  await page.getByRole('button', { name: 'Decisions' }).tap();
  await check('decisions');
  await page
    .getByRole('region', { name: 'Quarantine' })
    .getByRole('button', { name: /Dry bag 20 l · opened/ })
    .tap({ timeout: 20_000 });
  await page.getByRole('region', { name: 'Decision' }).waitFor();
  await check('decisions, a return selected');

  await page.getByRole('button', { name: 'Home' }).tap();
  await page.getByRole('button', { name: 'Exceptions' }).tap();
  await page.getByRole('region', { name: 'Discrepancies' }).waitFor();
  await check('exceptions');

  await page
    .getByRole('button', { name: /^Sync\b/ })
    .first()
    .tap();
  await page.getByRole('region', { name: 'Sync status' }).waitFor();
  await check('sync status');

  await page.goto(`${app.baseUrl}/scanner`);
  await page.getByRole('button', { name: 'Back', exact: true }).waitFor();
  expect(pathOf(page)).toBe('/scanner');
  await check('scanner set-up');

  await page.goto(app.baseUrl);
  await page.getByLabel('Language').selectOption('de');
  await page.getByRole('navigation', { name: 'Arbeitsabläufe' }).waitFor();
  await check('home, German');

  expect(Object.entries(found).filter(([, v]) => v.length > 0)).toEqual([]);
  expect(Object.keys(found)).toHaveLength(25);
  // The checker is live: a nameless button is caught.
  await page.evaluate(() => document.body.append(document.createElement('button')));
  expect(await seriousViolations(page)).toEqual([expect.stringMatching(/^critical button-name/)]);
});

test('the screens added since pass too: offline sign-in settings, exceptions and sync in German, sign-in without the network', async () => {
  const { page } = app;
  const found: Record<string, string[]> = {};
  const check = async (name: string) => {
    found[name] = await seriousViolations(page);
  };
  // The supervisor signed in with the network in the test before: offline sign-in is ready for them.
  await page.goto(app.baseUrl);
  await page.getByText(/Offline-Anmeldung auf diesem Gerät bereit bis/).waitFor({ timeout: 20_000 });
  await page.goto(app.baseUrl);
  await page.getByRole('button', { name: 'Ausnahmen' }).tap();
  await page.getByRole('region', { name: 'Abweichungen' }).waitFor();
  await page.getByRole('region', { name: 'Offline-Anmeldung' }).waitFor();
  await check('exceptions, German');
  const settings = page.getByRole('region', { name: 'Offline-Anmeldung' });
  await expect.poll(() => settings.getByLabel(/Stunden, die ein Gerät/).inputValue()).toBe('12');
  await settings.getByLabel(/Stunden, die ein Gerät/).fill('8');
  await settings.getByRole('button', { name: 'Speichern' }).tap();
  await settings.getByText('Offline-Anmeldung gilt jetzt 8 h nach jeder Anmeldung mit Netz').waitFor();
  await check('exceptions, offline sign-in saved');
  await page.goto(`${app.baseUrl}/sync`);
  await page.getByRole('region', { name: 'Sync-Status' }).getByText('Netz', { exact: true }).waitFor();
  await check('sync status, German');

  // Without the network: a wrong PIN, then the offline session's home.
  await page.goto(app.baseUrl);
  await page.getByRole('button', { name: 'Abmelden' }).tap();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await app.network.offline();
  await page.getByLabel('User name').fill('supervisor');
  await page.getByLabel('PIN').fill('9999');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await expectFeedback(page, 'Wrong PIN: 4 more tries before offline sign-in locks');
  await check('sign-in, offline, wrong PIN');
  await page.getByLabel('PIN').fill('3333');
  await page.getByRole('button', { name: 'Sign in' }).tap();
  await page.getByText('Ohne Netz angemeldet: Scans warten auf diesem Gerät').waitFor();
  await check('home, signed in offline');
  await app.network.online();

  expect(Object.entries(found).filter(([, v]) => v.length > 0)).toEqual([]);
  expect(Object.keys(found)).toHaveLength(5);
});
