/**
 * The control room (supervisors and admins, desktop and tablet): a page table (pages.ts) under
 * one navigation bar, over one live board stream every page may read (`useLiveBoard()`). Loaded
 * only when opened, so a handheld's first download does not carry it.
 */
import { Suspense } from 'react';
import { paths, useGo } from '../app/routes.ts';
import { useSignedIn } from '../session/store.ts';
import { LiveBoardProvider } from './live.tsx';
import { CONTROL_PAGES, controlPage } from './pages.ts';
import './control.css';

export function ControlRoom({ pageId }: { pageId?: string | undefined }) {
  const { user, token } = useSignedIn();
  const go = useGo();
  const current = controlPage(pageId);
  const Page = current.component;
  const allowed = user.roles.includes('supervisor') || user.roles.includes('admin');
  return (
    <main className="control-room">
      <header>
        <h1>Control room</h1>
        <nav aria-label="Control room">
          {CONTROL_PAGES.map((p) => (
            <button key={p.id} type="button" aria-current={p.id === current.id ? 'page' : undefined} onClick={() => go(paths.control(p.id))}>
              {p.label}
            </button>
          ))}
          <button type="button" onClick={() => go(paths.home)}>
            Home
          </button>
        </nav>
      </header>
      {allowed ? (
        <LiveBoardProvider token={token}>
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            <Page />
          </Suspense>
        </LiveBoardProvider>
      ) : (
        <p role="alert">The control room is for supervisors and admins.</p>
      )}
    </main>
  );
}
