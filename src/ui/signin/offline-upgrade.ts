/**
 * A worker signed in offline keeps working when the network comes back: the PIN they typed is
 * kept in this page's memory only (never stored), and the first moment the API answers, the
 * device signs them in online with it. The API checks the PIN itself (its own limits apply);
 * the new session's token then delivers the queue, whose offline events carry their grant.
 * After a reload nothing is kept: the sync screen asks them to sign in again.
 */
import { useEffect } from 'react';
import { deviceIdOf } from '../../device/db-rows.ts';
import { useDevice } from '../app/device.ts';
import { useSession } from '../session/store.ts';

let awaitingUpgrade: { user: string; pin: string } | null = null;

/** Keeps the credentials of an offline sign-in for the online one that follows. */
export function keepForUpgrade(creds: { user: string; pin: string }): void {
  awaitingUpgrade = creds;
}

/** Forgets them (sign-out, or the API refused them). */
export function forgetUpgrade(): void {
  awaitingUpgrade = null;
}

const RETRY_MS = 15_000;

/** While the signed-in session is an offline one, signs in online as soon as the API answers. */
export function useOfflineUpgrade(): void {
  const { db, api, engine } = useDevice();
  const offline = useSession((s) => s.session?.token === '');
  const setSession = useSession((s) => s.setSession);
  const show = useSession((s) => s.show);
  useEffect(() => {
    if (!offline) return;
    let busy = false;
    let stopped = false;
    const attempt = async () => {
      const creds = awaitingUpgrade;
      if (busy || stopped || !creds || !navigator.onLine) return;
      busy = true;
      try {
        // Sign-in's code loads with the first attempt: it is not part of the first download.
        const [{ signIn }, { rememberForOffline }] = await Promise.all([import('../../device/session.ts'), import('../../device/offline-signin.ts')]);
        const result = await signIn(db, api, creds, new Date());
        if (stopped) return;
        if (result.ok) {
          awaitingUpgrade = null;
          void deviceIdOf(db)
            .then((id) => rememberForOffline(db, api, result.session, creds.pin, id))
            .catch(() => undefined);
          setSession({ user: result.session.user, token: result.session.token });
          engine.resume();
          show({ tone: 'accepted', code: 'signin.backOnline', params: {} });
        } else if (!result.network) {
          // Refused (a changed PIN, a revoked user): the worker signs in again themselves.
          awaitingUpgrade = null;
        }
      } finally {
        busy = false;
      }
    };
    const onOnline = () => void attempt();
    void attempt();
    window.addEventListener('online', onOnline);
    const timer = setInterval(onOnline, RETRY_MS);
    return () => {
      stopped = true;
      window.removeEventListener('online', onOnline);
      clearInterval(timer);
    };
  }, [offline, db, api, engine, setSession, show]);
}
