import type { ReactNode } from 'react';
import { useSession } from '../session/store.ts';
import { FeedbackBanner } from './FeedbackBanner.tsx';
import { RecentScans } from './RecentScans.tsx';
import { ScanBar, type ScanHandler } from './ScanBar.tsx';
import { SyncSlot } from './SyncSlot.tsx';

/**
 * The frame of every screen after sign-in: a top bar (home, title, sync state), the content,
 * the feedback line, the last scans, and the scan bar when the screen takes scans.
 */
export function Screen({ title, children, onScan, back, showRecent = true }: { title: string; children: ReactNode; onScan?: ScanHandler; back?: () => void; showRecent?: boolean }) {
  const go = useSession((s) => s.go);
  return (
    <div className="screen">
      <header className="topbar">
        {back ? (
          <button type="button" onClick={back} aria-label="Back">
            ←
          </button>
        ) : null}
        <button type="button" onClick={() => go({ name: 'home' })} aria-label="Home">
          ⌂
        </button>
        <h1>{title}</h1>
        <SyncSlot />
      </header>
      <main className="content">
        <FeedbackBanner />
        {children}
        {onScan && showRecent ? <RecentScans /> : null}
      </main>
      {onScan ? <ScanBar onScan={onScan} /> : null}
    </div>
  );
}
