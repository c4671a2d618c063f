import type { ReactNode } from 'react';
import { FeedbackBanner } from './FeedbackBanner.tsx';
import { RecentScans } from './RecentScans.tsx';
import { ScanBar, type ScanHandler } from './ScanBar.tsx';
import { SyncBadge } from '../sync/index.ts';
import { useDevice } from '../app/device.ts';
import { paths, useGo } from '../app/routes.ts';
import { useT } from '../i18n/i18n.ts';

/**
 * The frame of every screen after sign-in: a top bar (back, home, title, sync state), the
 * content (the only part that scrolls), then, fixed at the bottom where the worker looks,
 * the feedback line, the screen's main action and the scan bar. The main action is never
 * below the fold, however long the form.
 */
export function Screen({
  title,
  children,
  onScan,
  back,
  action,
  showRecent = true,
  recentTypes,
  allowRepeats = false,
}: {
  title: string;
  children: ReactNode;
  onScan?: ScanHandler;
  /** Where the Back button leads (the browser's Back goes back in history). */
  back?: () => void;
  /** The screen's main button(s), kept in reach above the scan bar. */
  action?: ReactNode;
  showRecent?: boolean;
  /** Only these kinds of fact (a type prefix, e.g. "count.") in the last scans. */
  recentTypes?: string;
  /** Each scan of the same code is another unit (picking, counting). */
  allowRepeats?: boolean;
}) {
  const go = useGo();
  const { t } = useT();
  const { db, engine } = useDevice();
  return (
    <div className="screen">
      <header className="topbar">
        {back ? (
          <button type="button" onClick={back} aria-label={t('ui.back')}>
            ←
          </button>
        ) : null}
        <button type="button" onClick={() => go(paths.home)} aria-label={t('ui.home')}>
          ⌂
        </button>
        <h1>{title}</h1>
        <SyncBadge db={db} engine={engine} onOpen={() => go(paths.sync)} />
      </header>
      {/* Focusable: a keyboard can scroll it even when it holds no control (axe scrollable-region-focusable). */}
      <main className="content" tabIndex={0}>
        {children}
        {onScan && showRecent ? <RecentScans types={recentTypes} /> : null}
      </main>
      <div className="dock">
        <FeedbackBanner />
        {action ? <div className="action row">{action}</div> : null}
        {onScan ? <ScanBar onScan={onScan} allowRepeats={allowRepeats} /> : null}
      </div>
    </div>
  );
}
