/**
 * Devices proven by a key (ECDSA P-256, private key made non-extractable, as the handheld makes
 * it): registration with a signed challenge, sign-ins that sign a fresh challenge, and every way
 * a hostile client may try it (replay, another device's challenge, a wrong key, a signature of
 * something else, an expired challenge, malformed keys and signatures): a clear 4xx, no session,
 * no change to the registration, never a 5xx. Old handhelds with a secret keep working and may
 * move to a key; a reset device re-registers with its key. On PostgreSQL a challenge issued by
 * one API process is taken by the other.
 */
import { webcrypto } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../fixtures/server-app.ts';
import { BACKEND_NAMES, DeviceEvents, T0, deviceId, openBackend, pickHeld, pickLine, startApp, type Backend } from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import { signInMessage, type SignInResponse } from '../../src/domain/protocol.ts';
import { CHALLENGE_MS } from '../../src/server/identity/device-key.ts';

const b64url = (bytes: ArrayBuffer): string => Buffer.from(bytes).toString('base64url');

/** A handheld's key as the PWA makes it: the private half cannot be exported. */
class KeyDevice {
  private constructor(
    readonly id: string,
    readonly keys: webcrypto.CryptoKeyPair,
    readonly publicKey: string,
  ) {}
  static async make(id: string): Promise<KeyDevice> {
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    return new KeyDevice(id, keys, b64url(await webcrypto.subtle.exportKey('spki', keys.publicKey)));
  }
  async signText(text: string): Promise<string> {
    return b64url(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.keys.privateKey, new TextEncoder().encode(text)));
  }
  sign(challenge: string, forDevice = this.id): Promise<string> {
    return this.signText(signInMessage(forDevice, challenge));
  }
}

type Answer = SignInResponse & { error?: string; message?: string; field?: string };
type Sessions = { sessions: { id: string; userId: string; deviceId: string }[] };

describe.each(BACKEND_NAMES)('devices proven by a key on %s', (name) => {
  let backend: Backend;
  let one: { app: App; client: Client };
  let two: { app: App; client: Client };
  let sup: string;
  let clock = T0;
  let n = 0x5100;

  beforeAll(async () => {
    backend = await openBackend(name);
    one = await startApp(backend, { now: () => clock });
    two = name === 'postgres' ? await startApp(backend, { now: () => clock }) : one;
    sup = await one.client.signIn('supervisor', deviceId(0x50ff));
  });
  afterAll(async () => {
    if (two !== one) await two?.app.close();
    await one?.app.close();
    await backend?.dispose();
  });

  const challenge = async (c: Client, device: string): Promise<string> => {
    const res = await c.request<{ challenge: string; expiresAt: string }>('POST', '/api/v1/sessions/challenge', { body: { deviceId: device } });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.expiresAt) - clock.getTime()).toBe(CHALLENGE_MS);
    return res.body.challenge;
  };
  const signIn = (c: Client, body: Record<string, unknown>) =>
    c.request<Answer>('POST', '/api/v1/sessions', { body: { user: 'picker', pin: '1111', ...body } });
  /** A sign-in as the handheld makes it: a fresh challenge, signed, with its public key. */
  const keySignIn = async (c: Client, dev: KeyDevice, user = 'picker', pin = '1111') => {
    const ch = await challenge(c, dev.id);
    return c.request<Answer>('POST', '/api/v1/sessions', {
      body: { user, pin, deviceId: dev.id, publicKey: dev.publicKey, challenge: ch, signature: await dev.sign(ch) },
    });
  };
  const sessionsOf = async (device: string) => (await one.client.get<Sessions>('/api/v1/sessions', sup)).body.sessions.filter((s) => s.deviceId === device);
  const registered = async (): Promise<KeyDevice> => {
    const dev = await KeyDevice.make(deviceId(++n));
    const first = await keySignIn(one.client, dev);
    expect(first.status).toBe(200);
    // A key registration answers no secret: there is nothing to copy.
    expect(first.body.deviceSecret).toBeUndefined();
    return dev;
  };

  it('registers a key with a signed challenge; later sign-ins sign fresh challenges, in any API process', async () => {
    const dev = await registered();
    const again = await keySignIn(two.client, dev);
    expect(again.status).toBe(200);
    // The session works: the device delivers under it.
    const events = new DeviceEvents(n, 'picker');
    const line = await pickLine(one.app.db, 'SKU-1001', 'A-01-01');
    const ev = events.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1, line.pickListId, line.lineId), 'picker', again.body.session);
    expect((await one.client.push(dev.id, again.body.token, [ev])).body).toEqual({ ackedSeq: 1, rejected: [] });
    // A challenge made by one process is taken by the other.
    const ch = await challenge(one.client, dev.id);
    expect((await signIn(two.client, { deviceId: dev.id, challenge: ch, signature: await dev.sign(ch) })).status).toBe(200);
    expect(await sessionsOf(dev.id)).toHaveLength(3);
  });

  it('refuses every forgery with a clear 4xx, and none of them opens a session or changes the registration', async () => {
    const dev = await registered();
    const other = await registered();
    const stranger = await KeyDevice.make(dev.id);
    const before = (await sessionsOf(dev.id)).length;
    const refused = async (what: string, body: Record<string, unknown>, status: number, code: string, message?: RegExp) => {
      const res = await signIn(two.client, { deviceId: dev.id, ...body });
      expect(res.status, what).toBe(status);
      expect(res.body.error, what).toBe(code);
      if (message) expect(res.body.message, what).toMatch(message);
    };

    // A replayed challenge: it worked once, and never again.
    const used = await challenge(one.client, dev.id);
    const usedSig = await dev.sign(used);
    expect((await signIn(one.client, { deviceId: dev.id, challenge: used, signature: usedSig })).status).toBe(200);
    const afterGood = (await sessionsOf(dev.id)).length;
    await refused('replayed challenge', { challenge: used, signature: usedSig }, 403, 'device_not_proven', /unknown, used or not for this device/);
    // Another device's challenge, signed by this device's key (and the message naming either id).
    const theirs = await challenge(one.client, other.id);
    await refused('challenge of another device', { challenge: theirs, signature: await dev.sign(theirs) }, 403, 'device_not_proven', /not for this device/);
    const theirs2 = await challenge(one.client, other.id);
    await refused('challenge of another device, its message', { challenge: theirs2, signature: await dev.sign(theirs2, other.id) }, 403, 'device_not_proven');
    // The other device's challenge stays usable by the other device: a stranger cannot burn it.
    expect((await signIn(one.client, { deviceId: other.id, challenge: theirs, signature: await other.sign(theirs) })).status).toBe(200);
    // A wrong key (the stranger's, even sent as publicKey), and the stranger's key with the real public key.
    let ch = await challenge(one.client, dev.id);
    await refused('wrong key', { challenge: ch, signature: await stranger.sign(ch), publicKey: stranger.publicKey }, 403, 'device_not_proven', /signature/);
    ch = await challenge(one.client, dev.id);
    await refused('wrong key, right public key', { challenge: ch, signature: await stranger.sign(ch), publicKey: dev.publicKey }, 403, 'device_not_proven');
    // The right key over something else: the bare challenge, another purpose, the challenge for another id.
    for (const text of [(c: string) => c, (c: string) => `floor-scanner sign-in v2\n${dev.id}\n${c}`, (c: string) => signInMessage(other.id, c)]) {
      ch = await challenge(one.client, dev.id);
      await refused('signature over something else', { challenge: ch, signature: await dev.signText(text(ch)) }, 403, 'device_not_proven', /signature/);
    }
    // An expired challenge, signed correctly.
    ch = await challenge(one.client, dev.id);
    clock = new Date(T0.getTime() + CHALLENGE_MS + 1);
    try {
      await refused('expired challenge', { challenge: ch, signature: await dev.sign(ch) }, 403, 'device_not_proven', /expired/);
    } finally {
      clock = T0;
    }
    // A made-up challenge of the right shape; the secret path on a key device (a secret cannot sign it in).
    await refused('made-up challenge', { challenge: 'A'.repeat(43), signature: await dev.sign('A'.repeat(43)) }, 403, 'device_not_proven');
    await refused('a secret on a key device', { deviceSecret: 'x'.repeat(43) }, 403, 'device_not_proven', /ask a supervisor to reset it/);
    await refused('no proof at all', {}, 403, 'device_not_proven');
    // Malformed: a 400 naming the field, before any check.
    ch = await challenge(one.client, dev.id);
    const sig = await dev.sign(ch);
    await refused('signature without challenge', { signature: sig }, 400, 'invalid_request');
    await refused('challenge without signature', { challenge: ch }, 400, 'invalid_request');
    await refused('short signature', { challenge: ch, signature: sig.slice(0, 80) }, 400, 'invalid_request');
    await refused('signature with bad characters', { challenge: ch, signature: `${sig.slice(0, 85)}=` }, 400, 'invalid_request');
    await refused('challenge too long', { challenge: `${ch}A`, signature: sig }, 400, 'invalid_request');
    await refused('a number for a signature', { challenge: ch, signature: 12 }, 400, 'invalid_request');
    // A signature of the right length that is no valid point pair: not proven (the challenge is used up).
    await refused('garbage signature', { challenge: ch, signature: 'A'.repeat(86) }, 403, 'device_not_proven');
    expect(afterGood).toBe(before + 1);
    expect((await sessionsOf(dev.id)).length).toBe(afterGood);
    // The genuine device still signs in: nothing above changed its registration or locked it out.
    expect((await keySignIn(one.client, dev)).status).toBe(200);
  });

  it('refuses malformed public keys at registration with a 400, and a key nobody proved holding with a 403', async () => {
    const dev = await KeyDevice.make(deviceId(++n));
    const ch = await challenge(one.client, dev.id);
    const sig = await dev.sign(ch);
    const rsa = await webcrypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign'],
    );
    const p384 = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign']);
    for (const [what, publicKey, status] of [
      ['garbage of the right shape', 'A'.repeat(120), 400],
      ['a truncated key', dev.publicKey.slice(0, 110), 400],
      ['an RSA key', b64url(await webcrypto.subtle.exportKey('spki', rsa.publicKey)), 400],
      ['a P-384 key', b64url(await webcrypto.subtle.exportKey('spki', p384.publicKey)), 400],
      ['too short', 'abc', 400],
      ['not a string', { kty: 'EC' }, 400],
    ] as const) {
      const res = await signIn(two.client, { deviceId: dev.id, publicKey, challenge: ch, signature: sig });
      expect(res.status, what).toBe(status);
      expect(res.body.field ?? res.body.error, what).toMatch(/publicKey|invalid_request/);
    }
    // A well-formed key without a signature made by it registers nothing.
    const bare = await signIn(two.client, { deviceId: dev.id, publicKey: dev.publicKey });
    expect(bare.status).toBe(403);
    expect(bare.body.message).toMatch(/fresh challenge signed by it/);
    const stranger = await KeyDevice.make(dev.id);
    const ch2 = await challenge(one.client, dev.id);
    const foreign = await signIn(two.client, { deviceId: dev.id, publicKey: dev.publicKey, challenge: ch2, signature: await stranger.sign(ch2) });
    expect(foreign.status).toBe(403);
    expect(await sessionsOf(dev.id)).toEqual([]);
    // The device itself then registers.
    expect((await keySignIn(one.client, dev)).status).toBe(200);
  });

  it('answers no junk body of sign-in or challenge with a 5xx', async () => {
    const dev = await registered();
    const ch = await challenge(one.client, dev.id);
    const bodies: unknown[] = [{ deviceId: 'not-a-uuid' }, { deviceId: '00000000-0000-0000-0000-000000000000' }, { deviceId: dev.id, extra: 1 }, [], 'x', null];
    for (const body of bodies) {
      const res = await one.client.request('POST', '/api/v1/sessions/challenge', { body });
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
    }
    const junk: Record<string, unknown>[] = [
      { challenge: ch, signature: '\u0000'.repeat(86) },
      { challenge: '\ud800'.repeat(43), signature: 'A'.repeat(86) },
      { challenge: ch, signature: 'A'.repeat(86), previous: { deviceId: dev.id, challenge: ch } },
      { challenge: ch, signature: 'A'.repeat(86), previous: { deviceId: dev.id, deviceSecret: 'x'.repeat(43), challenge: ch, signature: 'A'.repeat(86) } },
      { publicKey: 'A'.repeat(200), challenge: ch, signature: 'A'.repeat(86) },
      { publicKey: `${'A'.repeat(119)}_`, challenge: ch, signature: '_'.repeat(86) },
    ];
    for (const body of junk) {
      const res = await signIn(one.client, { deviceId: dev.id, ...body });
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
    }
  });

  it('keeps the secret path for old handhelds, and lets one move to a key (the secret then signs nothing in)', async () => {
    const id = deviceId(++n);
    const first = await one.client.signInAs('picker', id);
    expect(first.status).toBe(200);
    const secret = first.body.deviceSecret as string;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect((await signIn(two.client, { deviceId: id, deviceSecret: secret })).status).toBe(200);
    // A key alone does not take over a secret registration: the secret must come with it.
    const dev = await KeyDevice.make(id);
    const alone = await keySignIn(one.client, dev);
    expect(alone.status).toBe(403);
    expect(alone.body.error).toBe('device_not_proven');
    // With the secret and a signed challenge the key replaces the secret.
    const ch = await challenge(one.client, id);
    const moved = await signIn(two.client, { deviceId: id, deviceSecret: secret, publicKey: dev.publicKey, challenge: ch, signature: await dev.sign(ch) });
    expect(moved.status).toBe(200);
    expect(moved.body.deviceSecret).toBeUndefined();
    const old = await signIn(one.client, { deviceId: id, deviceSecret: secret });
    expect(old.status).toBe(403);
    expect(old.body.error).toBe('device_not_proven');
    expect((await keySignIn(two.client, dev)).status).toBe(200);
  });

  it('a reset device re-registers under a new id proving the old registration with its key; forgeries are previous_not_proven', async () => {
    const dev = await registered();
    expect((await one.client.request('POST', `/api/v1/devices/${dev.id}/reset`, { token: sup })).status).toBe(200);
    // The old id is now told it was reset.
    const told = await keySignIn(two.client, dev);
    expect(told.status).toBe(403);
    expect(told.body.error).toBe('device_reset');
    const newId = deviceId(++n);
    const fresh = await KeyDevice.make(newId);
    const prevBody = async (signer: KeyDevice, opts: { forId?: string; challengeOf?: string } = {}) => {
      const c = await challenge(one.client, opts.challengeOf ?? dev.id);
      return { deviceId: dev.id, challenge: c, signature: await signer.sign(c, opts.forId ?? dev.id) };
    };
    const reRegister = async (previous: Record<string, unknown>, key = fresh) => {
      const ch = await challenge(two.client, newId);
      return signIn(two.client, { deviceId: newId, publicKey: key.publicKey, challenge: ch, signature: await key.sign(ch), previous });
    };
    const stranger = await KeyDevice.make(dev.id);
    for (const [what, previous] of [
      ["a stranger's key", await prevBody(stranger)],
      ['a signature for the new id', await prevBody(dev, { forId: newId })],
      ["the new id's challenge", await prevBody(dev, { challengeOf: newId })],
      ['a secret for a key device', { deviceId: dev.id, deviceSecret: 'x'.repeat(43) }],
    ] as const) {
      const res = await reRegister(previous);
      expect(res.status, what).toBe(403);
      expect(res.body.error, what).toBe('previous_not_proven');
    }
    expect(await sessionsOf(newId)).toEqual([]);
    const ok = await reRegister(await prevBody(dev));
    expect(ok.status).toBe(200);
    expect(ok.body.deviceSecret).toBeUndefined();
    const devices = (await one.client.get<{ devices: { deviceId: string; replaces: string | null; replacedBy: string | null }[] }>('/api/v1/devices', sup)).body
      .devices;
    expect(devices.find((d) => d.deviceId === newId)?.replaces).toBe(dev.id);
    expect(devices.find((d) => d.deviceId === dev.id)?.replacedBy).toBe(newId);
    // The answer was lost: the same re-registration again is accepted (the old key proves it), then the new key signs in.
    expect((await reRegister(await prevBody(dev))).status).toBe(200);
    expect((await keySignIn(one.client, fresh)).status).toBe(200);
  });
});
