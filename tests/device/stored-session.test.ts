/**
 * The page start's read of the stored session, straight from IndexedDB (no Dexie): it answers
 * what Dexie would, never creates the database (Dexie's first open must make the device id),
 * and lets Dexie open and upgrade the database right after.
 */
import { describe, expect, it } from 'vitest';
import { Dexie } from 'dexie';
import { SCHEMA_VERSIONS, deviceIdOf, getMeta, openFloorDb, putSetting, setMeta, type MetaValues } from '../../src/device/db.ts';
import { currentSession, readStartState } from '../../src/device/stored-session.ts';
import { newBackend } from './helpers.ts';

const languageKey = (userId: string) => `language:${userId}`;
const keys = (userId: string) => [languageKey(userId)];
const session: MetaValues['session'] = {
  token: 'tok',
  id: 'session-1',
  user: { id: 'picker', name: 'Pat Picker', roles: ['picker'] },
  signedInAt: '2026-11-23T10:00:00Z',
};

describe('readStartState', () => {
  it('on a device with no database answers no session and creates nothing', async () => {
    const backend = newBackend();
    expect(await readStartState(keys, backend.indexedDB, 'floor')).toEqual({ session: undefined, settings: new Map() });
    expect(await backend.indexedDB.databases()).toEqual([]);
    // Dexie's first open still creates it, device id included.
    const db = openFloorDb('floor', { backend, newDeviceId: () => '0190a0b0-0000-7000-8000-000000000001' });
    expect(await deviceIdOf(db)).toBe('0190a0b0-0000-7000-8000-000000000001');
    db.close();
  });

  it("reads the stored session and its user's settings, as Dexie does", async () => {
    const backend = newBackend();
    const db = openFloorDb('floor', { backend });
    await setMeta(db, 'session', session);
    await putSetting(db, languageKey('picker'), 'de');
    await putSetting(db, languageKey('other'), 'en');
    const start = await readStartState((id) => [languageKey(id), 'unset'], backend.indexedDB, 'floor');
    expect(start.session).toEqual(await currentSession(db));
    expect(start.session).toEqual(session);
    expect([...start.settings]).toEqual([[languageKey('picker'), 'de']]);
    db.close();
  });

  it('a session without an id (from before session ids) counts as none, and no settings are read', async () => {
    const backend = newBackend();
    const db = openFloorDb('floor', { backend });
    const { id: _id, ...old } = session;
    await db.meta.put({ key: 'session', value: old as never });
    await putSetting(db, languageKey('picker'), 'de');
    expect(await readStartState(keys, backend.indexedDB, 'floor')).toEqual({ session: undefined, settings: new Map() });
    expect(await currentSession(db)).toBeUndefined();
    db.close();
  });

  it('closes its connection: Dexie then upgrades an older database in place', async () => {
    const backend = newBackend();
    const v1 = new Dexie('floor', { indexedDB: backend.indexedDB, IDBKeyRange: backend.IDBKeyRange });
    v1.version(1).stores(SCHEMA_VERSIONS[0].stores);
    await v1.table('meta').bulkAdd([
      { key: 'deviceId', value: '0190a0b0-0000-7000-8000-0000000000aa' },
      { key: 'session', value: session },
    ]);
    await v1.table('settings').add({ key: languageKey('picker'), value: 'de' });
    v1.close();
    expect(await readStartState(keys, backend.indexedDB, 'floor')).toEqual({ session, settings: new Map([[languageKey('picker'), 'de']]) });
    const db = openFloorDb('floor', { backend });
    expect(await getMeta(db, 'session')).toEqual(session);
    expect(db.verno).toBe(SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]!.version);
    db.close();
  });
});
