import { describe, expect, it } from 'vitest';
import { getMeta } from '../../src/device/db.ts';
import { StorageError } from '../../src/device/event-log.ts';
import { isLow, requestPersistence, storageHealth, type StorageApi } from '../../src/device/storage.ts';
import { newDevice } from './helpers.ts';

const MB = 1024 * 1024;
function storage(o: { persisted?: boolean; grants?: boolean; usage: number; quota: number; fails?: boolean }): StorageApi & { asked: number } {
  let persisted = o.persisted ?? false;
  const api = {
    asked: 0,
    persisted: async () => persisted,
    persist: async () => {
      api.asked += 1;
      if (o.fails) throw new Error('not allowed');
      persisted = o.grants ?? false;
      return persisted;
    },
    estimate: async () => ({ usage: o.usage, quota: o.quota }),
  };
  return api;
}

describe('storage health', () => {
  it('asks for persistence once and records the answer', async () => {
    const db = newDevice();
    const granted = storage({ grants: true, usage: 1 * MB, quota: 1000 * MB });
    expect(await requestPersistence(db, new Date('2026-11-23T10:00:00Z'), granted)).toBe(true);
    expect(await requestPersistence(db, new Date('2026-11-23T10:00:00Z'), granted)).toBe(true);
    expect(granted.asked).toBe(1);
    expect(await getMeta(db, 'storage')).toEqual({ persisted: true, askedAt: '2026-11-23T10:00:00.000Z' });
    const refused = storage({ fails: true, usage: 0, quota: 1 });
    expect(await requestPersistence(db, new Date('2026-11-23T11:00:00Z'), refused)).toBe(false);
    expect((await getMeta(db, 'storage'))?.persisted).toBe(false);
  });

  it('warns when little room is left', async () => {
    expect(isLow(100 * MB, 1000 * MB)).toBe(false);
    expect(isLow(950 * MB, 1000 * MB)).toBe(true);
    // A small quota: under half left counts as low.
    expect(isLow(30 * MB, 50 * MB)).toBe(true);
    expect(isLow(undefined, 1000 * MB)).toBe(false);
    const db = newDevice();
    expect(await storageHealth(db, storage({ persisted: true, usage: 990 * MB, quota: 1000 * MB }))).toEqual({
      persisted: true,
      usage: 990 * MB,
      quota: 1000 * MB,
      low: true,
    });
    expect(await storageHealth(db, undefined)).toEqual({ persisted: undefined, usage: undefined, quota: undefined, low: false });
  });

  it('a write refused because another tab updated the database says to reload', () => {
    expect(new StorageError('VersionError', 'the requested version is less than the existing one').message).toMatch(/updated in another tab.*Reload this page/);
  });
});
