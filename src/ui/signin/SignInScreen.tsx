import { useRef, useState, type FormEvent } from 'react';
import { deleteMeta } from '../../device/db.ts';
import { signIn } from '../../device/session.ts';
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
  const pinInput = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!user.trim() || !pin) {
      show({ tone: 'wrong', message: !user.trim() ? 'Enter your user name or scan your badge' : 'Enter your PIN' });
      playFeedback('wrong');
      return;
    }
    setBusy(true);
    const result = await signIn(db, http, { user: user.trim(), pin }, new Date());
    setBusy(false);
    if (!result.ok) {
      setPin('');
      show({ tone: 'wrong', message: `Sign-in failed: ${result.message}` });
      playFeedback('wrong');
      return;
    }
    // Work is per user: the cursor of the previous user's pull would make the API answer "unchanged".
    await deleteMeta(db, 'pullCursor');
    setSession({ user: result.session.user, token: result.session.token });
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
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
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
