import { useSession } from '../session/store.ts';
import { lazy, Suspense } from 'react';
import { SecureContextNote } from './SecureContextNote.tsx';

// Not part of the first download: drawn only once the first screen is up.
const BottomNotes = lazy(() => import('./BottomNotes.tsx').then((m) => ({ default: m.BottomNotes })));

/** Shown above the app from the first paint: the note that camera scanning needs HTTPS. */
export function PwaTopNotes() {
  return <SecureContextNote />;
}

/**
 * Below the app: the install hint and the update prompt (which registers the service
 * worker). Held back until the app has drawn its first screen: a note drawn under the
 * "Starting…" line would jump down the page when the screen appears (layout shift); and
 * so their code is fetched then, not with the first screen's.
 */
export function PwaBottom() {
  const started = useSession((s) => s.session !== undefined);
  if (!started) return null;
  return (
    <Suspense fallback={null}>
      <BottomNotes />
    </Suspense>
  );
}
