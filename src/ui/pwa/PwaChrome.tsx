import { InstallHint } from './InstallHint.tsx';
import { SecureContextNote } from './SecureContextNote.tsx';
import { UpdatePrompt } from './UpdatePrompt.tsx';

/** Shown above the app: the note that camera scanning needs HTTPS (storage health is the sync status screen's). */
export function PwaTopNotes() {
  return <SecureContextNote />;
}

/** Below the app: the install hint and the update prompt (which registers the service worker). */
export function PwaBottom() {
  return (
    <>
      <InstallHint />
      {'serviceWorker' in navigator && window.isSecureContext && <UpdatePrompt />}
    </>
  );
}
