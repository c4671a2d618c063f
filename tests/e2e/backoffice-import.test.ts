import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, signIn, signOut } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await app?.close();
});

const file = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

test('an admin imports a catalog and a bin map from CSV, creates a picker with a PIN and prints a bin label; the picker signs in', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'admin', '5555');
  await page.getByRole('button', { name: 'Back office' }).click();
  await page.getByRole('heading', { name: 'Back office' }).waitFor();

  // A catalog with one bad line: the preview names it, Import waits, the clean line goes in on request.
  await page
    .getByLabel('Import a CSV file (catalog)')
    .setInputFiles(file('catalog.csv', '\uFEFFItem Number;Description;EAN\nNEW-2001;Tent peg;4006381333931\nNEW-2002;Tent;4006381339990\n'));
  const preview = page.getByRole('region', { name: 'Preview' });
  await preview.getByText('line 3: GTIN 4006381339990 has a wrong check digit (expected 5)').waitFor();
  expect(await preview.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
  await preview.getByRole('button', { name: 'Import the clean lines only' }).click();
  await page.getByRole('status').getByText('Imported: 1 new, 0 changed').waitFor();
  await page.getByRole('table', { name: 'catalog' }).getByRole('cell', { name: 'NEW-2001', exact: true }).waitFor();

  await page.getByRole('navigation', { name: 'Back office' }).getByRole('button', { name: 'Locations' }).click();
  await page.getByLabel('Import a CSV file (locations)').setInputFiles(file('bins.csv', 'Bin Code,Type\nZ-01-01,bin\n'));
  await page.getByRole('region', { name: 'Preview' }).getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('table', { name: 'locations' }).getByRole('cell', { name: 'Z-01-01', exact: true }).waitFor();

  await page.getByRole('navigation', { name: 'Back office' }).getByRole('button', { name: 'Users' }).click();
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('User id').fill('pia9');
  await form.getByLabel('Name').fill('Pia Nine');
  await form.getByLabel('Role').selectOption('picker');
  await form.getByLabel('PIN').fill('9876');
  await form.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('table', { name: 'users' }).getByRole('cell', { name: 'pia9', exact: true }).waitFor();

  await page.getByRole('navigation', { name: 'Back office' }).getByRole('button', { name: 'Labels' }).click();
  await page.getByLabel('Codes (bins, totes or badge codes)').fill('Z-01-01');
  await page.getByRole('button', { name: 'Make labels' }).click();
  const label = page.getByRole('img', { name: 'bin label Z-01-01' });
  await label.waitFor();
  expect(await label.evaluate((img: HTMLImageElement) => img.naturalWidth > 0)).toBe(true);

  // Every change is in the ledger under the admin's name.
  const events = await api.ledger({ deviceId: '00000000-0000-7000-8000-00000000000d' });
  expect(events.filter((e) => e.actor === 'admin').map((e) => (e.payload as { key: string }).key)).toEqual(['NEW-2001', 'Z-01-01', 'pia9']);

  await page.goto(app.baseUrl);
  await signOut(page);
  await signIn(page, 'pia9', '9876');
  await page.getByRole('button', { name: 'Pick', exact: true }).waitFor();
});
