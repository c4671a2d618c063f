import { useRef, useState, type FormEvent } from 'react';
import { deleteMeta, deviceIdOf } from '../../device/db-rows.ts';
import type { FloorDb, StoredEvent } from '../../device/db.ts';
import type { SignInResult } from '../../device/session.ts';
import { useDeviceParts } from '../app/device.ts';
import { playFeedback } from '../feedback/sound.ts';
import { FeedbackBanner } from '../shell/FeedbackBanner.tsx';
import { ScanBar } from '../shell/ScanBar.tsx';
import { useSession } from '../session/store.ts';
import { paths, useGo } from '../app/routes.ts';
import { applyUserLanguage, useT } from '../i18n/i18n.ts';
import { keepForUpgrade } from './offline-upgrade.ts';

/** Sign-in's code (the wire and the event log) and the database: fetched while the form is filled in, not before the form shows. */
const loadSession = () => import('../../device/session.ts');
/** The API client (its wire schemas), likewise: the engine brings its own once it starts. */
const loadClient = () => import('../../device/api/client.ts');
/** Offline sign-in (and remembering a user for it), likewise. */
const loadOffline = () => import('../../device/offline-signin.ts');

/** Sign-in by badge scan (`U:name`, then the PIN) or by user name and PIN. */
export function SignInScreen() {
  const { openDb, http, api: startedApi, engine } = useDeviceParts();
  const setSession = useSession((s) => s.setSession);
  const show = useSession((s) => s.show);
  const [user, setUser] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  /** Set when the API said a supervisor reset this handheld: its undelivered scans, shown before they go again. */
  const [reset, setReset] = useState<StoredEvent[] | null>(null);
  const pinInput = useRef<HTMLInputElement>(null);
  const go = useGo();
  const { t } = useT();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!user.trim() || !pin) {
      show({ tone: 'wrong', code: !user.trim() ? 'signin.needUser' : 'signin.needPin', params: {} });
      playFeedback('wrong');
      return;
    }
    setBusy(true);
    const creds = { user: user.trim(), pin };
    const [{ reRegister, signIn, undeliveredEvents }, { httpApiClient }, { offlineSignIn, rememberForOffline }, db] = await Promise.all([
      loadSession(),
      loadClient(),
      loadOffline(),
      openDb(),
    ]);
    const api = startedApi ?? httpApiClient(http);
    const result = reset ? await reRegister(db, api, creds, new Date()) : await signIn(db, api, creds, new Date());
    if (!result.ok && result.network && !reset) {
      // No network: a user who signed in online here before may sign in with the PIN checked on the device.
      const offline = await offlineSignIn(db, creds, new Date());
      setBusy(false);
      if (!offline.ok) {
        setPin('');
        show({
          tone: 'wrong',
          code: offline.code,
          params: { user: creds.user, left: offline.left ?? 0, until: offline.until ? new Date(offline.until).toLocaleString() : '' },
        });
        playFeedback('wrong');
        return;
      }
      keepForUpgrade(creds);
      await applyUserLanguage(db, offline.session.user.id).catch(() => undefined);
      go(paths.home, { replace: true });
      setSession({ user: offline.session.user, token: '' });
      engine?.kick();
      show({ tone: 'offline', code: 'signin.offline', params: { until: new Date(offline.session.expiresAt ?? '').toLocaleString() } });
      playFeedback('offline');
      return;
    }
    setBusy(false);
    if (result.ok) {
      // For the next sign-in without the network: the API's grant and a PIN verifier of the device's own (in the background).
      void deviceIdOf(db)
        .then((id) => rememberForOffline(db, api, result.session, creds.pin, id))
        .catch(() => undefined);
    }
    if (!result.ok && result.reset) {
      setReset(await undeliveredEvents(db));
      show({ tone: 'supervisor', code: 'signin.deviceReset', params: {} });
      playFeedback('supervisor');
      return;
    }
    await finish(result, db);
  };

  const finish = async (result: SignInResult, db: FloorDb) => {
    if (!result.ok) {
      setPin('');
      show({ tone: 'wrong', code: 'signin.failed', params: { why: result.message } });
      playFeedback('wrong');
      return;
    }
    // Work is per user: the cursor of the previous user's pull would make the API answer "unchanged".
    await deleteMeta(db, 'pullCursor');
    await applyUserLanguage(db, result.session.user.id).catch(() => undefined);
    // A new sign-in starts at home, whatever screen the previous user left open.
    go(paths.home, { replace: true });
    setSession({ user: result.session.user, token: result.session.token });
    setReset(null);
    // A re-registration changed the device id: a running engine starts again under the new one
    // (the page's first sign-in starts it).
    if (engine) {
      await engine.stop();
      await engine.start();
      engine.resume();
    }
    playFeedback('accepted');
  };

  return (
    <div className="screen">
      <header className="topbar">
        <h1>{t('ui.signInTitle')}</h1>
      </header>
      {/* Focusable: a keyboard can scroll it even when it holds no control (axe scrollable-region-focusable). */}
      <main className="content" tabIndex={0}>
        <p className="muted">{t('ui.signInHint')}</p>
        <form
          onSubmit={(e) => void submit(e)}
          onFocus={() => void Promise.all([loadSession(), loadClient(), loadOffline(), openDb()]).catch(() => undefined)}
          aria-label="Sign in"
          className="stack"
        >
          <label>
            {t('ui.userName')}
            <input value={user} onChange={(e) => setUser(e.target.value)} autoComplete="username" autoCapitalize="none" spellCheck={false} />
          </label>
          <label>
            {t('ui.pin')}
            <input ref={pinInput} value={pin} onChange={(e) => setPin(e.target.value)} type="password" inputMode="numeric" autoComplete="current-password" />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? t('ui.signingIn') : reset ? 'Re-register and send' : t('ui.signIn')}
          </button>
        </form>
        {reset ? (
          <section aria-label="Scans not yet delivered" className="stack">
            <h2>Scans not yet delivered ({reset.length})</h2>
            <p className="muted">
              They are sent again under this handheld's new registration, in this order. Any the server already holds are not counted twice.
            </p>
            <ol>
              {reset.map((e) => (
                <li key={e.id}>
                  {e.type} by {e.actor} at {e.occurredAt}
                </li>
              ))}
            </ol>
          </section>
        ) : null}
      </main>
      <div className="dock">
        <FeedbackBanner />
        <ScanBar
          onScan={(scan) => {
            if (scan.kind !== 'badge') {
              show({ tone: 'wrong', code: 'signin.scanBadge', params: {} });
              playFeedback('wrong');
              return;
            }
            setUser(scan.user);
            show({ tone: 'accepted', code: 'signin.badge', params: { user: scan.user } });
            playFeedback('accepted');
            pinInput.current?.focus();
          }}
        />
      </div>
    </div>
  );
}
