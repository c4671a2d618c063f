import { useSession } from '../session/store.ts';
import { InstallHint } from './InstallHint.tsx';
import { SecureContextNote } from './SecureContextNote.tsx';
import { UpdatePrompt } from './UpdatePrompt.tsx';

/** Shown above the app from the first paint: the note that camera scanning needs HTTPS. */
export function PwaTopNotes() {
  return <SecureContextNote />;
}

/**
 * Below the app: the install hint and the update prompt (which registers the service
 * worker). Held back until the app has drawn its first screen: a note drawn under the
 * "Starting…" line would jump down the page when the screen appears (layout shift).
 */
export function PwaBottom() {
  const started = useSession((s) => s.session !== undefined);
  if (!started) return null;
  return (
    <>
      <InstallHint />
      {'serviceWorker' in navigator && window.isSecureContext && <UpdatePrompt />}
    </>
  );
}
