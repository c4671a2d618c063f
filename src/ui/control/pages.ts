/**
 * The control room's pages: one line each (id, label, lazily loaded component). A page's code,
 * and the chart library it uses, is fetched only when the page is first opened.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export type ControlPage = { id: string; label: string; component: LazyExoticComponent<ComponentType> };

function page(id: string, label: string, load: () => Promise<ComponentType>): ControlPage {
  return { id, label, component: lazy(async () => ({ default: await load() })) };
}

export const CONTROL_PAGES: readonly ControlPage[] = [
  page('board', 'Board', () => import('./BoardPage.tsx').then((m) => m.BoardPage)),
  page('stock', 'Stock', () => import('./StockPage.tsx').then((m) => m.StockPage)),
  page('alerts', 'Alerts', () => import('./AlertsPage.tsx').then((m) => m.AlertsPage)),
];

/** The page for an address segment; the first page when it names none. */
export function controlPage(id: string | undefined): ControlPage {
  return CONTROL_PAGES.find((p) => p.id === id) ?? CONTROL_PAGES[0]!;
}
