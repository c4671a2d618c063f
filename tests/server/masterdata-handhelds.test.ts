/**
 * Master data as the handhelds see it: case GTINs travel in the pull (whole and delta), and the
 * back office's devices tab works for an admin as for a supervisor, for nobody else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, deviceId, openBackend, startApp, type Backend, type Client } from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import type { PullResponse } from '../../src/domain/protocol.ts';
import { gs1CheckDigit } from '../../src/domain/barcode/check-digit.ts';

const gtin = (n: number) => {
  const body = `0400711${String(n).padStart(6, '0')}`;
  return body + gs1CheckDigit(body);
};

describe.each(BACKEND_NAMES)('master data on the handhelds on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let admin: string;
  let sup: string;
  const csv = (token: string, body: string) =>
    api.request<{ imported?: boolean }>('POST', '/api/v1/masterdata/catalog/import', { token, raw: body, headers: { 'content-type': 'text/csv' } });

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend));
    admin = await api.signIn('admin', deviceId(0x7102));
    sup = await api.signIn('supervisor', deviceId(0x7101));
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('the pull carries each SKU its case GTINs with their units, whole and as a delta', async () => {
    const dev = new DeviceEvents(0x7110, 'picker');
    const token = await api.signIn('picker', dev.id);
    const before = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work`, token)).body;
    const imported = await csv(admin, `sku,name,gtin,case_gtins\nCASE-1,Tent peg,${gtin(1)},${gtin(2)}:10|${gtin(3)}:50\n`);
    expect(imported.body.imported).toBe(true);
    const cases = [
      { gtin: gtin(2), units: 10 },
      { gtin: gtin(3), units: 50 },
    ];
    const full = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work`, token)).body;
    // (The standard case is the first listed: unitsPerCase 10.)
    expect(full.catalog.find((c) => c.sku === 'CASE-1')).toEqual({ sku: 'CASE-1', gtin: gtin(1), name: 'Tent peg', unitsPerCase: 10, cases });
    // The demo SKUs have none: no empty list is sent.
    expect(full.catalog.find((c) => c.sku === 'SKU-1001')).not.toHaveProperty('cases');
    const delta = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work?catalogSince=${before.catalogCursor}`, token)).body;
    expect(delta.catalogDelta?.upserts).toEqual([{ sku: 'CASE-1', gtin: gtin(1), name: 'Tent peg', unitsPerCase: 10, cases }]);
    // A case taken away reaches the handheld as the SKU put again without it.
    await csv(admin, `sku,name,gtin,case_gtins\nCASE-1,Tent peg,${gtin(1)},${gtin(3)}:50\n`);
    const after = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work?catalogSince=${delta.catalogCursor}`, token)).body;
    expect(after.catalogDelta?.upserts.map((u) => [u.sku, u.cases])).toEqual([['CASE-1', [{ gtin: gtin(3), units: 50 }]]]);
  });

  it('an admin lists, revokes and resets devices, as a supervisor does', async () => {
    const dev = new DeviceEvents(0x7120, 'picker');
    const picker = await api.signIn('picker', dev.id);
    const listed = await api.get<{ devices: { deviceId: string; revokedAt: string | null }[] }>('/api/v1/devices', admin);
    expect(listed.status).toBe(200);
    expect(listed.body.devices.map((d) => d.deviceId)).toContain(dev.id);
    expect((await api.get('/api/v1/devices', sup)).status).toBe(200);
    const revoked = await api.request('POST', `/api/v1/devices/${dev.id}/revoke`, { token: admin });
    expect(revoked.status).toBe(200);
    // The revoked handheld's session is over.
    expect((await api.get(`/api/v1/devices/${dev.id}/work`, picker)).status).toBe(401);
    expect((await api.request('POST', `/api/v1/devices/${dev.id}/reset`, { token: admin })).status).toBe(200);
    expect((await api.request('POST', `/api/v1/devices/${deviceId(0x7fff)}/reset`, { token: admin })).status).toBe(404);
  });

  it('nobody else may: floor roles get 403, no session 401, on the list, revoke and reset', async () => {
    const target = new DeviceEvents(0x7130, 'picker');
    await api.signIn('picker', target.id);
    for (const user of ['picker', 'receiver', 'returns']) {
      const token = await api.signIn(user, deviceId(0x7140 + user.length));
      expect((await api.get('/api/v1/devices', token)).status, user).toBe(403);
      expect((await api.request('POST', `/api/v1/devices/${target.id}/revoke`, { token })).status, user).toBe(403);
      expect((await api.request('POST', `/api/v1/devices/${target.id}/reset`, { token })).status, user).toBe(403);
    }
    expect((await api.request('GET', '/api/v1/devices')).status).toBe(401);
    expect((await api.request('POST', `/api/v1/devices/${target.id}/revoke`)).status).toBe(401);
    // The admin's reach is the devices, not the floor's figures or its sessions.
    expect((await api.get('/api/v1/stock?sku=SKU-1001', admin)).status).toBe(403);
    expect((await api.get('/api/v1/sessions', admin)).status).toBe(403);
    const still = await api.get<{ devices: { deviceId: string; revokedAt: string | null }[] }>('/api/v1/devices', sup);
    expect(still.body.devices.find((d) => d.deviceId === target.id)?.revokedAt ?? null).toBeNull();
  });
});
