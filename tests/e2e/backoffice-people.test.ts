import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, signIn, signOut } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 412, height: 860 } });
});
afterAll(async () => {
  await app?.close();
});

type Sessions = { sessions: { userId: string; active: boolean }[] };

test("an admin disables a picker in the back office: the picker's sessions end at once and their sign-in is refused, until the admin enables them", async () => {
  const { page: handheld, api } = app;
  await openApp(handheld, app.baseUrl);
  await signIn(handheld, 'picker', '1111');
  expect((await api.get<Sessions>('/api/v1/sessions?active=1')).sessions.some((s) => s.userId === 'picker')).toBe(true);

  // The admin works at a desk: a browser of their own.
  const desk = await app.browser!.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const office = await desk.newPage();
    await openApp(office, app.baseUrl);
    await signIn(office, 'admin', '5555');
    await office.getByRole('button', { name: 'Back office' }).click();
    await office.getByRole('navigation', { name: 'Back office' }).getByRole('button', { name: 'Users' }).click();
    const users = office.getByRole('table', { name: 'users' });
    await users.getByRole('columnheader', { name: 'disabled' }).waitFor();
    const pickerRow = users.getByRole('row').filter({ has: office.getByRole('cell', { name: 'picker', exact: true }) });
    await pickerRow.getByRole('button', { name: 'Disable picker' }).click();
    await office.getByRole('status').getByText('picker is disabled: signed out everywhere, and cannot sign in.').waitFor();
    // The table says so, and offers the way back.
    await pickerRow.getByRole('button', { name: 'Enable picker' }).waitFor();
    expect(await pickerRow.getByRole('cell').allTextContents()).toContain('yes');
    // Signed out at once: no session of the picker is open any more.
    expect((await api.get<Sessions>('/api/v1/sessions?active=1')).sessions.filter((s) => s.userId === 'picker')).toEqual([]);

    // On the handheld the picker cannot sign in again, and is told why.
    await signOut(handheld);
    await handheld.getByLabel('User name').fill('picker');
    await handheld.getByLabel('PIN').fill('1111');
    await handheld.getByRole('button', { name: 'Sign in' }).click();
    await handheld.getByText('picker is disabled: an admin must enable them before they can sign in').waitFor();
    expect(await handheld.getByRole('navigation', { name: 'Workflows' }).count()).toBe(0);

    await pickerRow.getByRole('button', { name: 'Enable picker' }).click();
    await office.getByRole('status').getByText('picker is enabled: they can sign in again.').waitFor();
    await pickerRow.getByRole('button', { name: 'Disable picker' }).waitFor();
    await signIn(handheld, 'picker', '1111');
  } finally {
    await desk.close();
  }
});
