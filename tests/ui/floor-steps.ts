/**
 * Steps the workflow e2e tests share: sign in through the screen, scan through the
 * keyboard-wedge path (a fast burst of keys ending in Enter), and read stock from the API.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Api, LedgerEntry, StockRow } from '../e2e/harness.ts';

/**
 * Opens the app and sets this device's scanner up as one that may pause up to 200 ms between
 * characters (the most the wedge settings allow, as for a scanner on a slow Bluetooth link).
 * The test types through CDP from a process sharing two busy cores with other work: its gaps
 * are not a hardware scanner's few milliseconds, and a burst split in two is two bad scans.
 */
export async function openApp(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        // The app makes its database with Dexie shortly after the sign-in screen is drawn (not
        // before: the first download has no Dexie). Until it exists, opening it here would make
        // an empty one and hold Dexie's upgrade blocked behind this connection: abort, and wait.
        const attempt = (left: number) => {
          const again = (why: string) => (left > 0 ? setTimeout(() => attempt(left - 1), 50) : reject(new Error(why)));
          const open = indexedDB.open('floor-scanner');
          open.onupgradeneeded = () => open.transaction?.abort();
          open.onerror = () => again(`the device database is not there: ${String(open.error)}`);
          open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('settings')) {
              db.close();
              again('the device database has no settings table');
              return;
            }
            const tx = db.transaction('settings', 'readwrite');
            tx.objectStore('settings').put({ key: 'scanner', value: { wedge: { maxGapMs: 200 } } });
            tx.oncomplete = () => {
              db.close();
              resolve();
            };
            tx.onerror = () => {
              db.close();
              reject(tx.error ?? new Error('cannot write the scanner settings'));
            };
          };
        };
        attempt(200);
      }),
  );
  // The scanner settings are read when the page starts.
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

/** Signs in by user name and PIN and waits for the home screen. */
export async function signIn(page: Page, user: string, pin: string): Promise<void> {
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('PIN').fill(pin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Workflows' }).waitFor();
}

/** Signs out from the home screen. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Home' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

/**
 * Scans like a keyboard-wedge scanner: the code typed as a fast burst, then Enter. Nothing
 * is focused first, so only the app's document-level wedge capture can take it: a scan that
 * worked only because a text field had focus would not pass.
 */
export async function scan(page: Page, code: string): Promise<void> {
  await page.getByLabel('Scan or type a code').waitFor();
  // Blur, then wait for the next frame to be painted: the screen has mounted its scanner and
  // finished rendering the last scan, as a worker's next trigger pull comes after the beep.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        (document.activeElement as HTMLElement | null)?.blur();
        requestAnimationFrame(() => setTimeout(resolve, 0));
      }),
  );
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

/** The feedback line's text, for `expect.poll`. */
export function feedback(page: Page): Promise<string> {
  return page.getByRole('status', { name: 'Feedback' }).innerText();
}

/** Waits until the feedback line shows `text`. */
export async function expectFeedback(page: Page, text: string | RegExp): Promise<void> {
  await expect
    .poll(() => feedback(page), { timeout: 10_000 })
    .toMatch(typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text);
}

/** The kind of the feedback shown (its tone and vibration follow it). */
export function feedbackTone(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Feedback' }).locator('[data-tone]').getAttribute('data-tone');
}

export type Figures = Pick<StockRow, 'available' | 'committed' | 'qc' | 'quarantine' | 'suspect'>;

const tokens = new WeakMap<Api, Promise<string>>();

/** A supervisor token for the test's own reads (its own device id, as the API wants a UUID). */
export function readerToken(api: Api): Promise<string> {
  let t = tokens.get(api);
  if (!t) {
    t = api.signIn('supervisor', '3333', randomUUID());
    tokens.set(api, t);
  }
  return t;
}

/** GET a read endpoint as the supervisor, straight to the server (never through the test's network cut). */
export async function read<T>(api: Api, path: string): Promise<T> {
  const res = await fetch(api.url + path, { headers: { authorization: `Bearer ${await readerToken(api)}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path} -> ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The central figures of one SKU at one location (zeros when the API has no row). */
export async function figures(api: Api, sku: string, location: string): Promise<Figures> {
  const { rows } = await read<{ rows: StockRow[] }>(api, `/api/v1/stock?sku=${encodeURIComponent(sku)}&location=${encodeURIComponent(location)}`);
  const row = rows.find((r) => r.sku === sku && r.location === location);
  return { available: row?.available ?? 0, committed: row?.committed ?? 0, qc: row?.qc ?? 0, quarantine: row?.quarantine ?? 0, suspect: row?.suspect ?? 0 };
}

/** Waits until the central figures are exactly `want`. */
export async function expectFigures(api: Api, sku: string, location: string, want: Figures): Promise<void> {
  await expect.poll(() => figures(api, sku, location), { timeout: 30_000 }).toEqual(want);
}

/** The ledger's event types, in ledger order, that start with `prefix`. */
export async function ledgerTypes(api: Api, prefix: string): Promise<string[]> {
  const { events } = await read<{ events: LedgerEntry[] }>(api, '/api/v1/ledger');
  return events.filter((e) => e.type.startsWith(prefix)).map((e) => e.type);
}
