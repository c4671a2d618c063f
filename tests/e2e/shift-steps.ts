/**
 * Steps the issue-13 browser tests share: a handheld at 360x640 with a touch screen, checks
 * that a control is on screen without scrolling, and a hardware scan that leaves focus where
 * it is (the floor steps' `scan` blurs first; these tests need the focus kept).
 */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

export const HANDHELD = { viewport: { width: 360, height: 640 }, touch: true } as const;

/** Whether the element lies wholly inside the viewport as it is now (nothing scrolled first). */
export async function onScreen(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const vp = page.viewportSize();
  if (!box || !vp) return false;
  return box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width + 0.5 && box.y + box.height <= vp.height + 0.5;
}

/** Waits until the element is wholly on screen without any scrolling. */
export async function expectOnScreen(page: Page, locator: Locator): Promise<void> {
  await locator.waitFor();
  await expect.poll(() => onScreen(page, locator)).toBe(true);
}

/** A keyboard-wedge scan typed wherever focus is now (a focused button keeps its focus). */
export async function hardwareScan(page: Page, code: string, opts: { enter?: boolean } = {}): Promise<void> {
  await page.keyboard.type(code);
  if (opts.enter ?? true) await page.keyboard.press('Enter');
}

/** The page's address without the origin. */
export const pathOf = (page: Page): string => new URL(page.url()).pathname + new URL(page.url()).search;

/** Whether the device's work cache still holds an open record of `store` with this id. */
export function stillOpenInCache(page: Page, store: 'pickLists' | 'countTasks' | 'receipts', id: string): Promise<boolean> {
  return page.evaluate(
    ([s, key]) =>
      new Promise<boolean>((resolve, reject) => {
        const open = indexedDB.open('floor-scanner');
        open.onerror = () => reject(open.error ?? new Error('cannot open the device database'));
        open.onsuccess = () => {
          const db = open.result;
          const get = db
            .transaction(s as string, 'readonly')
            .objectStore(s as string)
            .get(key as string);
          get.onsuccess = () => {
            const row = get.result as { status?: string } | undefined;
            db.close();
            resolve(row !== undefined && (row.status === 'open' || row.status === 'started'));
          };
          get.onerror = () => reject(get.error ?? new Error('cannot read'));
        };
      }),
    [store, id] as const,
  );
}
