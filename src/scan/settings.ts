/**
 * The device's scanner settings (wedge, label patterns, camera), validated before they
 * are used or saved, and kept behind a two-method store so the Dexie settings table is
 * one implementation among others.
 */
import { DEFAULT_LABEL_PATTERNS, compileLabelPatterns, type LabelPatterns } from '../domain/barcode/labels.ts';
import { DEFAULT_SYMBOLOGIES, isSymbology, type Symbology } from '../domain/barcode/symbology.ts';
import { DEFAULT_REGION, checkRegion, type Region } from './camera/camera.ts';
import { ENGINE_NAMES, type EngineName } from './camera/types.ts';
import { DEFAULT_WEDGE_SETTINGS, checkWedgeSettings, type WedgeSettings } from './wedge.ts';

export type ScanSettings = {
  wedge: WedgeSettings;
  labels: LabelPatterns;
  camera: { deviceId?: string; engine?: EngineName; region: Region };
  duplicateWindowMs: number;
  /** The symbologies this site accepts, from camera and wedge alike. */
  symbologies: Symbology[];
  /** The site's Code 39 labels carry a mod-43 check character. */
  code39Check: boolean;
  /**
   * 2: stacked DataBar is a symbology of its own. A list saved before it was (no version)
   * chose DataBar with its stacked kinds, so they are kept.
   */
  symbologiesVersion?: 2;
};

export const DEFAULT_SCAN_SETTINGS: ScanSettings = {
  wedge: DEFAULT_WEDGE_SETTINGS,
  labels: DEFAULT_LABEL_PATTERNS,
  camera: { region: DEFAULT_REGION },
  duplicateWindowMs: 1500,
  symbologies: [...DEFAULT_SYMBOLOGIES],
  code39Check: false,
  symbologiesVersion: 2,
};

/** Validates settings read from storage or a form; throws naming the field that is wrong. */
export function checkScanSettings(s: ScanSettings): ScanSettings {
  if (typeof s !== 'object' || s === null) throw new Error('scanner settings must be an object');
  checkWedgeSettings(s.wedge);
  compileLabelPatterns(s.labels);
  checkRegion(s.camera.region);
  if (s.camera.engine !== undefined && !ENGINE_NAMES.includes(s.camera.engine)) throw new Error(`camera engine must be one of ${ENGINE_NAMES.join(', ')}`);
  if (!Number.isInteger(s.duplicateWindowMs) || s.duplicateWindowMs < 0 || s.duplicateWindowMs > 60_000) {
    throw new Error('duplicateWindowMs must be a whole number of ms from 0 to 60000');
  }
  if (!Array.isArray(s.symbologies) || !s.symbologies.every(isSymbology)) throw new Error('symbologies must be a list of known symbologies');
  if (s.symbologies.length === 0) throw new Error('symbologies: enable at least one symbology');
  if (typeof s.code39Check !== 'boolean') throw new Error('code39Check must be true or false');
  if (s.symbologiesVersion !== undefined && s.symbologiesVersion !== 2) throw new Error('symbologiesVersion must be 2');
  return s;
}

/** Fills what an older stored version lacks from the defaults. */
export function withDefaults(stored: Partial<ScanSettings> | undefined): ScanSettings {
  return {
    wedge: { ...DEFAULT_WEDGE_SETTINGS, ...stored?.wedge },
    labels: { ...DEFAULT_LABEL_PATTERNS, ...stored?.labels },
    camera: { region: DEFAULT_REGION, ...stored?.camera },
    duplicateWindowMs: stored?.duplicateWindowMs ?? DEFAULT_SCAN_SETTINGS.duplicateWindowMs,
    symbologies: stored?.symbologies ? symbologiesOf(stored) : [...DEFAULT_SYMBOLOGIES],
    code39Check: stored?.code39Check ?? false,
    symbologiesVersion: 2,
  };
}

/** A stored list, with stacked DataBar kept where it was saved as part of DataBar. */
function symbologiesOf(stored: Partial<ScanSettings>): Symbology[] {
  const list = [...(stored.symbologies ?? [])];
  const hadStacked = stored.symbologiesVersion === undefined && (list.includes('databar') || list.includes('databar-expanded'));
  return hadStacked && !list.includes('databar-stacked') ? [...list, 'databar-stacked'] : list;
}

export interface ScanSettingsStore {
  load(): Promise<ScanSettings>;
  save(settings: ScanSettings): Promise<void>;
}

/** The key of the scanner settings in the device's settings table. */
export const SCAN_SETTINGS_KEY = 'scanner';

/** A store over any key-value settings table (the Dexie one in the app). */
export function keyValueSettingsStore(kv: { get(key: string): Promise<unknown>; put(key: string, value: unknown): Promise<void> }): ScanSettingsStore {
  return {
    async load() {
      const stored = (await kv.get(SCAN_SETTINGS_KEY)) as Partial<ScanSettings> | undefined;
      try {
        return checkScanSettings(withDefaults(stored));
      } catch {
        // A stored value this build cannot use is replaced by the defaults, never half-used.
        return DEFAULT_SCAN_SETTINGS;
      }
    },
    async save(settings) {
      await kv.put(SCAN_SETTINGS_KEY, checkScanSettings(settings));
    },
  };
}
