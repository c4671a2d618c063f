import { InstallHint } from './InstallHint.tsx';
import { SecureContextNote } from './SecureContextNote.tsx';
import { StorageNote } from './StorageNote.tsx';
import { UpdatePrompt } from './UpdatePrompt.tsx';

/** Notes shown above the app: needing HTTPS, low storage. */
export function PwaTopNotes() {
  return (
    <>
      <SecureContextNote />
      <StorageNote />
    </>
  );
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
