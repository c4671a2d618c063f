import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, deviceId, openBackend, startApp, type Backend, type Client, type Reply } from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import type { PullResponse, LedgerEntry } from '../../src/domain/protocol.ts';
import type { ImportReport } from '../../src/server/masterdata/service.ts';
import { MASTERDATA_DEVICE } from '../../src/server/masterdata/storage.ts';
import { replayMismatches } from '../../src/server/replay.ts';
import { gs1CheckDigit } from '../../src/domain/barcode/check-digit.ts';

type Report = ImportReport & { error?: string; message?: string };
const gtin = (n: number) => {
  const body = `0400700${String(n).padStart(6, '0')}`;
  return body + gs1CheckDigit(body);
};

describe.each(BACKEND_NAMES)('master data API on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let sup: string;
  let admin: string;
  let picker: string;
  const csv = (method: 'POST', url: string, token: string | undefined, body: string) =>
    api.request<Report>(method, url, { ...(token ? { token } : {}), raw: body, headers: { 'content-type': 'text/csv' } });
  const put = async (url: string, token: string, body: unknown): Promise<Reply<Report>> => {
    const res = await app.app.inject({
      method: 'PUT',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, body: JSON.parse(res.body) as Report, headers: res.headers };
  };
  const mdEvents = async () =>
    (await api.get<{ events: LedgerEntry[] }>(`/api/v1/ledger?deviceId=${MASTERDATA_DEVICE}&limit=1000`, sup)).body.events ??
    expect.unreachable('the ledger read failed');

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend));
    sup = await api.signIn('supervisor', deviceId(0x7001));
    admin = await api.signIn('admin', deviceId(0x7002));
    picker = await api.signIn('picker', deviceId(0x7003));
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  it('answers only supervisors and admins: no token 401, a picker 403, on every route, before reading a body', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/masterdata/catalog'],
      ['GET', '/api/v1/masterdata/users/export.csv'],
      ['POST', '/api/v1/masterdata/catalog/preview'],
      ['POST', '/api/v1/masterdata/catalog/import'],
      ['DELETE', '/api/v1/masterdata/catalog/SKU-1001'],
      ['POST', '/api/v1/masterdata/users/picker/pin'],
      ['POST', '/api/v1/masterdata/users/supervisor/lock'],
    ] as const) {
      expect((await api.request(method, url, { raw: 'sku,name,gtin\n', headers: { 'content-type': 'text/csv' } })).status, url).toBe(401);
      const r = await api.request(method, url, { token: picker, raw: 'sku,name,gtin\n', headers: { 'content-type': 'text/csv' } });
      expect(r.status, url).toBe(403);
      expect(r.body).toMatchObject({ error: 'forbidden' });
    }
    expect((await api.get('/api/v1/masterdata/catalog', sup)).status).toBe(200);
    expect((await api.get('/api/v1/masterdata/catalog', admin)).status).toBe(200);
  });

  it('previews without writing, refuses a file with errors whole, and imports the clean lines only on request', async () => {
    const file = `sku;name;gtin;velocity_class\nNEW-1;Tent peg;${gtin(1)};A\nNEW-2;Tent;4006381339990;B\nNEW-3;Stove;${gtin(3)};C\n`;
    const before = await mdEvents();
    const preview = await csv('POST', '/api/v1/masterdata/catalog/preview', sup, file);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      lines: 3,
      created: 2,
      imported: false,
      errorCount: 1,
      errors: [{ line: 3, message: 'GTIN 4006381339990 has a wrong check digit (expected 5)' }],
    });
    const all = await csv('POST', '/api/v1/masterdata/catalog/import', sup, file);
    expect(all.status).toBe(422);
    expect(all.body).toMatchObject({ error: 'invalid_file', imported: false });
    expect(all.body.message).toContain('nothing was imported');
    const items = (await api.get<{ items: { sku: string }[] }>('/api/v1/masterdata/catalog', sup)).body.items;
    expect(items.map((i) => i.sku)).not.toContain('NEW-1');
    expect(await mdEvents()).toEqual(before);
    const clean = await csv('POST', '/api/v1/masterdata/catalog/import?mode=clean', sup, file);
    expect(clean.status).toBe(200);
    expect(clean.body).toMatchObject({ created: 2, imported: true, errorCount: 1 });
    const after = (await api.get<{ items: { sku: string; velocityClass: string }[] }>('/api/v1/masterdata/catalog', sup)).body.items;
    expect(after.filter((i) => i.sku.startsWith('NEW-'))).toMatchObject([
      { sku: 'NEW-1', velocityClass: 'A' },
      { sku: 'NEW-3', velocityClass: 'C' },
    ]);
  });

  it('records every change in the ledger (who, when, before, after); the same file again changes nothing', async () => {
    const file = `sku,name,gtin,reorder_point\nLED-1,Lantern,${gtin(10)},5\n`;
    const before = (await mdEvents()).length;
    expect((await csv('POST', '/api/v1/masterdata/catalog/import', admin, file)).body).toMatchObject({ created: 1, imported: true });
    const changed = `sku,name,gtin,reorder_point\nLED-1,Lantern XL,${gtin(10)},5\n`;
    expect((await csv('POST', '/api/v1/masterdata/catalog/import', sup, changed)).body).toMatchObject({ created: 0, updated: 1 });
    const again = await csv('POST', '/api/v1/masterdata/catalog/import', sup, changed);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 1, imported: true });
    const events = (await mdEvents()).slice(before);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      type: 'masterdata.changed',
      actor: 'admin',
      payload: { entity: 'catalog', key: 'LED-1', action: 'created', before: null, after: { name: 'Lantern', reorderPoint: 5 } },
    });
    expect(events[1]).toMatchObject({
      actor: 'supervisor',
      occurredAt: expect.any(String),
      payload: { action: 'updated', before: { name: 'Lantern' }, after: { name: 'Lantern XL' } },
    });
    // The SKU's history reads like any other: /ledger?sku=
    expect((await api.get<{ events: LedgerEntry[] }>('/api/v1/ledger?sku=LED-1', sup)).body.events).toHaveLength(2);
    // Master-data events move no stock: a replay of the ledger still gives the table.
    expect(await replayMismatches(app.db)).toEqual([]);
  });

  it('never lets a GTIN belong to two SKUs, but lets one file move a GTIN between its SKUs', async () => {
    const taken = await csv('POST', '/api/v1/masterdata/catalog/import', sup, `sku,name,gtin\nDUP-1,Copy,04006381330077\n`);
    expect(taken.status).toBe(422);
    expect(taken.body.errors).toEqual([{ line: 2, message: 'GTIN 04006381330077 already belongs to SKU-1001; a GTIN names one SKU only' }]);
    const asCase = await csv(
      'POST',
      '/api/v1/masterdata/catalog/import',
      sup,
      `sku,name,gtin,case_gtin,units_per_case\nDUP-2,Copy,${gtin(20)},04006381330145,6\n`,
    );
    expect(asCase.body.errors).toEqual([{ line: 2, message: 'GTIN 04006381330145 already belongs to SKU-1002; a GTIN names one SKU only' }]);
    await csv('POST', '/api/v1/masterdata/catalog/import', sup, `sku,name,gtin\nSW-1,One,${gtin(21)}\nSW-2,Two,${gtin(22)}\n`);
    const swap = await csv('POST', '/api/v1/masterdata/catalog/import', sup, `sku,name,gtin\nSW-1,One,${gtin(22)}\nSW-2,Two,${gtin(21)}\n`);
    expect(swap.body).toMatchObject({ updated: 2, imported: true });
    const items = (await api.get<{ items: { sku: string; gtin: string }[] }>('/api/v1/masterdata/catalog', sup)).body.items;
    expect(items.filter((i) => i.sku.startsWith('SW-')).map((i) => i.gtin)).toEqual([gtin(22), gtin(21)]);
  });

  it('retires a SKU with stock instead of deleting it; deletes one that never moved', async () => {
    const del = await api.request('DELETE', '/api/v1/masterdata/catalog/SKU-1001', { token: sup });
    expect(del.status).toBe(409);
    expect(del.body).toMatchObject({ error: 'has_stock', message: 'SKU SKU-1001 has 50 units in stock: it cannot be deleted; retire it instead' });
    const current = (await api.get<{ items: { sku: string }[] }>('/api/v1/masterdata/catalog', sup)).body.items.find((i) => i.sku === 'SKU-1001');
    const retire = await put('/api/v1/masterdata/catalog/SKU-1001', sup, { ...current, status: 'retired' });
    expect(retire.body).toMatchObject({ updated: 1, imported: true });
    expect(
      (await api.get<{ items: { sku: string; status: string }[] }>('/api/v1/masterdata/catalog', sup)).body.items.find((i) => i.sku === 'SKU-1001')?.status,
    ).toBe('retired');
    expect((await put('/api/v1/masterdata/catalog/SKU-1001', sup, { ...current, status: 'active' })).body).toMatchObject({ updated: 1 });
    await csv('POST', '/api/v1/masterdata/catalog/import', sup, `sku,name,gtin\nGONE-1,Typo,${gtin(30)}\n`);
    expect((await api.request('DELETE', '/api/v1/masterdata/catalog/GONE-1', { token: sup })).status).toBe(200);
    expect((await api.request('DELETE', '/api/v1/masterdata/catalog/GONE-1', { token: sup })).status).toBe(404);
    expect((await mdEvents()).at(-1)).toMatchObject({ payload: { entity: 'catalog', key: 'GONE-1', action: 'deleted', after: null } });
  });

  it('refuses to remove a location with stock; removes an empty new one; a location needs an existing site', async () => {
    const del = await api.request('DELETE', '/api/v1/masterdata/locations/A-01-01', { token: sup });
    expect(del.status).toBe(409);
    expect(del.body).toMatchObject({ error: 'has_stock' });
    const map = await csv('POST', '/api/v1/masterdata/locations/import', sup, `Bin Code,Type,Site\nZ-09-01,,\nQC-1,qc,main\nN-1,bin,north\n`);
    expect(map.status).toBe(422);
    expect(map.body.errors).toEqual([{ line: 4, message: 'site north does not exist; add it first' }]);
    expect((await csv('POST', '/api/v1/masterdata/sites/import', admin, `site,name\nnorth,North hall\n`)).body).toMatchObject({ created: 1 });
    expect((await csv('POST', '/api/v1/masterdata/locations/import', sup, `Bin Code,Type,Site\nZ-09-01,,\nQC-1,qc,main\nN-1,bin,north\n`)).body).toMatchObject({
      created: 3,
    });
    expect((await api.request('DELETE', '/api/v1/masterdata/locations/Z-09-01', { token: sup })).status).toBe(200);
    expect((await api.request('DELETE', '/api/v1/masterdata/sites/north', { token: sup })).body).toMatchObject({ error: 'in_use' });
  });

  it('handhelds follow: the pull carries the new SKU and bin, under a new cursor, and the live feed says so', async () => {
    const dev = new DeviceEvents(0x7010, 'picker');
    const token = await api.signIn('picker', dev.id);
    const first = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work`, token)).body;
    const heard: string[] = [];
    const off = app.feed.subscribe((c) => heard.push(c.kind));
    await csv('POST', '/api/v1/masterdata/catalog/import', admin, `sku,name,gtin\nFEED-1,Compass,${gtin(40)}\n`);
    await csv('POST', '/api/v1/masterdata/locations/import', admin, `id\nF-01-01\n`);
    await expect.poll(() => heard.filter((k) => k === 'work').length).toBeGreaterThanOrEqual(2);
    off();
    const second = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work?cursor=${first.cursor}`, token)).body;
    expect(second.unchanged).toBeUndefined();
    expect(second.cursor).not.toBe(first.cursor);
    expect(second.catalog.find((c) => c.sku === 'FEED-1')?.gtin).toBe(gtin(40));
    expect(second.locations.find((l) => l.id === 'F-01-01')).toEqual({ id: 'F-01-01', kind: 'bin' });
    // And the picker can put the new SKU away into the new bin... the floor accepts it as known.
    const ok = await api.push(dev.id, token, [dev.next('count.recorded', { taskId: 'CT-FEED', location: 'F-01-01', lines: [{ sku: 'FEED-1', qty: 0 }] })]);
    expect(ok.status).toBe(200);
    expect(ok.body.rejected.filter((r) => r.code === 'unknown_sku' || r.code === 'unknown_location')).toEqual([]);
  });

  it('a handheld that holds the catalog cursor gets only the SKUs changed since (a day offline is a delta, not the catalog)', async () => {
    const dev = new DeviceEvents(0x7011, 'picker');
    const token = await api.signIn('picker', dev.id);
    const full = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work`, token)).body;
    expect(full.catalogDelta).toBeUndefined();
    expect(full.catalog.length).toBeGreaterThan(8);
    const since = full.catalogCursor as number;
    expect(since).toBeGreaterThan(0);
    await csv('POST', '/api/v1/masterdata/catalog/import', admin, `sku,name,gtin\nDELTA-1,Delta one,${gtin(70)}\nDELTA-2,Delta two,${gtin(71)}\n`);
    await csv('POST', '/api/v1/masterdata/catalog/import', admin, `sku,name,gtin\nDELTA-1,Delta one fixed,${gtin(72)}\n`);
    expect((await api.request('DELETE', '/api/v1/masterdata/catalog/DELTA-2', { token: admin })).status).toBe(200);
    // Other master data (a bin) is no catalog change.
    await csv('POST', '/api/v1/masterdata/locations/import', admin, `id\nDELTA-BIN\n`);
    const delta = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work?catalogSince=${since}`, token)).body;
    expect(delta.catalog).toEqual([]);
    expect(delta.catalogDelta).toEqual({ since, upserts: [{ sku: 'DELTA-1', gtin: gtin(72), name: 'Delta one fixed' }], removed: ['DELTA-2'] });
    expect(delta.catalogCursor).toBeGreaterThan(since);
    const none = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work?catalogSince=${delta.catalogCursor}`, token)).body;
    expect(none.catalogDelta).toEqual({ since: delta.catalogCursor, upserts: [], removed: [] });
    // A cursor from elsewhere (ahead of this database) or junk gets the whole catalog.
    for (const bad of [String(10 ** 12), 'abc', '-1']) {
      const r = (await api.get<PullResponse>(`/api/v1/devices/${dev.id}/work?catalogSince=${bad}`, token)).body;
      expect(r.catalogDelta, bad).toBeUndefined();
      expect(r.catalog.find((c) => c.sku === 'DELTA-1')?.gtin).toBe(gtin(72));
    }
  });

  it('users: only an admin gives supervisor or admin; a PIN set works at once; a locked user cannot sign in', async () => {
    const boss = await csv('POST', '/api/v1/masterdata/users/import', sup, `id,name,roles,pin\nboss,Bo Boss,supervisor,9999\n`);
    expect(boss.status).toBe(422);
    expect(boss.body.errors[0]?.message).toBe('only an admin may create or change a user with the role supervisor or admin (boss)');
    expect((await csv('POST', '/api/v1/masterdata/users/import', sup, `id,name,roles\nnopin,No Pin,picker\n`)).body.errors[0]?.message).toBe(
      'new user nopin needs a PIN',
    );
    const made = await csv('POST', '/api/v1/masterdata/users/import', sup, `id,name,roles,pin,badge\npia2,Pia Two,picker,2468,b-7777\n`);
    expect(made.body).toMatchObject({ created: 1, imported: true });
    // The same file again (same PIN) changes nothing.
    expect((await csv('POST', '/api/v1/masterdata/users/import', sup, `id,name,roles,pin,badge\npia2,Pia Two,picker,2468,b-7777\n`)).body).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 1,
    });
    const dev = deviceId(0x7020);
    const t1 = await api.signIn('pia2', dev, '2468');
    // The ledger shows that the PIN changed, never the PIN or its hash.
    const created = (await mdEvents()).find((e) => (e.payload as { key: string }).key === 'pia2');
    expect(JSON.stringify(created)).not.toMatch(/2468|scrypt/);
    expect(created?.payload).toMatchObject({ after: { pinChanged: true, badge: 'B-7777' } });
    expect((await api.request('POST', '/api/v1/masterdata/users/pia2/pin', { token: sup, body: { pin: '12' } })).status).toBe(400);
    expect((await api.request('POST', '/api/v1/masterdata/users/pia2/pin', { token: sup, body: { pin: '13579' } })).status).toBe(200);
    expect((await api.signInAs('pia2', dev, '2468')).status).toBe(401);
    await api.signIn('pia2', dev, '13579');
    expect((await api.request('POST', '/api/v1/masterdata/users/pia2/lock', { token: sup })).status).toBe(200);
    expect((await api.get(`/api/v1/devices/${dev}/work`, t1)).status).toBe(401);
    // The right PIN of a disabled (locked) person: refused with the reason.
    const refused = await api.signInAs('pia2', dev, '13579');
    expect([refused.status, refused.body.error]).toEqual([403, 'user_disabled']);
    expect((await api.request('POST', '/api/v1/masterdata/users/pia2/unlock', { token: sup })).status).toBe(200);
    await api.signIn('pia2', dev, '13579');
    // A supervisor cannot lock an admin, nor themselves; an admin can make a supervisor.
    expect((await api.request('POST', '/api/v1/masterdata/users/admin/lock', { token: sup })).status).toBe(422);
    expect((await api.request<Report>('POST', '/api/v1/masterdata/users/supervisor/lock', { token: sup })).body.errors[0]?.message).toMatch(
      /only an admin|yourself/,
    );
    expect((await csv('POST', '/api/v1/masterdata/users/import', admin, `id,name,roles,pin\nboss,Bo Boss,supervisor,9999\n`)).body).toMatchObject({
      created: 1,
    });
    expect((await api.request('DELETE', '/api/v1/masterdata/users/boss', { token: admin })).status).toBe(409);
    const list = (await api.get<{ items: Record<string, unknown>[] }>('/api/v1/masterdata/users', sup)).body.items;
    expect(JSON.stringify(list)).not.toMatch(/scrypt|pin_hash|pinHash/);
  });

  it('imports an ASN against the catalog and docks, and leaves a receipt being received alone', async () => {
    const head = 'receipt,supplier,dock,line,sku,gtin,qty,sscc';
    const bad = await csv('POST', '/api/v1/masterdata/receipts/import', sup, `${head}\nASN-1,Acme,A-01-01,1,SKU-1002,,5,\nASN-2,Acme,DOCK-1,1,NOPE,,5,\n`);
    expect(bad.body.errors).toEqual([
      { line: 2, message: 'dock A-01-01 is not a dock location' },
      { line: 3, message: 'line 1 of receipt ASN-2: SKU NOPE is not in the catalog' },
    ]);
    const good = await csv('POST', '/api/v1/masterdata/receipts/import', sup, `${head}\nASN-3,Acme,DOCK-1,1,,04006381330145,5,034012345000000033\n`);
    expect(good.body).toMatchObject({ created: 1, imported: true });
    const rec = await api.signIn('receiver', deviceId(0x7030));
    const work = (await api.get<PullResponse>(`/api/v1/devices/${deviceId(0x7030)}/work`, rec)).body;
    expect(work.receipts.find((r) => r.id === 'ASN-3')).toMatchObject({
      supplier: 'Acme',
      ssccs: ['034012345000000033'],
      lines: [{ lineId: '1', sku: 'SKU-1002', gtin: '04006381330145', expectedQty: 5 }],
    });
    const dev = new DeviceEvents(0x7030, 'receiver');
    await api.push(dev.id, rec, [dev.next('receipt.received', { receiptId: 'ASN-3', sku: 'SKU-1002', location: 'DOCK-1', qty: 1 })]);
    const change = await csv('POST', '/api/v1/masterdata/receipts/import', sup, `${head}\nASN-3,Acme,DOCK-1,1,,04006381330145,9,\n`);
    expect(change.body.errors).toEqual([{ line: 2, message: 'receipt ASN-3 is already being received; it can no longer change' }]);
    expect((await api.request('DELETE', '/api/v1/masterdata/receipts/ASN-3', { token: sup })).status).toBe(409);
  });

  it('exports CSV with formulas neutralised and reads its own export back unchanged', async () => {
    await csv(
      'POST',
      '/api/v1/masterdata/catalog/import',
      sup,
      `sku,name,gtin\nEVIL-1,"=HYPERLINK(""http://evil.example"",""free"")",${gtin(50)}\nEVIL-2,@SUM(A1),${gtin(51)}\n`,
    );
    const res = await app.app.inject({ method: 'GET', url: '/api/v1/masterdata/catalog/export.csv', headers: { authorization: `Bearer ${sup}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="catalog-/);
    expect(res.body).toContain(`"'=HYPERLINK(""http://evil.example"",""free"")"`);
    expect(res.body).toContain(`'@SUM(A1)`);
    expect(res.body.split('\r\n').some((l) => /(^|,)"?[=@+-]/.test(l))).toBe(false);
    for (const entity of ['sites', 'locations', 'users', 'receipts']) {
      const out = await app.app.inject({ method: 'GET', url: `/api/v1/masterdata/${entity}/export.csv`, headers: { authorization: `Bearer ${sup}` } });
      expect(out.body).not.toMatch(/scrypt/);
      const back = await csv('POST', `/api/v1/masterdata/${entity}/preview`, sup, out.body);
      expect(back.body, entity).toMatchObject({ created: 0, updated: 0, errorCount: 0 });
    }
  });

  it('hostile bodies: a 50 MB file is refused before parsing, bad JSON, unknown entity, unknown mode, wrong media type', async () => {
    const huge = `sku,name,gtin\n${'X-1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,4006381330077\n'.repeat(900_000)}`;
    expect(huge.length).toBeGreaterThan(50_000_000);
    const r = await csv('POST', '/api/v1/masterdata/catalog/import', sup, huge);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: 'file_too_large', message: 'the file is larger than 16 MB; nothing was read. Split it into smaller files' });
    expect((await api.request('POST', '/api/v1/masterdata/catalog/import', { token: sup, body: { items: 'nope' } })).status).toBe(400);
    expect((await api.request('POST', '/api/v1/masterdata/catalog/import', { token: sup, raw: '{"items": [' })).status).toBe(400);
    expect((await api.request('POST', '/api/v1/masterdata/catalog/import', { token: sup, body: { items: [], extra: 1 } })).status).toBe(400);
    expect((await api.request('GET', '/api/v1/masterdata/passwords', { token: sup })).status).toBe(400);
    expect((await csv('POST', '/api/v1/masterdata/catalog/import?mode=yolo', sup, 'sku,name,gtin\n')).status).toBe(400);
    expect(
      (await api.request('POST', '/api/v1/masterdata/catalog/import', { token: sup, raw: '<xml/>', headers: { 'content-type': 'application/xml' } })).status,
    ).toBe(415);
    expect((await csv('POST', '/api/v1/masterdata/catalog/import', sup, '   ')).body).toMatchObject({ error: 'empty_file' });
    const json = await api.request<Report>('POST', '/api/v1/masterdata/catalog/import', {
      token: sup,
      body: { items: [{ sku: 'J-1', name: 'Json', gtin: gtin(60) }, { sku: 'J-2' }] },
    });
    expect(json.status).toBe(422);
    expect(json.body.errors).toEqual([
      { line: 2, column: 'name', message: 'name is empty' },
      { line: 2, column: 'gtin', message: 'GTIN is empty' },
    ]);
    expect(await replayMismatches(app.db)).toEqual([]);
  });
});
