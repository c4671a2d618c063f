import type { ReactNode } from 'react';
import { useSession } from '../session/store.ts';
import { FeedbackBanner } from './FeedbackBanner.tsx';
import { RecentScans } from './RecentScans.tsx';
import { ScanBar, type ScanHandler } from './ScanBar.tsx';
import { SyncBadge } from '../sync/index.ts';
import { useDevice } from '../app/device.ts';

/**
 * The frame of every screen after sign-in: a top bar (home, title, sync state), the content,
 * the feedback line, the last scans, and the scan bar when the screen takes scans.
 */
export function Screen({
  title,
  children,
  onScan,
  back,
  showRecent = true,
  allowRepeats = false,
}: {
  title: string;
  children: ReactNode;
  onScan?: ScanHandler;
  back?: () => void;
  showRecent?: boolean;
  /** Each scan of the same code is another unit (picking, counting). */
  allowRepeats?: boolean;
}) {
  const go = useSession((s) => s.go);
  const { db, engine } = useDevice();
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
        <SyncBadge db={db} engine={engine} onOpen={() => go({ name: 'sync' })} />
      </header>
      <main className="content">
        <FeedbackBanner />
        {children}
        {onScan && showRecent ? <RecentScans /> : null}
      </main>
      {onScan ? <ScanBar onScan={onScan} allowRepeats={allowRepeats} /> : null}
    </div>
  );
}
