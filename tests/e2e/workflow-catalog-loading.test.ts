/**
 * A slow handheld: the picker scans before the screen has read its catalog from IndexedDB.
 * Scans wait for the catalog; a known item is never refused as unknown for being early.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, expectFeedback, scan, signIn } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await app?.close();
});

test('scans made while the catalog is still being read wait for it: the item is held, not refused as unknown', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  await signIn(page, 'picker', '1111');
  await page.getByRole('button', { name: 'Pick', exact: true }).click();
  await page.getByRole('button', { name: /Order SO-50002/ }).waitFor();
  // A slow handheld: a write holds the catalog store for 2 s, so the pick screen's first read
  // of the catalog waits behind it while the picker is already scanning.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('floor-scanner');
        open.onerror = () => reject(open.error ?? new Error('cannot open the device database'));
        open.onsuccess = () => {
          const tx = open.result.transaction('catalog', 'readwrite');
          const store = tx.objectStore('catalog');
          const until = performance.now() + 2_000;
          const spin = () => {
            if (performance.now() < until) store.count().onsuccess = spin;
          };
          spin();
          resolve();
        };
      }),
  );
  await page.getByRole('button', { name: /Order SO-50002/ }).click();
  const figures = await api.stock({ sku: 'SKU-1002', location: 'A-01-02' });
  await scan(page, 'T-0002');
  await scan(page, 'A-01-02');
  await scan(page, '4006381330145');
  await expectFeedback(page, '1 × Trail socks, size M into tote T-0002, 2 to go');
  await expect.poll(async () => (await api.stock({ sku: 'SKU-1002', location: 'A-01-02' }))[0]?.committed).toBe((figures[0]?.committed ?? 0) + 1);
});
