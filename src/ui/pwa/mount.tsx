/**
 * Imported once by src/main.tsx: registers the service worker and shows the PWA notes
 * (update prompt, install hint, HTTPS and storage notes) in their own small roots around
 * the app's #root, so the app shell does not have to host them.
 */
import { StrictMode } from 'react';
import type { ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { APP_BUILD } from './build-info.ts';
import { PwaBottom, PwaTopNotes } from './PwaChrome.tsx';

function mountAround(anchor: HTMLElement, where: 'beforebegin' | 'afterend', id: string, node: ReactNode): void {
  const host = document.createElement('div');
  host.id = id;
  anchor.insertAdjacentElement(where, host);
  createRoot(host).render(<StrictMode>{node}</StrictMode>);
}

document.documentElement.dataset.build = APP_BUILD;
const appRoot = document.getElementById('root');
if (appRoot) {
  mountAround(appRoot, 'beforebegin', 'pwa-top', <PwaTopNotes />);
  mountAround(appRoot, 'afterend', 'pwa-bottom', <PwaBottom />);
}
