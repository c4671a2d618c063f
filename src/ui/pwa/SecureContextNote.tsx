import { noteStyle } from './styles.ts';

/**
 * Browsers give the camera (and the service worker) only to secure pages: https, or
 * localhost. Opened over plain http on the warehouse network, the app says so and how to fix it.
 */
export function SecureContextNote() {
  if (window.isSecureContext) return null;
  const httpsUrl = `https://${window.location.host}${window.location.pathname}`;
  return (
    <p role="note" style={noteStyle}>
      <strong>Camera scanning needs HTTPS.</strong> This page is open over plain HTTP, so the camera and offline start are off; a hardware (keyboard) scanner
      still works. Ask for the app to be served over HTTPS and open <span style={{ fontFamily: 'monospace' }}>{httpsUrl}</span>.
    </p>
  );
}
