import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { getSetting, openFloorDb, putSetting } from '../../src/device/db.ts';
import { DEFAULT_SCAN_SETTINGS, SCAN_SETTINGS_KEY, checkScanSettings, keyValueSettingsStore } from '../../src/scan/settings.ts';

function deviceStore() {
  const backend = { indexedDB: new IDBFactory(), IDBKeyRange };
  const open = () => openFloorDb('scan-settings-test', { backend, newDeviceId: () => '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' });
  const db = open();
  return { db, open, store: keyValueSettingsStore({ get: (k) => getSetting<unknown>(db, k, undefined), put: (k, v) => putSetting(db, k, v) }) };
}

describe('scanner settings', () => {
  it('persist in the device database and survive a reopen', async () => {
    const { db, open, store } = deviceStore();
    expect(await store.load()).toEqual(DEFAULT_SCAN_SETTINGS);
    const next = { ...DEFAULT_SCAN_SETTINGS, wedge: { ...DEFAULT_SCAN_SETTINGS.wedge, suffix: 'Tab' as const, gsSubstitute: '~' } };
    await store.save(next);
    db.close();
    const again = open();
    expect(await getSetting(again, SCAN_SETTINGS_KEY, null)).toMatchObject({ wedge: { suffix: 'Tab', gsSubstitute: '~' } });
    again.close();
  });

  it('refuses bad settings naming the field, and stores nothing', async () => {
    const { db, store } = deviceStore();
    await expect(store.save({ ...DEFAULT_SCAN_SETTINGS, labels: { ...DEFAULT_SCAN_SETTINGS.labels, bin: '(' } })).rejects.toThrow(/bin/);
    await expect(store.save({ ...DEFAULT_SCAN_SETTINGS, camera: { region: { x: 0.5, y: 0, width: 0.8, height: 0.5 } } })).rejects.toThrow(/viewfinder/);
    await expect(store.save({ ...DEFAULT_SCAN_SETTINGS, duplicateWindowMs: -1 })).rejects.toThrow(/duplicateWindowMs/);
    expect(await getSetting(db, SCAN_SETTINGS_KEY, null)).toBeNull();
    db.close();
  });

  it('fills an older stored shape from the defaults and falls back when it cannot be used', async () => {
    const { db, store } = deviceStore();
    await putSetting(db, SCAN_SETTINGS_KEY, { wedge: { suffix: 'none' } });
    expect((await store.load()).wedge).toEqual({ ...DEFAULT_SCAN_SETTINGS.wedge, suffix: 'none' });
    await putSetting(db, SCAN_SETTINGS_KEY, { wedge: { maxGapMs: 'fast' } });
    expect(await store.load()).toEqual(DEFAULT_SCAN_SETTINGS);
    expect(() => checkScanSettings(DEFAULT_SCAN_SETTINGS)).not.toThrow();
    db.close();
  });

  it('keeps stacked DataBar for a site that chose DataBar before stacked DataBar was a choice of its own', async () => {
    const { db, store } = deviceStore();
    // Saved before: "GS1 DataBar (omnidirectional, stacked, limited)" was one choice.
    await putSetting(db, SCAN_SETTINGS_KEY, { symbologies: ['ean-upc', 'databar'] });
    expect((await store.load()).symbologies).toEqual(['ean-upc', 'databar', 'databar-stacked']);
    await putSetting(db, SCAN_SETTINGS_KEY, { symbologies: ['ean-upc', 'code-128'] });
    expect((await store.load()).symbologies).toEqual(['ean-upc', 'code-128']);
    // Saved since: the site's list as it is, stacked DataBar off where it was turned off.
    await store.save({ ...DEFAULT_SCAN_SETTINGS, symbologies: ['ean-upc', 'databar'] });
    expect((await store.load()).symbologies).toEqual(['ean-upc', 'databar']);
    expect(DEFAULT_SCAN_SETTINGS.symbologies).not.toContain('databar-stacked');
    await expect(store.save({ ...DEFAULT_SCAN_SETTINGS, symbologiesVersion: 3 as 2 })).rejects.toThrow(/symbologiesVersion/);
    db.close();
  });
});
