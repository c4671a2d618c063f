import { useEffect, useState } from 'react';
import { noteStyle, linkButtonStyle } from './styles.ts';

/** Chromium's install event; not in the DOM typings. */
type BeforeInstallPromptEvent = Event & {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
};

const isStandalone = () => typeof window.matchMedia === 'function' && window.matchMedia('(display-mode: standalone)').matches;

/** Offers "Install on this device" where the browser allows it; hidden once installed. */
export function InstallHint() {
  const [offer, setOffer] = useState<BeforeInstallPromptEvent | null>(null);

  useEffect(() => {
    const onOffer = (e: Event) => {
      // Keep the browser's mini-infobar away; the app shows its own hint instead.
      e.preventDefault();
      setOffer(e as BeforeInstallPromptEvent);
    };
    const onInstalled = () => setOffer(null);
    window.addEventListener('beforeinstallprompt', onOffer);
    window.addEventListener('appinstalled', onInstalled);
    return () => {
      window.removeEventListener('beforeinstallprompt', onOffer);
      window.removeEventListener('appinstalled', onInstalled);
    };
  }, []);

  if (!offer || isStandalone()) return null;
  const install = async () => {
    await offer.prompt();
    await offer.userChoice;
    // The event can be used once; the browser fires a new one if installing is offered again.
    setOffer(null);
  };
  return (
    <aside aria-label="Install" style={noteStyle}>
      Install Floor Scanner on this device: it then opens full screen and starts without the network.{' '}
      <button type="button" style={linkButtonStyle} onClick={() => void install()}>
        Install app
      </button>{' '}
      <button type="button" style={linkButtonStyle} onClick={() => setOffer(null)}>
        Not now
      </button>
    </aside>
  );
}
