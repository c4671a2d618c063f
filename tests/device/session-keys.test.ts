/**
 * The handheld's device key against the real API: made non-extractable at the first sign-in and
 * kept in IndexedDB, every sign-in signing a fresh challenge; a browser without WebCrypto takes the
 * secret path; a handheld holding a secret moves to a key; a reset device re-registers with its key.
 */
import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceIdOf, getMeta, openFloorDb } from '../../src/device/db.ts';
import { reRegister, signIn } from '../../src/device/session.ts';
import { httpApiClient } from '../../src/device/api/client.ts';
import { RealApi } from './real-api.ts';
import { newBackend, newDevice } from './helpers.ts';

let api: RealApi;
beforeAll(async () => {
  api = await RealApi.start();
});
afterAll(async () => {
  await api?.close();
});
const now = () => new Date();
const creds = { user: 'picker', pin: '1111' };
const rawSignIn = (body: Record<string, unknown>) =>
  fetch(`${api.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...creds, ...body }) });

describe('device key', () => {
  it('is made non-extractable at the first sign-in, kept across a reopened database, and signs every sign-in', async () => {
    const backend = newBackend();
    const db = newDevice({ name: 'floor-key-1', backend });
    const client = httpApiClient(api.client());
    expect((await signIn(db, client, creds, now())).ok).toBe(true);
    const key = await getMeta(db, 'deviceKey');
    expect(key?.privateKey.type).toBe('private');
    expect(key?.privateKey.extractable).toBe(false);
    await expect(webcrypto.subtle.exportKey('jwk', key!.privateKey as webcrypto.CryptoKey)).rejects.toThrow();
    // A key registration: there is no secret to copy.
    expect(await getMeta(db, 'deviceSecret')).toBeUndefined();
    const id = await deviceIdOf(db);
    db.close();
    // The same storage opened again (a reload): the stored CryptoKey still signs, still not extractable.
    const again = openFloorDb('floor-key-1', { backend, newDeviceId: () => 'never-used' });
    expect(await deviceIdOf(again)).toBe(id);
    expect((await getMeta(again, 'deviceKey'))?.privateKey.extractable).toBe(false);
    expect((await signIn(again, client, creds, now())).ok).toBe(true);
    // Naming the device without a signature proves nothing.
    expect((await rawSignIn({ deviceId: id })).status).toBe(403);
  });

  it('takes the secret path where there is no WebCrypto, and moves to a key once there is', async () => {
    const db = newDevice();
    const client = httpApiClient(api.client());
    expect((await signIn(db, client, creds, now(), { crypto: null })).ok).toBe(true);
    const secret = await getMeta(db, 'deviceSecret');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await getMeta(db, 'deviceKey')).toBeUndefined();
    expect((await signIn(db, client, creds, now(), { crypto: null })).ok).toBe(true);
    // A browser with WebCrypto: the secret proves the move to a key, then is forgotten, and no longer signs in.
    expect((await signIn(db, client, creds, now())).ok).toBe(true);
    expect((await getMeta(db, 'deviceKey'))?.privateKey.extractable).toBe(false);
    expect(await getMeta(db, 'deviceSecret')).toBeUndefined();
    const copied = await rawSignIn({ deviceId: await deviceIdOf(db), deviceSecret: secret });
    expect(copied.status).toBe(403);
    expect((await signIn(db, client, creds, now())).ok).toBe(true);
  });

  it('re-registers a reset device under a new id, proving the old registration with its key', async () => {
    const db = newDevice();
    const client = httpApiClient(api.client());
    expect((await signIn(db, client, creds, now())).ok).toBe(true);
    const oldId = await deviceIdOf(db);
    const sup = await api.signIn('supervisor', '3333', '0190a0b0-fff1-7000-8000-00000000fff1');
    expect((await fetch(`${api.url}/api/v1/devices/${oldId}/reset`, { method: 'POST', headers: { authorization: `Bearer ${sup}` } })).status).toBe(200);
    const told = await signIn(db, client, creds, now());
    expect(told.ok).toBe(false);
    expect(!told.ok && told.reset).toBe(true);
    const key = await getMeta(db, 'deviceKey');
    const done = await reRegister(db, client, creds, now(), { newDeviceId: () => '0190a0b0-7777-7000-8000-000000007777' });
    expect(done).toMatchObject({ ok: true });
    expect(await deviceIdOf(db)).toBe('0190a0b0-7777-7000-8000-000000007777');
    // The same key, now registered under the new id; still no secret.
    expect((await getMeta(db, 'deviceKey'))?.publicKey).toBe(key?.publicKey);
    expect(await getMeta(db, 'deviceSecret')).toBeUndefined();
    expect((await signIn(db, client, creds, now())).ok).toBe(true);
  });
});
