/**
 * The disabled-user switch of the back office, over real HTTP (streams too): disabling ends the
 * person's sessions at once in every API process and closes their live feeds, refuses their
 * sign-in with a clear message, and judges their events by when they were recorded: before the
 * disable they stay theirs (delivered later by whoever signs in on the handheld), at or after it
 * they are refused as `user_disabled`. Enabling lets them sign in again. On PostgreSQL two API
 * processes share the database: the disable goes through one, the other's stream closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, T0, deviceId, keychain, openBackend, pickHeld, pickLine, type Backend } from '../fixtures/server-app.ts';
import { startServer } from '../../src/server/app.ts';
import type { Database } from '../../src/server/db.ts';

type Server = { url: string; db: Database; close(): Promise<void> };
type Json = Record<string, unknown> & { error?: string; message?: string };

describe.each(BACKEND_NAMES)('a disabled user on %s', (name) => {
  let backend: Backend;
  let a: Server;
  /** A second API process on PostgreSQL; on PGlite the same one. */
  let b: Server;
  let clock = T0;
  let admin: string;
  let sup: string;
  const call = async (server: Server, method: string, path: string, opts: { token?: string; body?: unknown } = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
  };
  /** Signs in as a handheld with a secret does (keeping the secret and the session in the shared keychain). */
  const signIn = async (server: Server, user: string, pin: string, device: string) => {
    const secret = keychain.secrets.get(device);
    const res = await call(server, 'POST', '/api/v1/sessions', { body: { user, pin, deviceId: device, ...(secret ? { deviceSecret: secret } : {}) } });
    if (res.status === 200) {
      if (typeof res.body.deviceSecret === 'string') keychain.secrets.set(device, res.body.deviceSecret);
      keychain.sessions.set(`${device} ${user}`, res.body.session as string);
    }
    return res;
  };
  const token = async (server: Server, user: string, pin: string, device: string) => {
    const res = await signIn(server, user, pin, device);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.token as string;
  };
  const openStream = async (server: Server, tok: string) => {
    const t = await call(server, 'POST', '/api/v1/stream-tickets', { token: tok });
    const res = await fetch(`${server.url}/api/v1/stream?ticket=${t.body.ticket as string}`);
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    return reader;
  };
  const untilClosed = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    for (;;) if ((await reader.read()).done) return true;
  };

  beforeAll(async () => {
    backend = await openBackend(name);
    const opts = { ...backend.options(), port: 0, logLevel: 'silent' as const, keepAliveMs: 60_000, now: () => clock };
    a = await startServer(opts);
    b = name === 'postgres' ? await startServer({ ...opts, seed: false }) : a;
    admin = await token(a, 'admin', '5555', deviceId(0x6001));
    sup = await token(a, 'supervisor', '3333', deviceId(0x6002));
    // People of this file's own, so other files' demo users are untouched.
    for (const [id, roles] of [
      ['dora', 'picker'],
      ['eve', 'picker'],
    ] as const) {
      const made = await call(a, 'PUT', `/api/v1/masterdata/users/${id}`, { token: admin, body: { id, name: id, roles: [roles], pin: '2468' } });
      expect(made.status, JSON.stringify(made.body)).toBe(200);
    }
  });
  afterAll(async () => {
    if (b !== a) await b?.close();
    await a?.close();
    await backend?.dispose();
    clock = T0;
  });

  it("ends the person's sessions at once in every process, closes their streams, refuses their sign-in; enabling lets them back", async () => {
    const device = deviceId(0x6010);
    const tok = await token(a, 'dora', '2468', device);
    const onA = await openStream(a, tok);
    const onB = await openStream(b, tok);
    expect((await call(b, 'GET', `/api/v1/devices/${device}/work`, { token: tok })).status).toBe(200);

    // A picker cannot disable anyone; the admin disables through one process.
    const picker = await token(a, 'eve', '2468', deviceId(0x6011));
    expect((await call(b, 'POST', '/api/v1/masterdata/users/dora/disable', { token: picker })).status).toBe(403);
    const off = await call(b, 'POST', '/api/v1/masterdata/users/dora/disable', { token: admin });
    expect(off.status, JSON.stringify(off.body)).toBe(200);

    // Both streams close (the one on the other process too) and the token dies everywhere.
    expect(await untilClosed(onA)).toBe(true);
    expect(await untilClosed(onB)).toBe(true);
    for (const s of [a, b]) {
      expect((await call(s, 'GET', `/api/v1/devices/${device}/work`, { token: tok })).status).toBe(401);
      expect((await call(s, 'POST', '/api/v1/stream-tickets', { token: tok })).status).toBe(401);
    }
    const sessions = (await call(a, 'GET', '/api/v1/sessions', { token: sup })).body.sessions as { userId: string; endedAt: string | null; active: boolean }[];
    expect(sessions.filter((s) => s.userId === 'dora').every((s) => s.endedAt !== null && !s.active)).toBe(true);
    // The list says so.
    const users = (await call(a, 'GET', '/api/v1/masterdata/users', { token: admin })).body.items as { id: string; locked: boolean }[];
    expect(users.find((u) => u.id === 'dora')?.locked).toBe(true);

    // The right PIN: a clear refusal; a wrong PIN stays a wrong PIN (nothing said about the person).
    const refused = await signIn(b, 'dora', '2468', device);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('user_disabled');
    expect(refused.body.message).toBe('dora is disabled: an admin must enable them before they can sign in');
    const wrong = await signIn(b, 'dora', '9999', device);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('bad_credentials');

    const on = await call(a, 'POST', '/api/v1/masterdata/users/dora/enable', { token: admin });
    expect(on.status).toBe(200);
    expect((await signIn(b, 'dora', '2468', device)).status).toBe(200);
    // The change is in the ledger, as every master-data change is.
    const ledger = (await call(a, 'GET', '/api/v1/ledger?deviceId=00000000-0000-7000-8000-00000000000d&limit=1000', { token: sup })).body.events as {
      payload: { key?: string; before?: { locked?: boolean }; after?: { locked?: boolean } };
    }[];
    const changes = ledger.filter((e) => e.payload.key === 'dora').map((e) => [e.payload.before?.locked, e.payload.after?.locked]);
    expect(changes.slice(-2)).toEqual([
      [false, true],
      [true, false],
    ]);
  });

  it('accepts what the person recorded before the disable and refuses what is stamped after it, delivered under the next user', async () => {
    const device = deviceId(0x6020);
    const n = 0x6020;
    const line = await pickLine(a.db, 'SKU-1001', 'A-01-01');
    await token(a, 'eve', '2468', device);
    await token(a, 'eve', '2468', device);
    const dora = await token(a, 'dora', '2468', device);
    expect(dora).toBeTruthy();
    const events = new DeviceEvents(n, 'dora');
    const at = (ms: number) => new Date(T0.getTime() + ms).toISOString();
    // Recorded on the handheld (offline, say) under dora's session: 10 minutes and 1 ms before the disable, then after it.
    const disableAt = T0.getTime() + 20 * 60_000;
    const before = { ...events.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 2, line.pickListId, line.lineId)), occurredAt: at(10 * 60_000) };
    const justBefore = { ...events.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1, line.pickListId, line.lineId)), occurredAt: at(20 * 60_000 - 1) };
    const atDisable = { ...events.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 4, line.pickListId, line.lineId)), occurredAt: at(20 * 60_000) };
    const after = { ...events.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 8, line.pickListId, line.lineId)), occurredAt: at(30 * 60_000) };
    const stockBefore = (await call(a, 'GET', '/api/v1/stock?sku=SKU-1001&location=A-01-01', { token: sup })).body.rows as { available: number }[];

    clock = new Date(disableAt);
    try {
      expect((await call(b, 'POST', '/api/v1/masterdata/users/dora/disable', { token: admin })).status).toBe(200);
      // Eve signs in on the handheld and it delivers dora's queue.
      const eve = await token(b, 'eve', '2468', device);
      const res = await call(a, 'POST', `/api/v1/devices/${device}/events`, { token: eve, body: { events: [before, justBefore, atDisable, after] } });
      expect(res.status).toBe(200);
      expect(res.body.ackedSeq).toBe(4);
      const rejected = res.body.rejected as { seq: number; code: string; message: string }[];
      expect(rejected.map((r) => [r.seq, r.code])).toEqual([
        [3, 'user_disabled'],
        [4, 'user_disabled'],
      ]);
      expect(rejected[0]?.message).toContain('"dora" was disabled by an admin before this event was recorded');
      const stockAfter = (await call(b, 'GET', '/api/v1/stock?sku=SKU-1001&location=A-01-01', { token: sup })).body.rows as { available: number }[];
      expect(stockAfter[0]?.available).toBe((stockBefore[0]?.available ?? 0) - 3);
      // The handheld is not blocked: eve's own event goes on.
      const mine = { ...events.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1, line.pickListId, line.lineId), 'eve'), occurredAt: at(31 * 60_000) };
      expect((await call(b, 'POST', `/api/v1/devices/${device}/events`, { token: eve, body: { events: [mine] } })).body).toEqual({ ackedSeq: 5, rejected: [] });
    } finally {
      expect((await call(a, 'POST', '/api/v1/masterdata/users/dora/enable', { token: admin })).status).toBe(200);
      clock = T0;
    }
  });

  it('once enabled again, still refuses what was recorded while the person was disabled', async () => {
    const device = deviceId(0x6040);
    const line = await pickLine(a.db, 'SKU-1001', 'A-01-01');
    await token(a, 'dora', '2468', device);
    const events = new DeviceEvents(0x6040, 'dora');
    const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();
    const pick = (minutes: number, qty: number) => ({
      ...events.next('pick.held', pickHeld('SKU-1001', 'A-01-01', qty, line.pickListId, line.lineId)),
      occurredAt: at(minutes),
    });
    const queue = [pick(5, 1), pick(30, 2), pick(45, 4)];
    try {
      clock = new Date(T0.getTime() + 20 * 60_000);
      expect((await call(a, 'POST', '/api/v1/masterdata/users/dora/disable', { token: admin })).status).toBe(200);
      clock = new Date(T0.getTime() + 40 * 60_000);
      expect((await call(b, 'POST', '/api/v1/masterdata/users/dora/enable', { token: admin })).status).toBe(200);
      const eve = await token(b, 'eve', '2468', device);
      const res = await call(a, 'POST', `/api/v1/devices/${device}/events`, { token: eve, body: { events: queue } });
      expect(res.status).toBe(200);
      // Before the disable: hers; in the window: refused; after the enable: hers again.
      expect((res.body.rejected as { seq: number; code: string; message: string }[]).map((r) => [r.seq, r.code, r.message])).toEqual([
        [2, 'user_disabled', `user "dora" was disabled by an admin when this event was recorded (${at(30)})`],
      ]);
    } finally {
      clock = T0;
    }
  });

  it('refuses a sign-in that raced the disable: its session is ended with the others, or it is refused', async () => {
    const device = deviceId(0x6030);
    await token(a, 'dora', '2468', device);
    const racing = await Promise.all([
      ...Array.from({ length: 4 }, () => signIn(a, 'dora', '2468', device)),
      call(b, 'POST', '/api/v1/masterdata/users/dora/disable', { token: admin }),
      ...Array.from({ length: 4 }, () => signIn(b, 'dora', '2468', device)),
    ]);
    for (const r of racing) expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
    // Whatever won each race, no session of dora is open afterwards and every token she got is dead.
    const sessions = (await call(a, 'GET', '/api/v1/sessions?active=1', { token: sup })).body.sessions as { userId: string }[];
    expect(sessions.filter((s) => s.userId === 'dora')).toEqual([]);
    for (const r of racing) {
      if (typeof r.body.token === 'string') expect((await call(b, 'GET', `/api/v1/devices/${device}/work`, { token: r.body.token })).status).toBe(401);
    }
    expect((await call(a, 'POST', '/api/v1/masterdata/users/dora/enable', { token: admin })).status).toBe(200);
  });
});
