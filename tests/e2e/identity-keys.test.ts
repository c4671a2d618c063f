import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApp, type App } from './harness.ts';
import { openApp, signIn, signOut } from '../ui/floor-steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ viewport: { width: 360, height: 740 } });
});
afterAll(async () => {
  await app?.close();
});

type KeyView = {
  isCryptoKey: boolean;
  type: string;
  extractable: boolean;
  curve: string;
  usages: string[];
  exported: string;
  publicKey: string;
  secret: boolean;
};

/** What the handheld keeps in IndexedDB (meta `deviceKey`, `deviceSecret`), read in the page as any script could. */
const storedKey = () =>
  app.page.evaluate(
    () =>
      new Promise<KeyView>((resolve, reject) => {
        const open = indexedDB.open('floor-scanner');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('meta', 'readonly');
          const keyRow = tx.objectStore('meta').get('deviceKey');
          const secretRow = tx.objectStore('meta').get('deviceSecret');
          tx.oncomplete = () => {
            open.result.close();
            const value = (keyRow.result as { value: { privateKey: CryptoKey; publicKey: string } } | undefined)?.value;
            if (!value) return reject(new Error('no device key stored'));
            const key = value.privateKey;
            // Try to read the private key out, in every format: all must fail.
            Promise.allSettled((['pkcs8', 'jwk', 'raw'] as const).map((f) => crypto.subtle.exportKey(f as 'jwk', key)))
              .then((tries) =>
                resolve({
                  isCryptoKey: key instanceof CryptoKey,
                  type: key.type,
                  extractable: key.extractable,
                  curve: (key.algorithm as EcKeyAlgorithm).namedCurve,
                  usages: [...key.usages],
                  exported: tries.map((t) => t.status).join(','),
                  publicKey: value.publicKey,
                  secret: secretRow.result !== undefined,
                }),
              )
              .catch(reject);
          };
        };
      }),
  );

test('the handheld keeps a non-extractable key in IndexedDB, registers it, and signs in with it after a reload', async () => {
  const { page, api } = app;
  await openApp(page, app.baseUrl);
  const challenges: string[] = [];
  const signIns: Record<string, unknown>[] = [];
  page.on('request', (req) => {
    if (req.method() !== 'POST') return;
    if (req.url().endsWith('/api/v1/sessions/challenge')) challenges.push(req.url());
    if (req.url().endsWith('/api/v1/sessions')) signIns.push(req.postDataJSON() as Record<string, unknown>);
  });
  await signIn(page, 'picker', '1111');
  const first = await storedKey();
  expect(first).toMatchObject({ isCryptoKey: true, type: 'private', extractable: false, curve: 'P-256', usages: ['sign'], secret: false });
  expect(first.exported).toBe('rejected,rejected,rejected');
  // The sign-in carried the public key and a signed challenge, never a secret; the API answered none.
  expect(signIns).toHaveLength(1);
  expect(Object.keys(signIns[0]!).sort()).toEqual(['challenge', 'deviceId', 'pin', 'publicKey', 'signature', 'user']);
  expect(signIns[0]!.publicKey).toBe(first.publicKey);
  const deviceId = signIns[0]!.deviceId as string;

  // Naming the device's id proves nothing: a sign-in without its key's signature is refused.
  const stranger = await fetch(`${api.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'picker', pin: '1111', deviceId }),
  });
  expect(stranger.status).toBe(403);

  await signOut(page);
  await page.reload();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await signIn(page, 'picker', '1111');
  // The same stored key, still not extractable, signed a fresh challenge.
  const after = await storedKey();
  expect(after).toMatchObject({ extractable: false, publicKey: first.publicKey, secret: false });
  expect(challenges).toHaveLength(2);
  expect(signIns).toHaveLength(2);
  expect(signIns[1]!.deviceId).toBe(deviceId);
  expect(signIns[1]!.challenge).not.toBe(signIns[0]!.challenge);
  const sessions = (await api.get<{ sessions: { deviceId: string; userId: string }[] }>('/api/v1/sessions')).sessions.filter((s) => s.deviceId === deviceId);
  expect(sessions.map((s) => s.userId)).toEqual(['picker', 'picker']);
});
