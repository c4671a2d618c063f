/**
 * Who may act, tried over HTTP as a hostile or careless client would: device binding, forged
 * actors and sessions, supervisor actions by a picker, sign-out and revocation across API
 * processes, stream tickets and caps, PIN guessing and the rate limit's key.
 * On PostgreSQL every check runs with two API processes on one schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../fixtures/server-app.ts';
import { BACKEND_NAMES, DeviceEvents, T0, deviceId, keychain, openBackend, pickHeld, pickLine, startApp, type Backend } from '../fixtures/server-app.ts';
import { describeIfAvailable, POSTGRES_MISSING } from '../fixtures/needs.ts';
import { startServer, type App } from '../../src/server/app.ts';
import { MAX_STREAMS_PER_SESSION, PIN_LIMITS } from '../../src/server/identity/routes.ts';
import { OPENING_DEVICE } from '../../src/server/seed.ts';

type Ledger = { events: { seq: number; status: string; code?: string; actor: string; type: string }[] };

describe.each(BACKEND_NAMES)('identity under attack on %s', (name) => {
  let backend: Backend;
  let one: { app: App; client: Client };
  /** A second API process on the same database (PostgreSQL); on PGlite the same process again. */
  let two: { app: App; client: Client };
  let sup: string;
  let n = 9000;
  const fresh = (actor = 'picker') => new DeviceEvents(++n, actor);

  beforeAll(async () => {
    backend = await openBackend(name);
    one = await startApp(backend);
    two = name === 'postgres' ? await startApp(backend) : one;
    sup = await one.client.signIn('supervisor', deviceId(8999));
  });
  afterAll(async () => {
    if (two !== one) await two?.app.close();
    await one?.app.close();
    await backend?.dispose();
  });

  it("refuses a sign-in under another handheld's id; the genuine device keeps delivering with no 409", async () => {
    const genuine = fresh('receiver');
    const token = await one.client.signIn('receiver', genuine.id);
    expect(
      (await one.client.push(genuine.id, token, [genuine.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1004', location: 'DOCK-1', qty: 1 })]))
        .body,
    ).toEqual({ ackedSeq: 1, rejected: [] });
    // The picker knows the id (ids are not secrets) but not the secret: refused on both processes.
    for (const c of [one.client, two.client]) {
      const stolen = await c.request<{ error: string; message: string }>('POST', '/api/v1/sessions', {
        body: { user: 'picker', pin: '1111', deviceId: genuine.id },
      });
      expect(stolen.status).toBe(403);
      expect(stolen.body.error).toBe('device_not_proven');
      expect(stolen.body.message).toContain('ask a supervisor to reset it');
      const guessed = await c.request('POST', '/api/v1/sessions', {
        body: { user: 'picker', pin: '1111', deviceId: genuine.id, deviceSecret: 'x'.repeat(43) },
      });
      expect(guessed.status).toBe(403);
    }
    // Its PIN counters are untouched by the strangers: the genuine device signs in and delivers on.
    const again = await two.client.signIn('receiver', genuine.id);
    const next = await two.client.push(genuine.id, again, [
      genuine.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1004', location: 'DOCK-1', qty: 1 }),
    ]);
    expect(next.status).toBe(200);
    expect(next.body).toEqual({ ackedSeq: 2, rejected: [] });
  });

  it('refuses the reserved opening-balance device id', async () => {
    const res = await one.client.request<{ error: string }>('POST', '/api/v1/sessions', {
      body: { user: 'supervisor', pin: '3333', deviceId: OPENING_DEVICE },
    });
    // The id schema refuses the API's own prefix before any device check: a 400 naming the field.
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request', field: 'deviceId' });
  });

  it('rejects a forged actor or session on your own device, with its reason and no effect', async () => {
    const dev = fresh('picker');
    const token = await one.client.signIn('picker', dev.id);
    const supDevice = fresh('supervisor');
    await one.client.signIn('supervisor', supDevice.id);
    const supSession = keychain.sessionOf(supDevice.id, 'supervisor') as string;
    const mine = keychain.sessionOf(dev.id, 'picker') as string;
    const before = await one.client.stock(sup, 'SKU-1001', 'A-01-01');
    const forged = [
      // The picker's own session, claiming to be the supervisor.
      dev.next('count.approved', { countTaskId: 'CT-X1', approve: true }, 'supervisor', mine),
      // The supervisor's real session id, opened on another device.
      dev.next('count.approved', { countTaskId: 'CT-X1', approve: true }, 'supervisor', supSession),
      // A session nobody opened.
      dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 5), 'picker', 'made-up-session-0001'),
      // Schema v1 (no session) from a device first signed in after sessions existed.
      { ...dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 5)), schemaVersion: 1, session: undefined },
      // The honest event after them is applied.
      dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1)),
    ];
    const res = await two.client.push(dev.id, token, forged);
    expect(res.status).toBe(200);
    expect(res.body.ackedSeq).toBe(5);
    expect(res.body.rejected.map((r) => [r.seq, r.code])).toEqual([
      [1, 'session_mismatch'],
      [2, 'session_mismatch'],
      [3, 'session_mismatch'],
      [4, 'session_mismatch'],
    ]);
    expect(res.body.rejected[0]?.message).toContain('belongs to another user');
    expect(res.body.rejected[1]?.message).toContain('opened on another device');
    expect(res.body.rejected[2]?.message).toContain('is unknown');
    expect(res.body.rejected[3]?.message).toContain('schemaVersion 1');
    const after = await one.client.stock(sup, 'SKU-1001', 'A-01-01');
    expect(after.available).toBe(before.available - 1);
    expect(after.committed).toBe(before.committed + 1);
    const ledger = (await one.client.get<Ledger>(`/api/v1/ledger?deviceId=${dev.id}`, sup)).body.events;
    expect(ledger.map((e) => e.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'applied']);
    // The device keeps delivering: no 409, the next number is taken.
    const more = await one.client.push(dev.id, token, [dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1))]);
    expect(more.body).toEqual({ ackedSeq: 6, rejected: [] });
  });

  it('a picker cannot do what only a supervisor may', async () => {
    const dev = fresh('picker');
    const token = await one.client.signIn('picker', dev.id);
    const session = keychain.sessionOf(dev.id, 'picker') as string;
    for (const [method, url] of [
      ['GET', '/api/v1/sessions'],
      ['POST', `/api/v1/sessions/${session}/revoke`],
      ['POST', `/api/v1/devices/${dev.id}/revoke`],
      ['POST', `/api/v1/devices/${dev.id}/reset`],
      ['POST', '/api/v1/users/supervisor/unlock'],
      ['GET', '/api/v1/devices'],
    ] as const) {
      const res = await two.client.request(method, url, { token });
      expect(res.status, `${method} ${url}`).toBe(403);
    }
    // Nothing changed: the picker's session still works.
    expect((await one.client.get(`/api/v1/devices/${dev.id}/work`, token)).status).toBe(200);
    const sessions = (await one.client.get<{ sessions: { id: string; active: boolean }[] }>('/api/v1/sessions?active=1', sup)).body.sessions;
    expect(sessions.find((s) => s.id === session)?.active).toBe(true);
  });

  it('a signed-out or revoked token stops at once in the other process; events recorded before sign-out still deliver', async () => {
    const dev = fresh('picker');
    const token = await one.client.signIn('picker', dev.id);
    const queued = dev.next('pick.held', pickHeld('SKU-1002', 'A-01-02', 1, 'PL-0002'));
    expect((await two.client.get(`/api/v1/devices/${dev.id}/work`, token)).status).toBe(200);
    expect((await one.client.request('DELETE', '/api/v1/sessions/current', { token })).status).toBe(204);
    expect((await two.client.get(`/api/v1/devices/${dev.id}/work`, token)).status).toBe(401);
    expect((await two.client.push(dev.id, token, [queued])).status).toBe(401);
    // The next user on the handheld delivers the signed-out picker's queued event under its own session.
    const next = await two.client.signIn('receiver', dev.id);
    expect((await one.client.push(dev.id, next, [queued])).body).toEqual({ ackedSeq: 1, rejected: [] });

    // A supervisor revokes the receiver's session: its token dies in the other process, and an event recorded under it is refused.
    const receiverSession = keychain.sessionOf(dev.id, 'receiver') as string;
    const underRevoked = dev.next('count.started', { countTaskId: 'CT-R1', location: 'A-01-02' }, 'receiver');
    expect((await one.client.request('POST', `/api/v1/sessions/${receiverSession}/revoke`, { token: sup })).status).toBe(200);
    expect((await two.client.get(`/api/v1/devices/${dev.id}/work`, next)).status).toBe(401);
    const third = await one.client.signIn('picker', dev.id);
    const res = await two.client.push(dev.id, third, [underRevoked]);
    expect(res.body.rejected.map((r) => r.code)).toEqual(['session_revoked']);
  });

  it('a revoked device can no longer sign in, and a reset device re-registers and re-delivers its backlog', async () => {
    const stolen = fresh('picker');
    await one.client.signIn('picker', stolen.id);
    expect((await one.client.request('POST', `/api/v1/devices/${stolen.id}/revoke`, { token: sup })).status).toBe(200);
    expect((await two.client.signInAs('picker', stolen.id)).body).toMatchObject({ error: 'device_revoked' });

    const stuck = fresh('picker');
    const token = await one.client.signIn('picker', stuck.id);
    const line = await pickLine(one.app.db, 'SKU-1006', 'B-01-02', 6);
    const e1 = stuck.next('pick.held', pickHeld('SKU-1006', 'B-01-02', 1, line.pickListId, line.lineId));
    const e2 = stuck.next('pick.held', pickHeld('SKU-1006', 'B-01-02', 2, line.pickListId, line.lineId));
    const e3 = stuck.next('pick.held', pickHeld('SKU-1006', 'B-01-02', 3, line.pickListId, line.lineId));
    const before = await one.client.stock(sup, 'SKU-1006', 'B-01-02');
    expect((await one.client.push(stuck.id, token, [e1])).body.ackedSeq).toBe(1);
    expect((await one.client.request('POST', `/api/v1/devices/${stuck.id}/reset`, { token: sup })).status).toBe(200);
    // The device learns it on its next push and its next sign-in.
    expect((await two.client.push(stuck.id, token, [e2])).body).toMatchObject({ error: 'device_reset' });
    expect((await two.client.signInAs('picker', stuck.id)).body).toMatchObject({ error: 'device_reset' });
    // It re-registers under a fresh id, proving the old registration with the old secret...
    const fresher = fresh('picker');
    const wrongProof = await one.client.request('POST', '/api/v1/sessions', {
      body: { user: 'picker', pin: '1111', deviceId: fresher.id, previous: { deviceId: stuck.id, deviceSecret: 'y'.repeat(43) } },
    });
    expect(wrongProof.body).toMatchObject({ error: 'previous_not_proven' });
    const re = await one.client.request<{ token: string; deviceSecret: string }>('POST', '/api/v1/sessions', {
      body: { user: 'picker', pin: '1111', deviceId: fresher.id, previous: { deviceId: stuck.id, deviceSecret: keychain.secrets.get(stuck.id) } },
    });
    expect(re.status).toBe(200);
    expect(re.body.deviceSecret).toBeTruthy();
    // ... and re-sends everything it had not seen acknowledged (e1's answer was "lost"), seq 1.. under the new id, same ids and sessions.
    const again = [e1, e2, e3].map((e, i) => ({ ...e, deviceId: fresher.id, seq: i + 1 }));
    const res = await two.client.push(fresher.id, re.body.token, again);
    expect(res.body.ackedSeq).toBe(3);
    expect(res.body.rejected.map((r) => [r.seq, r.code])).toEqual([[1, 'duplicate_id']]);
    const after = await one.client.stock(sup, 'SKU-1006', 'B-01-02');
    expect(after.committed - before.committed).toBe(6);
    const devices = (
      await one.client.get<{ devices: { deviceId: string; replaces: string | null; replacedBy: string | null; resetAt: string | null }[] }>(
        '/api/v1/devices',
        sup,
      )
    ).body.devices;
    expect(devices.find((d) => d.deviceId === stuck.id)).toMatchObject({ replacedBy: fresher.id, resetAt: T0.toISOString() });
    expect(devices.find((d) => d.deviceId === fresher.id)).toMatchObject({ replaces: stuck.id });
    // The old registration cannot be used to register a second replacement.
    const second = await one.client.request('POST', '/api/v1/sessions', {
      body: { user: 'picker', pin: '1111', deviceId: fresh().id, previous: { deviceId: stuck.id, deviceSecret: keychain.secrets.get(stuck.id) } },
    });
    expect(second.body).toMatchObject({ error: 'previous_not_proven' });
  });

  it('never lets concurrent PIN guesses across processes check more than the limit', async () => {
    const guesses = Array.from({ length: 200 }, (_, i) => {
      const c = i % 2 === 0 ? one.client : two.client;
      // Every guess wrong but the last ones, which hold the right PIN: they must be refused too.
      const pin = i >= 190 ? '2222' : String(5000 + i);
      return c.request<{ error: string }>('POST', '/api/v1/sessions', {
        body: { user: 'receiver', pin, deviceId: deviceId(20_000 + i) },
        remoteAddress: `10.9.${i % 7}.1`,
      });
    });
    const answers = await Promise.all(guesses);
    const checked = answers.filter((a) => a.status === 401 || a.status === 200);
    expect(checked.length).toBeLessThanOrEqual(PIN_LIMITS.user);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(0);
    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
    // Locked until a supervisor unlocks.
    expect((await one.client.signInAs('receiver', deviceId(20_999))).status).toBe(429);
    expect((await two.client.request('POST', '/api/v1/users/receiver/unlock', { token: sup })).status).toBe(200);
    expect((await one.client.signInAs('receiver', deviceId(20_999))).status).toBe(200);
  });
});

describe('the rate limit and the live feed', () => {
  let backend: Backend;
  let app: App;
  let client: Client;
  beforeAll(async () => {
    backend = await openBackend('pglite');
    ({ app, client } = await startApp(backend, { rateLimit: { max: 5, timeWindowMs: 60_000 } }));
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('a random Bearer header does not buy a rate limit of its own', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await client.request('GET', '/api/v1/stock', {
        headers: { authorization: `Bearer made-up-token-number-${i}-xxxxxxxxxx` },
        remoteAddress: '10.1.1.1',
      });
      statuses.push(res.status);
    }
    // Unverified, so all count against the address: 401s until the address's limit, then 429.
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
  });
});

describe('the live feed over real HTTP', () => {
  let server: { url: string; close(): Promise<void> };
  const signIn = async (user: string, pin: string, device: string) => {
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, pin, deviceId: device }),
    });
    return (await res.json()) as { token: string };
  };
  const ticket = async (token: string) => {
    const res = await fetch(`${server.url}/api/v1/stream-tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { ticket: string }).ticket;
  };
  beforeAll(async () => {
    server = await startServer({ port: 0, dataDir: 'memory://', logLevel: 'silent', keepAliveMs: 60_000 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 400 to a malformed query, caps streams per session and closes them at sign-out', async () => {
    for (const q of ['token=a&token=b', 'ticket=a&ticket=b', 'ticket=' + 'z'.repeat(30) + '&x=1', '']) {
      const res = await fetch(`${server.url}/api/v1/stream?${q}`);
      expect(res.status, q).toBe(400);
    }
    const { token } = await signIn('picker', '1111', deviceId(31_001));
    const open: { reader: ReadableStreamDefaultReader<Uint8Array>; ac: AbortController }[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) {
      const ac = new AbortController();
      const res = await fetch(`${server.url}/api/v1/stream?ticket=${await ticket(token)}`, { signal: ac.signal });
      expect(res.status).toBe(200);
      open.push({ reader: (res.body as ReadableStream<Uint8Array>).getReader(), ac });
    }
    const over = await fetch(`${server.url}/api/v1/stream?ticket=${await ticket(token)}`);
    expect(over.status).toBe(429);
    // Sign-out ends every stream of the session.
    const out = await fetch(`${server.url}/api/v1/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(204);
    for (const s of open) {
      for (;;) {
        const { done } = await s.reader.read();
        if (done) break;
      }
    }
    // And no new ticket is given to the ended session.
    expect((await fetch(`${server.url}/api/v1/stream-tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});

describeIfAvailable(POSTGRES_MISSING, 'the live feed across two API processes on PostgreSQL', () => {
  it("a sign-out in one process closes the session's stream in the other", async () => {
    const backend = await openBackend('postgres');
    const a = await startServer({ ...backend.options(), port: 0, logLevel: 'silent', keepAliveMs: 60_000 });
    const b = await startServer({ ...backend.options(), port: 0, logLevel: 'silent', keepAliveMs: 60_000, seed: false });
    try {
      const res = await fetch(`${a.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'picker', pin: '1111', deviceId: deviceId(32_001) }),
      });
      const { token } = (await res.json()) as { token: string };
      const t = await fetch(`${b.url}/api/v1/stream-tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      // The ticket from process B opens the stream on process A.
      const stream = await fetch(`${a.url}/api/v1/stream?ticket=${((await t.json()) as { ticket: string }).ticket}`);
      expect(stream.status).toBe(200);
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      expect((await fetch(`${b.url}/api/v1/sessions/current`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
      for (;;) if ((await reader.read()).done) break;
      expect((await fetch(`${a.url}/api/v1/stock`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    } finally {
      await b.close();
      await a.close();
      await backend.dispose();
    }
  });
});
