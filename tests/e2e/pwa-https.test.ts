/**
 * Serving over HTTPS on the warehouse network (the server's TLS_CERT / TLS_KEY, here the
 * same `tls` option): a handheld opening the app by a LAN name gets a secure context, so
 * the service worker installs and the camera is allowed; no "needs HTTPS" note.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, expect, test } from 'vitest';
import { CHROMIUM_ARGS, ensureBuilt, ensureChromium, startTestServer } from './harness.ts';
import type { ServerHandle } from './harness.ts';

const HOST = 'scanner.warehouse.test';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A self-signed certificate for HOST, as a warehouse would make for its own network. */
function makeCertificate(dir: string): { cert: string; key: string; spki: string } {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${HOST}`,
      '-addext',
      `subjectAltName=DNS:${HOST}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certFile, 'utf8');
  // Chromium trusts exactly this key (as a handheld with the warehouse's CA installed would).
  const der = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return { cert, key: readFileSync(keyFile, 'utf8'), spki: createHash('sha256').update(der).digest('base64') };
}

test('over HTTPS by a LAN name: secure context, worker installed, camera allowed, no HTTPS note', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'floor-e2e-tls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const { cert, key, spki } = makeCertificate(dir);
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
