/**
 * Offline sign-in over HTTP (issue 13): a grant issued and signed at an online sign-in lets
 * events recorded offline under it be accepted later, under the identity rules; it is refused
 * once revoked (the grant, its online session or the device), for events after its expiry, and
 * when forged or presented for another user or device. The setting is a supervisor's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_NAMES,
  DeviceEvents,
  T0,
  deviceId,
  keychain,
  openBackend,
  pickHeld,
  pickLine,
  startApp,
  type Backend,
  type Client,
} from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import type { OfflineGrantResponse } from '../../src/domain/shift/protocol.ts';
import { replayMismatches } from '../../src/server/replay.ts';

type Outcome = { ackedSeq: number; rejected: { seq: number; code: string; message: string }[] };

describe.each(BACKEND_NAMES)('offline sign-in grants on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let sup: string;
  let n = 800;

  const put = async (url: string, token: string | undefined, body: unknown) => {
    const res = await app.app.inject({
      method: 'PUT',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  };
  const grantFor = async (token: string) => {
    const res = await api.request<OfflineGrantResponse>('POST', '/api/v1/offline-grants', { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  /** A handheld with `user` signed in online once, holding the grant that sign-in got. */
  const handheld = async (user = 'picker') => {
    n += 1;
    const dev = new DeviceEvents(n, user);
    const token = await api.signIn(user, dev.id);
    const grant = await grantFor(token);
    /** An event recorded offline under the grant (`at` is the device clock). */
    const offline = (
      type: Parameters<DeviceEvents['next']>[0],
      payload: Record<string, unknown>,
      opts: { at?: Date; actor?: string; grant?: OfflineGrantResponse; token?: string } = {},
    ) => {
      const g = opts.grant ?? grant;
      return { ...dev.next(type, payload, opts.actor ?? user, g.grantId), occurredAt: (opts.at ?? T0).toISOString(), grant: opts.token ?? g.grant };
    };
    const send = async (sender: string, ...events: unknown[]): Promise<Outcome> => {
      const res = await api.push(dev.id, sender, events);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    return { dev, token, grant, offline, send };
  };
  const codes = (o: Outcome) => o.rejected.map((r) => r.code);

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend, { rateLimit: false }));
    sup = await api.signIn('supervisor', deviceId(0x8fff));
  });
  afterAll(async () => {
    expect(await replayMismatches(app.db)).toEqual([]);
    await app?.close();
    await backend?.dispose();
  });

  it('a grant names user, device and expiry (the supervisor setting); events recorded under it are accepted after sign-out, delivered by the next user', async () => {
    const line = await pickLine(app.db, 'SKU-1001', 'A-01-01', 100);
    const h = await handheld();
    expect(h.grant).toMatchObject({
      userId: 'picker',
      deviceId: h.dev.id,
      issuedAt: T0.toISOString(),
      expiresAt: new Date(T0.getTime() + 12 * 3_600_000).toISOString(),
    });
    expect(h.grant.grantId).toMatch(/^g_/);
    // The online session ends; later, offline, the picker signs in with the PIN and picks.
    await api.request('DELETE', '/api/v1/sessions/current', { token: h.token });
    const before = await api.stock(sup, 'SKU-1001', 'A-01-01');
    const picked = h.offline('pick.held', pickHeld('SKU-1001', 'A-01-01', 2, line.pickListId, line.lineId), { at: new Date(T0.getTime() + 3_600_000) });
    // Back online, the next user's session delivers the queue.
    const receiver = await api.signIn('receiver', h.dev.id);
    expect(codes(await h.send(receiver, picked))).toEqual([]);
    expect(await api.stock(sup, 'SKU-1001', 'A-01-01')).toMatchObject({ available: before.available - 2, committed: before.committed + 2 });
    const ledger = (await api.get<{ events: { id: string; actor: string; status: string }[] }>(`/api/v1/ledger?deviceId=${h.dev.id}`, sup)).body.events;
    expect(ledger.find((e) => e.id === picked.id)).toMatchObject({ actor: 'picker', status: 'applied' });
  });

  it('refuses events after the grant expired, under a revoked grant, under a forged one, and one of another user or device', async () => {
    const line = await pickLine(app.db, 'SKU-1001', 'A-01-01', 100);
    expect((await put('/api/v1/settings/offline-sign-in', sup, { hours: 2 })).status).toBe(200);
    const h = await handheld();
    const other = await handheld();
    const receiverGrant = await grantFor(await api.signIn('receiver', h.dev.id));
    expect(new Date(h.grant.expiresAt).getTime() - T0.getTime()).toBe(2 * 3_600_000);
    const pick = (opts: Parameters<typeof h.offline>[2] = {}) => h.offline('pick.held', pickHeld('SKU-1001', 'A-01-01', 1, line.pickListId, line.lineId), opts);
    const [payload = '', signature = ''] = h.grant.grant.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${Buffer.from(JSON.stringify({ ...claims, exp: '2099-01-01T00:00:00.000Z' })).toString('base64url')}.${signature}`;
    const stock = await api.stock(sup, 'SKU-1001', 'A-01-01');
    const out = await h.send(
      h.token,
      pick({ at: new Date(T0.getTime() + 3_600_000) }),
      pick({ at: new Date(T0.getTime() + 3 * 3_600_000) }),
      pick({ at: new Date(T0.getTime() + 3 * 3_600_000), token: forged }),
      pick({ token: `${payload}.${'A'.repeat(43)}` }),
      pick({ actor: 'receiver' }),
      pick({ grant: other.grant }),
      pick({ grant: receiverGrant }),
    );
    expect(codes(out)).toEqual(['grant_expired', 'session_mismatch', 'session_mismatch', 'session_mismatch', 'session_mismatch', 'session_mismatch']);
    expect(out.rejected.map((r) => r.seq)).toEqual([2, 3, 4, 5, 6, 7].map((i) => out.ackedSeq - 7 + i));
    expect(await api.stock(sup, 'SKU-1001', 'A-01-01')).toMatchObject({ available: stock.available - 1 });
    expect((await put('/api/v1/settings/offline-sign-in', sup, { hours: 12 })).status).toBe(200);
  });

  it("a supervisor's revocation refuses what was recorded under the grant and not yet applied: the user's grants, or the online session it came from", async () => {
    const line = await pickLine(app.db, 'SKU-1001', 'A-01-01', 100);
    const pick = (h: Awaited<ReturnType<typeof handheld>>) => h.offline('pick.held', pickHeld('SKU-1001', 'A-01-01', 1, line.pickListId, line.lineId));
    const a = await handheld('picker');
    const applied = pick(a);
    expect(codes(await a.send(a.token, applied))).toEqual([]);
    const revoked = await api.request<{ revoked: number }>('POST', '/api/v1/users/picker/offline-grants/revoke', { token: sup });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBeGreaterThanOrEqual(1);
    const receiver = await api.signIn('receiver', a.dev.id);
    expect(codes(await a.send(receiver, pick(a)))).toEqual(['session_revoked']);

    const b = await handheld('picker');
    expect((await api.request('POST', `/api/v1/sessions/${keychain.sessionOf(b.dev.id, 'picker')}/revoke`, { token: sup })).status).toBe(200);
    expect(codes(await b.send(await api.signIn('receiver', b.dev.id), pick(b)))).toEqual(['session_revoked']);
  });

  it('the routes check who asks and what they send', async () => {
    const h = await handheld('picker');
    expect((await api.request('POST', '/api/v1/offline-grants', {})).status).toBe(401);
    expect((await api.request('POST', '/api/v1/offline-grants', { token: h.token, body: { user: 'supervisor' } })).status).toBe(400);
    expect((await put('/api/v1/settings/offline-sign-in', h.token, { hours: 72 })).status).toBe(403);
    expect((await api.get('/api/v1/settings/offline-sign-in', h.token)).status).toBe(403);
    expect((await api.request('POST', '/api/v1/users/receiver/offline-grants/revoke', { token: h.token })).status).toBe(403);
    for (const bad of [{ hours: -1 }, { hours: 73 }, { hours: 1.5 }, { hours: '2' }, { hours: 2, extra: 1 }, {}]) {
      expect((await put('/api/v1/settings/offline-sign-in', sup, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    // Off: no grant is issued.
    expect((await put('/api/v1/settings/offline-sign-in', sup, { hours: 0 })).status).toBe(200);
    expect((await api.get<{ hours: number }>('/api/v1/settings/offline-sign-in', sup)).body).toEqual({ hours: 0 });
    const off = await api.request<{ error: string }>('POST', '/api/v1/offline-grants', { token: h.token });
    expect([off.status, off.body.error]).toEqual([403, 'offline_sign_in_off']);
    expect((await put('/api/v1/settings/offline-sign-in', sup, { hours: 12 })).status).toBe(200);
  });
});
