import { describe, expect, it } from 'vitest';
import { Dexie } from 'dexie';
import { CURRENT_DB_VERSION, SCHEMA_VERSIONS, deviceIdOf, getMeta, getSetting, openFloorDb, putSetting } from '../../src/device/db.ts';
import { appendEvent, pendingEvents, pruneDelivered } from '../../src/device/event-log.ts';
import { newBackend, newDevice, pickHeld } from './helpers.ts';

const now = new Date('2026-11-23T10:00:00Z');

describe('device database', () => {
  it('creates the device id once per IndexedDB and keeps it across reopening', async () => {
    const backend = newBackend();
    let made = 0;
    const open = () => openFloorDb('floor', { backend, newDeviceId: () => `0190a0b0-0000-7000-8000-00000000000${++made}` });
    const first = open();
    const id = await deviceIdOf(first);
    await appendEvent(first, pickHeld(1), { actor: 'picker', now, session: 'session-of-picker-1' });
    first.close();
    const again = open();
    expect(await deviceIdOf(again)).toBe(id);
    expect((await appendEvent(again, pickHeld(2), { actor: 'picker', now, session: 'session-of-picker-1' })).seq).toBe(2);
    expect(made).toBe(1);
    again.close();
  });

  it('wiped storage is a new device that starts again at seq 1', async () => {
    const a = newDevice();
    const b = newDevice();
    await appendEvent(a, pickHeld(1), { actor: 'picker', now, session: 'session-of-picker-1' });
    expect(await deviceIdOf(a)).not.toBe(await deviceIdOf(b));
    expect((await appendEvent(b, pickHeld(1), { actor: 'picker', now, session: 'session-of-picker-1' })).seq).toBe(1);
  });

  it('upgrades a version 1 database with its data in place', async () => {
    const backend = newBackend();
    const v1 = new Dexie('floor', { indexedDB: backend.indexedDB, IDBKeyRange: backend.IDBKeyRange });
    v1.version(1).stores(SCHEMA_VERSIONS[0].stores);
    const deviceId = '0190a0b0-0000-7000-8000-0000000000aa';
    await v1.table('meta').bulkAdd([
      { key: 'deviceId', value: deviceId },
      { key: 'nextSeq', value: 4 },
      { key: 'lastAckedSeq', value: 2 },
    ]);
    const base = { deviceId, type: 'pick.held', actor: 'picker', occurredAt: now.toISOString(), schemaVersion: 1, payload: pickHeld(1).payload };
    await v1.table('events').bulkAdd([
      { ...base, seq: 1, id: '0190a0b0-0000-7000-8000-000000000001', state: 'delivered' },
      { ...base, seq: 2, id: '0190a0b0-0000-7000-8000-000000000002', state: 'rejected', rejection: { code: 'forbidden', message: 'no' } },
      { ...base, seq: 3, id: '0190a0b0-0000-7000-8000-000000000003', state: 'pending' },
    ]);
    await v1.table('settings').put({ key: 'scanner', value: { suffix: 'Enter' } });
    v1.close();

    const db = openFloorDb('floor', { backend, newDeviceId: () => 'never-used' });
    await db.open();
    expect(db.verno).toBe(CURRENT_DB_VERSION);
    expect(await deviceIdOf(db)).toBe(deviceId);
    expect(await getSetting(db, 'scanner', null)).toEqual({ suffix: 'Enter' });
    // The new compound index answers over the old rows.
    expect((await pendingEvents(db)).map((e) => e.seq)).toEqual([3]);
    // The next append continues the old numbering.
    expect((await appendEvent(db, pickHeld(4), { actor: 'picker', now, session: 'session-of-picker-1' })).seq).toBe(4);
    // Old delivered rows got a deliveredAt, so pruning can see them; the rejected one stays.
    const pruned = await pruneDelivered(db, { now: new Date(Date.now() + 30 * 86_400_000), maxAgeDays: 7, maxEntries: 1000 });
    expect(pruned).toBe(1);
    expect((await db.events.toArray()).map((e) => [e.seq, e.state])).toEqual([
      [2, 'rejected'],
      [3, 'pending'],
      [4, 'pending'],
    ]);
    expect(await db.catalog.count()).toBe(0);
    expect(await getMeta(db, 'lastAckedSeq')).toBe(2);
    // v3: the retired-registration log starts empty; a queued v1 event keeps its version and no session
    // (the API takes it under the pre-session rule), while a new event is v2 with the session stamped.
    expect(await db.retired.count()).toBe(0);
    const [old, fresh] = await pendingEvents(db);
    expect([old?.schemaVersion, old?.session]).toEqual([1, undefined]);
    expect([fresh?.schemaVersion, fresh?.session]).toEqual([2, 'session-of-picker-1']);
    db.close();
  });

  it('upgrades a version 3 database to 4: the catalog stays, its cursors go, so the next pull brings case GTINs', async () => {
    const backend = newBackend();
    const v3 = new Dexie('floor', { indexedDB: backend.indexedDB, IDBKeyRange: backend.IDBKeyRange });
    for (const v of SCHEMA_VERSIONS.filter((x) => x.version <= 3)) v3.version(v.version).stores(v.stores);
    const deviceId = '0190a0b0-0000-7000-8000-0000000000ab';
    await v3.table('meta').bulkAdd([
      { key: 'deviceId', value: deviceId },
      { key: 'nextSeq', value: 7 },
      { key: 'lastAckedSeq', value: 6 },
      { key: 'catalogCursor', value: 42 },
      { key: 'pullCursor', value: 'c42' },
    ]);
    await v3.table('catalog').put({ sku: 'SKU-1', gtin: '04006381330077', name: 'Bottle', unitsPerCase: 12 });
    v3.close();

    const db = openFloorDb('floor', { backend, newDeviceId: () => 'never-used' });
    await db.open();
    expect(db.verno).toBe(4);
    expect(await getMeta(db, 'catalogCursor')).toBeUndefined();
    expect(await getMeta(db, 'pullCursor')).toBeUndefined();
    // Still usable offline until that pull: the catalog and the device's identity and numbering are kept.
    expect(await db.catalog.get('SKU-1')).toMatchObject({ gtin: '04006381330077' });
    expect(await deviceIdOf(db)).toBe(deviceId);
    expect(await getMeta(db, 'nextSeq')).toBe(7);
    db.close();
  });

  it('keeps settings by key', async () => {
    const db = newDevice();
    expect(await getSetting(db, 'scanner', { prefix: '' })).toEqual({ prefix: '' });
    await putSetting(db, 'scanner', { prefix: ']C1' });
    expect(await getSetting(db, 'scanner', { prefix: '' })).toEqual({ prefix: ']C1' });
  });
});
