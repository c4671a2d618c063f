/**
 * Offline sign-in on the device (issue 13), against the real API in process: the grant and the
 * PIN verifier kept after an online sign-in, a sign-in without the network with the right PIN,
 * bounded wrong PINs, expiry, and the events recorded offline delivered later by the engine
 * under the next online session and accepted centrally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiClient } from '../../src/device/api/client.ts';
import { deviceIdOf, getMeta } from '../../src/device/db.ts';
import { appendEvent, pendingEvents } from '../../src/device/event-log.ts';
import { MAX_OFFLINE_ATTEMPTS, offlineLoginOf, offlineSignIn, rememberForOffline } from '../../src/device/offline-signin.ts';
import { signIn, signOut } from '../../src/device/session.ts';
import { ManualEnvironment } from '../../src/device/sync/environment.ts';
import { SyncEngine } from '../../src/device/sync/engine.ts';
import { processLock } from '../../src/device/sync/lock.ts';
import { fetchStream } from '../../src/device/sync/stream.ts';
import { RealApi } from './real-api.ts';
import { newDevice, pickHeld, until } from './helpers.ts';

let api: RealApi;
beforeAll(async () => {
  api = await RealApi.start();
});
afterAll(async () => {
  await api?.close();
});

/** A handheld where `user` signed in online once and the device kept what offline sign-in needs. */
async function signedInOnceOnline(user = 'picker', pin = '1111') {
  const db = newDevice();
  const http = httpApiClient(api.client());
  const res = await signIn(db, http, { user, pin }, new Date());
  if (!res.ok) throw new Error(res.message);
  expect(await rememberForOffline(db, http, res.session, pin, await deviceIdOf(db))).toBe(true);
  await signOut(db, http);
  return { db, http };
}

describe('offline sign-in on the handheld', () => {
  it('keeps a PBKDF2 verifier of its own (never the PIN, never the server hash) and the signed grant', async () => {
    const { db } = await signedInOnceOnline();
    const login = await offlineLoginOf(db, 'picker');
    expect(login).toMatchObject({ user: { id: 'picker' }, iterations: 310_000, failures: 0 });
    expect(login?.grant).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(JSON.stringify(await db.settings.toArray())).not.toMatch(/"1111"/);
    expect(await offlineLoginOf(db, 'receiver')).toBeUndefined();
  });

  it('signs in without the network with the right PIN; the events recorded carry the grant and are accepted once delivered', async () => {
    const { db, http } = await signedInOnceOnline();
    const line = await api.pickLine('SKU-1003', 'A-02-01', 10);
    const out = await offlineSignIn(db, { user: 'picker', pin: '1111' }, new Date());
    expect(out.ok).toBe(true);
    const session = await getMeta(db, 'session');
    expect(session).toMatchObject({ token: '', user: { id: 'picker' } });
    expect(session?.offline?.grant).toBeTruthy();
    const stored = await appendEvent(db, pickHeld(1, { sku: 'SKU-1003', bin: 'A-02-01', qty: 2, line }), { actor: 'picker', now: new Date() });
    expect(stored).toMatchObject({ session: session?.id, grant: session?.offline?.grant });

    // The engine does not send with an offline session: it waits for an online sign-in.
    const env = new ManualEnvironment(true);
    const engine = new SyncEngine({ db, api: http, env, lock: processLock(), stream: fetchStream(api.url), backoffBaseMs: 5, backoffCapMs: 50 });
    await engine.start();
    await until(() => engine.status().phase === 'needs_sign_in', 'waits for an online sign-in');
    expect(await pendingEvents(db)).toHaveLength(1);
    // The network is back: someone signs in online; the queue goes, the API accepts the picker's offline pick.
    const online = await signIn(db, http, { user: 'receiver', pin: '2222' }, new Date());
    expect(online.ok).toBe(true);
    engine.resume();
    await until(async () => (await pendingEvents(db)).length === 0, 'delivered');
    const row = (await api.ledger('supervisor')).find((r) => r.id === stored.id);
    expect(row).toMatchObject({ actor: 'picker', status: 'applied' });
    await engine.stop();
  });

  it(`locks after ${MAX_OFFLINE_ATTEMPTS} wrong PINs (the right one no longer opens it) until the next online sign-in`, async () => {
    const { db, http } = await signedInOnceOnline();
    for (let i = 1; i < MAX_OFFLINE_ATTEMPTS; i++) {
      expect(await offlineSignIn(db, { user: 'picker', pin: '9999' }, new Date())).toEqual({
        ok: false,
        code: 'signin.offlineWrong',
        left: MAX_OFFLINE_ATTEMPTS - i,
      });
    }
    expect(await offlineSignIn(db, { user: 'picker', pin: '9999' }, new Date())).toEqual({ ok: false, code: 'signin.offlineLocked' });
    expect(await offlineSignIn(db, { user: 'picker', pin: '1111' }, new Date())).toEqual({ ok: false, code: 'signin.offlineLocked' });
    expect(await getMeta(db, 'session')).toBeUndefined();
    // An online sign-in renews it.
    const res = await signIn(db, http, { user: 'picker', pin: '1111' }, new Date());
    if (!res.ok) throw new Error(res.message);
    await rememberForOffline(db, http, res.session, '1111', await deviceIdOf(db));
    await signOut(db, http);
    expect((await offlineSignIn(db, { user: 'picker', pin: '1111' }, new Date())).ok).toBe(true);
  });

  it('refuses a user who never signed in online here, and a grant past its expiry', async () => {
    const { db } = await signedInOnceOnline();
    expect(await offlineSignIn(db, { user: 'receiver', pin: '2222' }, new Date())).toEqual({ ok: false, code: 'signin.offlineUnknown' });
    const later = new Date(Date.now() + 13 * 3_600_000);
    expect(await offlineSignIn(db, { user: 'picker', pin: '1111' }, later)).toMatchObject({ ok: false, code: 'signin.offlineExpired' });
    // An expired attempt is not a wrong PIN.
    expect((await offlineLoginOf(db, 'picker'))?.failures).toBe(0);
  });
});
