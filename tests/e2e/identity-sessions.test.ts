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

const supervisorCall = async (method: string, path: string): Promise<{ status: number; body: unknown }> => {
  const token = await app.api.signIn();
  const res = await fetch(app.api.url + path, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
};

/** Picks the three socks of SO-50002's first line into a tote; the push is held back. */
async function pickSocksWhilePushIsHeld() {
  const { page } = app;
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50002/ }).click();
  const held = app.network.hold(/\/devices\/[^/]+\/events$/, 'POST');
  await scan(page, 'T-0004');
  await scan(page, 'A-01-02');
  await page.getByLabel('Quantity').fill('3');
  await page.getByRole('button', { name: 'Set quantity' }).click();
  await scan(page, '4006381330145');
  await expectFeedback(page, /3 × Trail socks, size M into tote T-0004/);
  return held;
}

test("a handheld whose user signs out with events queued delivers them under the next user's session, not refused", async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  const held = await pickSocksWhilePushIsHeld();
  // Signed out online: the API ends the picker's session at once; the push never got through.
  await signOut(page);
  (await held).drop();
  const sessions = (await supervisorCall('GET', '/api/v1/sessions')).body as { sessions: { userId: string; endedAt: string | null }[] };
  expect(sessions.sessions.filter((s) => s.userId === 'picker').every((s) => s.endedAt !== null)).toBe(true);
  expect(await figures(api, 'SKU-1002', 'A-01-02')).toEqual({ available: 60, committed: 0, qc: 0, quarantine: 0, suspect: 0 });

  // The receiver signs in on the same handheld: the picker's scan goes, under the picker's (ended) session.
  await signIn(page, 'receiver', '2222');
  await expectFigures(api, 'SKU-1002', 'A-01-02', { available: 57, committed: 3, qc: 0, quarantine: 0, suspect: 0 });
  const picks = (await api.ledger({ sku: 'SKU-1002', location: 'A-01-02' })).filter((e) => e.type === 'pick.held');
  expect(picks.map((e) => [e.actor, e.status])).toEqual([['picker', 'applied']]);
  expect((await api.ledger()).filter((e) => e.status === 'rejected')).toEqual([]);
  await expect.poll(() => page.getByRole('button', { name: /^Sync:/ }).getAttribute('aria-label')).toBe('Sync: All sent');
  await signOut(page);
});

test('a device reset by a supervisor shows its backlog, re-registers under a new id and delivers it', async () => {
  const { page, api } = app;
  await signIn(page, 'picker', '1111');
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50001/ }).waitFor();
  await app.network.offline();
  await page.getByRole('button', { name: /Order SO-50001/ }).click();
  await scan(page, 'T-0005');
  await scan(page, 'A-01-01');
  await scan(page, '4006381330077');
  await expectFeedback(page, /Saved offline: .*Stainless bottle 750 ml into tote T-0005/);
  const before = await figures(api, 'SKU-1001', 'A-01-01');

  // The supervisor resets the handheld (say it was stuck) while it is offline.
  const device = (await api.devices()).find((d) => (d.signedIn ?? []).includes('picker'));
  expect(device).toBeDefined();
  const oldId = device!.deviceId;
  expect((await supervisorCall('POST', `/api/v1/devices/${oldId}/reset`)).status).toBe(200);
  await app.network.online();
  // The device learns it on its next push and stops sending under the old id.
  await page.getByRole('button', { name: /^Sync:/ }).click();
  await expect.poll(() => page.getByRole('alert').filter({ hasText: 'A supervisor reset this handheld' }).count()).toBeGreaterThan(0);
  expect(await figures(api, 'SKU-1001', 'A-01-01')).toEqual(before);

  // Signing in again shows the undelivered scans, then re-registers and sends them.
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await page.getByLabel('User name').fill('picker');
  await page.getByLabel('PIN').fill('1111');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const backlog = page.getByRole('region', { name: 'Scans not yet delivered' });
  await backlog.waitFor();
  expect(await backlog.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^pick\.held by picker at /)]);
  await page.getByRole('button', { name: 'Re-register and send' }).click();
  await page.getByRole('navigation', { name: 'Workflows' }).waitFor();
  await expectFigures(api, 'SKU-1001', 'A-01-01', { ...before, available: before.available - 1, committed: before.committed + 1 });
  const devices = await api.devices();
  const fresh = devices.find((d) => d.replaces === oldId);
  expect(fresh).toBeDefined();
  expect(devices.find((d) => d.deviceId === oldId)?.replacedBy).toBe(fresh!.deviceId);
  const picks = (await api.ledger({ sku: 'SKU-1001', location: 'A-01-01' })).filter((e) => e.type === 'pick.held');
  expect(picks.map((e) => [e.deviceId, e.seq, e.actor, e.status])).toEqual([[fresh!.deviceId, 1, 'picker', 'applied']]);
  await expect.poll(() => page.getByRole('button', { name: /^Sync:/ }).getAttribute('aria-label')).toBe('Sync: All sent');
});
