/**
 * Serving over HTTPS on the warehouse network (the server's TLS_CERT / TLS_KEY, here the
 * same `tls` option): a handheld opening the app by a LAN name gets a secure context, so
 * the service worker installs and the camera is allowed; no "needs HTTPS" note.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { selfSignedCertificate } from '../fixtures/certificate.ts';
import { chromium } from 'playwright-core';
import { afterEach, expect, test } from 'vitest';
import { CHROMIUM_ARGS, ensureBuilt, ensureChromium, startTestServer } from './harness.ts';
import type { ServerHandle } from './harness.ts';

const HOST = 'scanner.warehouse.test';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A certificate for HOST, and the hash of its key that Chromium is told to trust. */
function makeCertificate(): { cert: string; key: string; spki: string } {
  const { cert, key } = selfSignedCertificate(HOST, `DNS:${HOST}`);
  // Chromium trusts exactly this key (as a handheld with the warehouse's CA installed would).
  const der = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return { cert, key, spki: createHash('sha256').update(der).digest('base64') };
}

test('over HTTPS by a LAN name: secure context, worker installed, camera allowed, no HTTPS note', async () => {
  const { cert, key, spki } = makeCertificate();
  const server: ServerHandle = await startTestServer({ staticDir: await ensureBuilt(), tls: { cert, key } });
  cleanups.push(() => server.close());
  const { port, protocol } = new URL(server.url);
  expect(protocol).toBe('https:');

  const browser = await chromium.launch({
    executablePath: ensureChromium(),
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${spki}`],
  });
  cleanups.push(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  const url = `https://${HOST}:${port}/`;
  await page.goto(url);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();

  expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
  expect(await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.scriptURL ?? null))).toBe(`${url}sw.js`);
  expect(await page.evaluate(() => typeof navigator.mediaDevices?.getUserMedia)).toBe('function');
  expect(await page.getByText('Camera scanning needs HTTPS').count()).toBe(0);
});
