import { useRef, useState, type FormEvent } from 'react';
import { deleteMeta } from '../../device/db.ts';
import type { StoredEvent } from '../../device/db.ts';
import { reRegister, signIn, undeliveredEvents, type SignInResult } from '../../device/session.ts';
import { useDevice } from '../app/device.ts';
import { playFeedback } from '../feedback/sound.ts';
import { FeedbackBanner } from '../shell/FeedbackBanner.tsx';
import { ScanBar } from '../shell/ScanBar.tsx';
import { useSession } from '../session/store.ts';

/** Sign-in by badge scan (`U:name`, then the PIN) or by user name and PIN. */
export function SignInScreen() {
  const { db, http, engine } = useDevice();
  const setSession = useSession((s) => s.setSession);
  const show = useSession((s) => s.show);
  const [user, setUser] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  /** Set when the API said a supervisor reset this handheld: its undelivered scans, shown before they go again. */
  const [reset, setReset] = useState<StoredEvent[] | null>(null);
  const pinInput = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!user.trim() || !pin) {
      show({ tone: 'wrong', message: !user.trim() ? 'Enter your user name or scan your badge' : 'Enter your PIN' });
      playFeedback('wrong');
      return;
    }
    setBusy(true);
    const creds = { user: user.trim(), pin };
    const result = reset ? await reRegister(db, http, creds, new Date()) : await signIn(db, http, creds, new Date());
    setBusy(false);
    if (!result.ok && result.reset) {
      setReset(await undeliveredEvents(db));
      show({ tone: 'supervisor', message: 'A supervisor reset this handheld. Sign in again to re-register it and send the scans below.' });
      playFeedback('supervisor');
      return;
    }
    await finish(result);
  };

  const finish = async (result: SignInResult) => {
    if (!result.ok) {
      setPin('');
      show({ tone: 'wrong', message: `Sign-in failed: ${result.message}` });
      playFeedback('wrong');
      return;
    }
    // Work is per user: the cursor of the previous user's pull would make the API answer "unchanged".
    await deleteMeta(db, 'pullCursor');
    setSession({ user: result.session.user, token: result.session.token });
    setReset(null);
    // A re-registration changed the device id: the engine starts again under the new one.
    await engine.stop();
    await engine.start();
    engine.resume();
    playFeedback('accepted');
  };

  return (
    <div className="screen">
      <header className="topbar">
        <h1>Floor Scanner: sign in</h1>
      </header>
      <main className="content">
        <FeedbackBanner />
        <p className="muted">Scan your badge, or type your user name, then your PIN.</p>
        <form onSubmit={(e) => void submit(e)} aria-label="Sign in" className="stack">
          <label>
            User name
            <input value={user} onChange={(e) => setUser(e.target.value)} autoComplete="username" autoCapitalize="none" spellCheck={false} />
          </label>
          <label>
            PIN
            <input ref={pinInput} value={pin} onChange={(e) => setPin(e.target.value)} type="password" inputMode="numeric" autoComplete="current-password" />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : reset ? 'Re-register and send' : 'Sign in'}
          </button>
        </form>
        {reset ? (
          <section aria-label="Scans not yet delivered" className="stack">
            <h2>Scans not yet delivered ({reset.length})</h2>
            <p className="muted">They are sent again under this handheld's new registration, in this order. Any the server already holds are not counted twice.</p>
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
      <ScanBar
        onScan={(scan) => {
          if (scan.kind !== 'badge') {
            show({ tone: 'wrong', message: 'Scan your badge (U:name) to sign in' });
            playFeedback('wrong');
            return;
          }
          setUser(scan.user);
          show({ tone: 'accepted', message: `Badge ${scan.user}: enter your PIN` });
          playFeedback('accepted');
          pinInput.current?.focus();
        }}
      />
    </div>
  );
}
