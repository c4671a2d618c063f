import { InstallHint } from './InstallHint.tsx';
import { UpdatePrompt } from './UpdatePrompt.tsx';

/** The install hint and the update prompt (which registers the service worker), below the app. */
export function BottomNotes() {
  return (
    <>
      <InstallHint />
      {'serviceWorker' in navigator && window.isSecureContext && <UpdatePrompt />}
    </>
  );
}
