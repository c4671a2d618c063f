import { useEffect, useState } from 'react';
import { currentSession } from '../device/session.ts';
import { browserDevice, DeviceContext, type Device } from './app/device.ts';
import { CalibrationPage } from './calibration/CalibrationPage.tsx';
import { CountScreen } from './count/CountScreen.tsx';
import { CountTasksScreen } from './count/CountTasksScreen.tsx';
import { HomeScreen } from './home/HomeScreen.tsx';
import { PickListsScreen } from './pick/PickListsScreen.tsx';
import { PickScreen } from './pick/PickScreen.tsx';
import { QcReleaseScreen } from './qc/QcReleaseScreen.tsx';
import { ReceiptsScreen } from './receiving/ReceiptsScreen.tsx';
import { ReceivingScreen } from './receiving/ReceivingScreen.tsx';
import { ReturnScreen } from './returns/ReturnScreen.tsx';
import { useSession, type Route } from './session/store.ts';
import { SignInScreen } from './signin/SignInScreen.tsx';
import { DecisionsScreen } from './supervisor/DecisionsScreen.tsx';
import { ExceptionsScreen } from './supervisor/ExceptionsScreen.tsx';
import { SyncScreen } from './shell/SyncScreen.tsx';
import './shell/theme.css';

/** The scan helper's calibration page, a full screen of its own. */
function ScannerSetUp() {
  const go = useSession((s) => s.go);
  return <CalibrationPage onDone={() => go({ name: 'home' })} />;
}

function RouteView({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomeScreen />;
    case 'pickLists':
      return <PickListsScreen />;
    case 'pick':
      return <PickScreen pickListId={route.pickListId} />;
    case 'countTasks':
      return <CountTasksScreen />;
    case 'count':
      return <CountScreen taskId={route.taskId} />;
    case 'receipts':
      return <ReceiptsScreen />;
    case 'receive':
      return <ReceivingScreen receiptId={route.receiptId} sscc={route.sscc} />;
    case 'qc':
      return <QcReleaseScreen />;
    case 'returns':
      return <ReturnScreen />;
    case 'decisions':
      return <DecisionsScreen />;
    case 'exceptions':
      return <ExceptionsScreen />;
    case 'sync':
      return <SyncScreen />;
    case 'scanner':
      return <ScannerSetUp />;
  }
}

/** The app shell: the device, the stored session, and the screen for the current route. */
export function App({ device }: { device?: Device }) {
  const [dev] = useState(() => device ?? browserDevice());
  const session = useSession((s) => s.session);
  const route = useSession((s) => s.route);
  const setSession = useSession((s) => s.setSession);
  useEffect(() => {
    let live = true;
    void currentSession(dev.db).then((s) => {
      if (live) setSession(s ? { user: s.user, token: s.token } : null);
    });
    return () => {
      live = false;
    };
  }, [dev, setSession]);
  return (
    <DeviceContext.Provider value={dev}>
      {session === undefined ? <p aria-busy="true">Starting…</p> : session === null ? <SignInScreen /> : <RouteView key={JSON.stringify(route)} route={route} />}
    </DeviceContext.Provider>
  );
}
