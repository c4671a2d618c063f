/**
 * Live reads of the work cache that every workflow screen needs. Each is undefined until
 * IndexedDB has answered: a scan must never be judged against a catalog that has not loaded
 * yet (a known GTIN would read as unknown), so workflow screens pass `ready` to `useWorkflow`,
 * which holds scans until then.
 */
import { useLiveQuery } from 'dexie-react-hooks';
import type { CatalogItem } from '../../domain/protocol.ts';
import type { LocationRow } from '../../device/db.ts';
import { useDevice } from '../app/device.ts';

export function useCatalog(): CatalogItem[] | undefined {
  const { db } = useDevice();
  return useLiveQuery(() => db.catalog.toArray(), [db]);
}

export function useLocations(): LocationRow[] | undefined {
  const { db } = useDevice();
  return useLiveQuery(() => db.locations.toArray(), [db]);
}

/** What a screen shows while the catalog loads: nothing to name yet. */
export const NO_CATALOG: CatalogItem[] = [];
