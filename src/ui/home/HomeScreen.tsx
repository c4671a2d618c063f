import { signOut } from '../../device/session.ts';
import { tilesFor } from './tiles.ts';
import { useDevice } from '../app/device.ts';
import { paths, useGo } from '../app/routes.ts';
import { chooseLanguage, LANGUAGES, switchLanguage, useT, type Language } from '../i18n/i18n.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession, useSignedIn } from '../session/store.ts';
import { forgetUpgrade } from '../signin/offline-upgrade.ts';
import { OfflineReady } from '../signin/OfflineReady.tsx';

export function HomeScreen() {
  const { db, api, engine } = useDevice();
  const { user } = useSignedIn();
  const go = useGo();
  const { t, language } = useT();
  const setSession = useSession((s) => s.setSession);
  const leave = async () => {
    // The queue stays in the event log: the next user's session sends it.
    forgetUpgrade();
    await signOut(db, api);
    await switchLanguage('en');
    setSession(null);
    engine.kick();
  };
  return (
    <Screen title={t('ui.hello', { name: user.name })}>
      <nav aria-label={t('ui.workflows')} className="tiles">
        {tilesFor(user.roles).map((tile) => (
          <button key={tile.label} type="button" onClick={() => go(tile.path)}>
            {t(tile.label)}
          </button>
        ))}
      </nav>
      <div className="row">
        <button type="button" className="secondary" onClick={() => go(paths.scanner)}>
          {t('ui.scannerSetUp')}
        </button>
        <button type="button" className="secondary" onClick={() => void leave()}>
          {t('ui.signOut')}
        </button>
      </div>
      <label>
        {t('ui.language')}
        <select value={language} onChange={(e) => void chooseLanguage(db, user.id, e.target.value as Language)}>
          {LANGUAGES.map((l) => (
            <option key={l.code} value={l.code} lang={l.code}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      <p className="muted">{t('ui.signedInAs', { name: user.name, roles: user.roles.join(', ') })}</p>
      <OfflineReady userId={user.id} />
    </Screen>
  );
}
