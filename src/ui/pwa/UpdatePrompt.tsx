/// <reference types="vite-plugin-pwa/react" />
import { useRegisterSW } from 'virtual:pwa-register/react';
import { APP_BUILD } from './build-info.ts';
import { bannerStyle, buttonStyle, linkButtonStyle, noteStyle, secondaryButtonStyle } from './styles.ts';
import { isTaskActive, useAnyTaskActive, useTaskActivity } from './task-activity.ts';

/** How often a long-running handheld asks the server for a newer build. */
const UPDATE_CHECK_MS = 30 * 60_000;

let reloading = false;
const reloadOnce = () => {
  if (reloading) return;
  reloading = true;
  window.location.reload();
};

/** Reloads now if no task is in progress, else as soon as the last one ends. */
function reloadWhenIdle(): void {
  if (!isTaskActive()) return reloadOnce();
  const stop = useTaskActivity.subscribe((s) => {
    if (s.active.size > 0) return;
    stop();
    reloadOnce();
  });
}

/**
 * Lets the waiting worker take over, then reloads this page into the new build. The reload
 * follows the worker's activation rather than a controller change, so a page the old worker
 * never controlled (the very first visit) is updated too.
 */
async function applyUpdate(skipWaiting: (reload?: boolean) => Promise<void>): Promise<void> {
  const waiting = (await navigator.serviceWorker.getRegistration())?.waiting;
  // Already active (nothing held it back): the reload alone picks it up.
  if (!waiting) return reloadOnce();
  waiting.addEventListener('statechange', () => {
    if (waiting.state === 'activated') reloadOnce();
  });
  navigator.serviceWorker.addEventListener('controllerchange', reloadOnce, { once: true });
  await skipWaiting(true);
}

/**
 * Registers the service worker and announces a new version. The new worker waits until
 * the user agrees, and the button is withheld while a task is in progress. Events are in
 * IndexedDB, so the reload loses nothing; the new page's sync engine delivers them.
 */
export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registration) {
      if (!registration) return;
      // A handheld runs for a whole shift: look for a new build now and then, when the
      // network comes back and when the app returns to the foreground.
      const check = () => {
        if (navigator.onLine) void registration.update().catch(() => undefined);
      };
      setInterval(check, UPDATE_CHECK_MS);
      window.addEventListener('online', check);
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') check();
      });
    },
    // Another tab applied the update and this one now runs under the new worker: reload
    // too, but only once no task is in progress here.
    onNeedReload: reloadWhenIdle,
    onRegisterError(error: unknown) {
      console.error('service worker registration failed', error);
    },
  });
  const taskActive = useAnyTaskActive();

  if (needRefresh) {
    return (
      <section role="alertdialog" aria-labelledby="pwa-update-title" aria-describedby="pwa-update-body" style={bannerStyle}>
        <h2 id="pwa-update-title" style={{ margin: 0, fontSize: '1.05rem' }}>
          A new version is ready
        </h2>
        <p id="pwa-update-body" style={{ margin: '0.25rem 0 0.5rem' }}>
          {taskActive
            ? 'Finish the current task first; the update is offered again then. Nothing you scanned is lost.'
            : 'Update now: the app reloads and keeps every scan not yet sent.'}{' '}
          <small>(running build {APP_BUILD})</small>
        </p>
        {!taskActive && (
          <div style={{ display: 'flex', gap: '0.5rem' }}>
            <button type="button" style={buttonStyle} onClick={() => void applyUpdate(updateServiceWorker)}>
              Update now
            </button>
            <button type="button" style={secondaryButtonStyle} onClick={() => setNeedRefresh(false)}>
              Later
            </button>
          </div>
        )}
      </section>
    );
  }
  if (offlineReady) {
    // In the page flow, not over it: it must never cover a button of the screen in use.
    return (
      <p role="status" style={noteStyle}>
        Ready to work offline on this device.{' '}
        <button type="button" style={linkButtonStyle} onClick={() => setOfflineReady(false)}>
          Dismiss
        </button>
      </p>
    );
  }
  return null;
}
