/**
 * The page's one scan runtime, started on first use with the device's saved scanner
 * settings. Screens reach it through `useScanner`; tests and the calibration page may
 * provide their own through `ScanRuntimeContext`.
 */
import { createContext, useContext } from 'react';
import { getSetting, putSetting } from '../../device/db-rows.ts';
import { startScanRuntime, type ScanRuntime } from '../../scan/runtime.ts';
import { keyValueSettingsStore, type ScanSettingsStore } from '../../scan/settings.ts';
import { browserDb } from '../app/device.ts';

let shared: ScanRuntime | undefined;

/** The device's scanner settings in its Dexie settings table (the database opens on first use). */
export function deviceSettingsStore(): ScanSettingsStore {
  return keyValueSettingsStore({
    get: async (k) => getSetting<unknown>(await browserDb(), k, undefined),
    put: async (k, v) => putSetting(await browserDb(), k, v),
  });
}

/** Starts (once) and returns the page's scan runtime; saved settings apply when loaded. */
export function browserScanRuntime(): ScanRuntime {
  if (!shared) {
    const runtime = startScanRuntime(document);
    shared = runtime;
    void deviceSettingsStore()
      .load()
      .then((s) => runtime.apply(s))
      .catch((err: unknown) => console.warn('scanner settings could not be read; defaults in use', err));
  }
  return shared;
}

export const ScanRuntimeContext = createContext<ScanRuntime | null>(null);

/** The runtime from context, or the page's shared one. */
export function useScanRuntime(): ScanRuntime {
  return useContext(ScanRuntimeContext) ?? browserScanRuntime();
}
