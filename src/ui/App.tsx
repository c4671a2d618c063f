import { lazy, Suspense, useEffect, useMemo, useState, type ComponentType } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { currentSession, readStartState } from '../device/stored-session.ts';
import type { MetaValues } from '../device/db.ts';
import { browserDeviceParts, browserEngine, DeviceContext, type Device, type DeviceParts } from './app/device.ts';
import { paths, segment, useGo } from './app/routes.ts';
import { applyLanguage, applyUserLanguage, languageKey, useT } from './i18n/i18n.ts';
import { useSession } from './session/store.ts';
import { SignInScreen } from './signin/SignInScreen.tsx';
import { useOfflineUpgrade } from './signin/offline-upgrade.ts';
import './shell/theme.css';

const loaders: (() => Promise<unknown>)[] = [];

/**
 * A screen loaded when first opened: a worker's first download carries only the shell and
 * sign-in. Once signed in, the rest is fetched while the device is idle (from the service
 * worker's cache when offline), so moving between screens never waits on it.
 */
function screen<P extends object>(load: () => Promise<ComponentType<P>>) {
  loaders.push(load);
  return lazy(async () => ({ default: await load() }));
}

function prefetchScreens(): void {
  const run = () => loaders.forEach((load) => void load().catch(() => undefined));
  if (typeof requestIdleCallback === 'function') requestIdleCallback(run, { timeout: 2000 });
  else setTimeout(run, 200);
}

const HomeScreen = screen(() => import('./home/HomeScreen.tsx').then((m) => m.HomeScreen));
const PickListsScreen = screen(() => import('./pick/PickListsScreen.tsx').then((m) => m.PickListsScreen));
const PickScreen = screen(() => import('./pick/PickScreen.tsx').then((m) => m.PickScreen));
const CountTasksScreen = screen(() => import('./count/CountTasksScreen.tsx').then((m) => m.CountTasksScreen));
const CountScreen = screen(() => import('./count/CountScreen.tsx').then((m) => m.CountScreen));
const BinCountScreen = screen(() => import('./count/CountScreen.tsx').then((m) => m.BinCountScreen));
const ReceiptsScreen = screen(() => import('./receiving/ReceiptsScreen.tsx').then((m) => m.ReceiptsScreen));
const ReceivingScreen = screen(() => import('./receiving/ReceivingScreen.tsx').then((m) => m.ReceivingScreen));
const QcReleaseScreen = screen(() => import('./qc/QcReleaseScreen.tsx').then((m) => m.QcReleaseScreen));
const ReturnScreen = screen(() => import('./returns/ReturnScreen.tsx').then((m) => m.ReturnScreen));
const DecisionsScreen = screen(() => import('./supervisor/DecisionsScreen.tsx').then((m) => m.DecisionsScreen));
const ExceptionsScreen = screen(() => import('./supervisor/ExceptionsScreen.tsx').then((m) => m.ExceptionsScreen));
const SyncScreen = screen(() => import('./shell/SyncScreen.tsx').then((m) => m.SyncScreen));
const CalibrationPage = screen(() => import('./calibration/CalibrationPage.tsx').then((m) => m.CalibrationPage));

/** The back office: desktop screens for supervisors and admins, never prefetched on a handheld. */
const BackOffice = lazy(() => import('./backoffice/BackOffice.tsx').then((m) => ({ default: m.BackOffice })));
/** The control room: the supervisors' board, stock and alerts, never prefetched on a handheld. */
const ControlRoom = lazy(() => import('./control/ControlRoom.tsx').then((m) => ({ default: m.ControlRoom })));

/** The scan helper's calibration page, a full screen of its own. */
function ScannerSetUp() {
  const go = useGo();
  return <CalibrationPage onDone={() => go(paths.home)} />;
}

function Loading() {
  const { t } = useT();
  return <p aria-busy="true">{t('ui.loading')}</p>;
}

/** One address per screen; an unknown address goes home. */
function Screens() {
  return (
    <Suspense fallback={<Loading />}>
      <Switch>
        <Route path={paths.home} component={HomeScreen} />
        <Route path={paths.pickLists} component={PickListsScreen} />
        <Route path="/pick/:id">{(p) => <PickScreen key={p.id} pickListId={segment(p.id)} />}</Route>
        <Route path={paths.countTasks} component={CountTasksScreen} />
        <Route path="/count/bin/:bin">{(p) => <BinCountScreen key={p.bin} bin={segment(p.bin)} />}</Route>
        <Route path="/count/:id">{(p) => <CountScreen key={p.id} taskId={segment(p.id)} />}</Route>
        <Route path={paths.receipts} component={ReceiptsScreen} />
        <Route path="/receive/:id">
          {(p) => <ReceivingScreen key={p.id} receiptId={segment(p.id)} sscc={new URLSearchParams(location.search).get('pallet')} />}
        </Route>
        <Route path={paths.qc} component={QcReleaseScreen} />
        <Route path={paths.returns} component={ReturnScreen} />
        <Route path={paths.decisions} component={DecisionsScreen} />
        <Route path={paths.exceptions} component={ExceptionsScreen} />
        <Route path={paths.sync} component={SyncScreen} />
        <Route path={paths.scanner} component={ScannerSetUp} />
        <Route path={paths.backOffice} component={BackOffice} />
        <Route path="/control/:page?">{(p) => <ControlRoom pageId={p.page ? segment(p.page) : undefined} />}</Route>
        <Route>
          <Redirect to={paths.home} replace />
        </Route>
      </Switch>
    </Suspense>
  );
}

/**
 * The stored session, its user's language applied: from a given device's database, or (the page)
 * straight from IndexedDB, so the first screen does not wait for the database library.
 */
async function startSession(device: Device | undefined): Promise<MetaValues['session'] | undefined> {
  if (device) {
    const s = await currentSession(device.db);
    if (s) await applyUserLanguage(device.db, s.user.id).catch(() => undefined);
    return s;
  }
  const { session, settings } = await readStartState((userId) => [languageKey(userId)]);
  if (session) await applyLanguage(settings.get(languageKey(session.user.id))).catch(() => undefined);
  return session;
}

/**
 * The app shell: the device, the stored session (and its user's language), and the screen at
 * this address. The sync engine starts with the first signed-in screen: signed out it has
 * nothing to send, and its code is not part of the first download.
 */
export function App({ device }: { device?: Device }) {
  const [parts] = useState<DeviceParts>(() => (device ? { ...device, openDb: () => Promise.resolve(device.db) } : browserDeviceParts()));
  const [started, setStarted] = useState<Pick<Device, 'db' | 'api' | 'engine'> | undefined>(device);
  const [engineError, setEngineError] = useState<string>();
  const session = useSession((s) => s.session);
  const setSession = useSession((s) => s.setSession);
  const { t } = useT();
  useEffect(() => {
    let live = true;
    void startSession(device).then((s) => {
      if (live) setSession(s ? { user: s.user, token: s.token } : null);
    });
    return () => {
      live = false;
    };
  }, [device, setSession]);
  const signedIn = Boolean(session);
  useEffect(() => {
    if (!signedIn) return;
    prefetchScreens();
    if (started) return;
    let live = true;
    browserEngine().then(
      (e) => live && setStarted(e),
      (err: unknown) => live && setEngineError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [signedIn, started]);
  const value = useMemo(() => (started ? { ...parts, ...started } : parts), [parts, started]);
  return (
    <DeviceContext.Provider value={value}>
      {session === undefined ? (
        <p aria-busy="true">{t('ui.starting')}</p>
      ) : session === null ? (
        <SignInScreen />
      ) : started ? (
        <SignedIn />
      ) : engineError ? (
        <p role="alert">{engineError}</p>
      ) : (
        <Loading />
      )}
    </DeviceContext.Provider>
  );
}

/** The signed-in screens under a started engine; a session signed in offline signs in online once it can. */
function SignedIn() {
  useOfflineUpgrade();
  return <Screens />;
}
