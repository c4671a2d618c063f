/** Live reads of the work cache that every workflow screen needs. */
import { useLiveQuery } from 'dexie-react-hooks';
import type { CatalogItem } from '../../domain/protocol.ts';
import type { LocationRow } from '../../device/db.ts';
import { useDevice } from '../app/device.ts';

const NO_CATALOG: CatalogItem[] = [];
const NO_LOCATIONS: LocationRow[] = [];

export function useCatalog(): CatalogItem[] {
  const { db } = useDevice();
  return useLiveQuery(() => db.catalog.toArray(), [db]) ?? NO_CATALOG;
}

export function useLocations(): LocationRow[] {
  const { db } = useDevice();
  return useLiveQuery(() => db.locations.toArray(), [db]) ?? NO_LOCATIONS;
}
