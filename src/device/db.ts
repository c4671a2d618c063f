/**
 * The one Dexie module of the handheld: the event log, device identity and sync meta,
 * the work cache and settings. Every schema version is declared here, oldest first, so a
 * device that still holds an older database upgrades it with its data in place.
 */
import { Dexie, type EntityTable, type Table } from 'dexie';
import type { EventType } from '../domain/events.ts';
import type { RejectionCode, User, CatalogItem, PickList, Receipt, CountTaskView, QuarantinedReturn } from '../domain/protocol.ts';
import { DEFAULT_DB_NAME } from './db-rows.ts';

// The typed row helpers need no Dexie: they live apart so the first screen can hold them
// without loading the database library (see db-rows.ts); device code imports them from here.
export { DEFAULT_DB_NAME, deleteMeta, deviceIdOf, getMeta, getSetting, putSetting, setMeta } from './db-rows.ts';

export type EventState = 'pending' | 'delivered' | 'rejected';

/** An event as the device stores it: the wire envelope plus its delivery state. */
export type StoredEvent = {
  seq: number;
  id: string;
  deviceId: string;
  type: EventType;
  payload: unknown;
  actor: string;
  occurredAt: string;
  schemaVersion: number;
  /** The sign-in session it was recorded under (schema v2); stamped once, never changed. */
  session?: string;
  /** Recorded under an offline sign-in: the API's signed grant that vouches for the session. */
  grant?: string;
  state: EventState;
  /** The API's reason, when it recorded the event as rejected. */
  rejection?: { code: RejectionCode | string; message: string };
  /** When the device learned the API holds the event (ISO). */
  deliveredAt?: string;
  /** A supervisor acknowledged a rejected event: kept, but off the needs-attention list. */
  dismissed?: { by: string; at: string };
  /** Re-delivered after a device reset: its device id and seq under the retired registration. */
  formerly?: { deviceId: string; seq: number };
};

/** Key/value rows of the `meta` table, each with its own type. */
export type MetaValues = {
  /** Made once per IndexedDB instance: wiped storage is a new device that starts again at seq 1. */
  deviceId: string;
  /** The seq the next appended event gets. */
  nextSeq: number;
  /** The API's pull cursor for the work cache. */
  pullCursor: string;
  /** The catalog's cursor: the next pull asks only for what changed after it. */
  catalogCursor: number;
  /** Highest seq the API confirmed it holds. */
  lastAckedSeq: number;
  /** When a push or pull last succeeded (ISO). */
  lastDeliveryAt: string;
  /** Ledger position up to which this device's rejections were read back after lost answers. */
  ledgerCursor: number;
  /** The open sign-in; `id` is the public session id events are stamped with. */
  session: {
    token: string;
    id: string;
    user: User;
    signedInAt: string;
    expiresAt?: string;
    /** Signed in without the network (src/device/offline-signin.ts): no token; `id` is the grant's, which every event carries. */
    offline?: { grant: string };
  };
  /** The secret the API gave this device at its first sign-in, on a browser without WebCrypto (or before it had a key). */
  deviceSecret: string;
  /**
   * This device's key (ECDSA P-256): the private half made non-extractable and kept as a CryptoKey
   * (IndexedDB's structured clone keeps it non-extractable: no script can read it out), the public
   * half as SPKI, base64url. Every sign-in signs a fresh challenge of the API with it.
   */
  deviceKey: { privateKey: CryptoKey; publicKey: string };
  /** Set when the API said a supervisor reset this device: it re-registers under a fresh id at the next sign-in. */
  reset: { at: string; newDeviceId?: string };
  storage: { persisted: boolean; askedAt: string };
};
export type MetaKey = keyof MetaValues;
export type MetaRow = { [K in MetaKey]: { key: K; value: MetaValues[K] } }[MetaKey];

export type LocationRow = { id: string; kind: 'bin' | 'dock' | 'qc' | 'returns' };
export type SettingRow = { key: string; value: unknown };

export type FloorDb = Dexie & {
  events: EntityTable<StoredEvent, 'seq'>;
  meta: EntityTable<MetaRow, 'key'>;
  settings: EntityTable<SettingRow, 'key'>;
  catalog: EntityTable<CatalogItem, 'sku'>;
  locations: EntityTable<LocationRow, 'id'>;
  pickLists: EntityTable<PickList, 'id'>;
  receipts: EntityTable<Receipt, 'id'>;
  countTasks: EntityTable<CountTaskView, 'id'>;
  returns: EntityTable<QuarantinedReturn, 'returnId'>;
  retired: Table<StoredEvent, [string, number]>;
};

/**
 * Schema history, oldest first. Never edit a released entry: add a new version.
 * v1: the event log, meta and settings (the first release).
 * v2: the work cache, and indexes for the sync engine (`[state+seq]`) and pruning (`deliveredAt`).
 * v3: `retired`, the event log of a registration a supervisor reset, kept as it was when the
 *     device re-registered under a fresh id (its undelivered events go on in `events`).
 * v4: catalog items carry their case GTINs (`cases`): the upgrade forgets the pull and catalog
 *     cursors, so the next pull brings the whole catalog with them (a delta would only bring
 *     the SKUs changed since, leaving the others without their cases).
 */
export const SCHEMA_VERSIONS = [
  {
    version: 1,
    stores: {
      events: 'seq, &id, state',
      meta: 'key',
      settings: 'key',
    },
  },
  {
    version: 2,
    stores: {
      events: 'seq, &id, state, [state+seq], deliveredAt',
      catalog: 'sku, gtin',
      locations: 'id',
      pickLists: 'id, status',
      receipts: 'id, status',
      countTasks: 'id, location',
      returns: 'returnId, resolved',
    },
  },
  {
    version: 3,
    stores: {
      retired: '[deviceId+seq], deviceId, id',
    },
  },
  {
    version: 4,
    stores: {},
  },
] as const;
export const CURRENT_DB_VERSION = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1]!.version;

/** Where the database lives: the browser's IndexedDB by default, a fake one per device in Node tests. */
export type DbBackend = { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange };

export type OpenOptions = {
  backend?: DbBackend;
  /** Makes the device id on first creation; a random UUID by default. */
  newDeviceId?: () => string;
};

/** Opens (creating or upgrading) the handheld's database. Writes use strict durability. */
export function openFloorDb(name: string = DEFAULT_DB_NAME, opts: OpenOptions = {}): FloorDb {
  const db = new Dexie(name, {
    // Chromium's relaxed default can lose a committed write on power loss; a scan must not.
    chromeTransactionDurability: 'strict',
    ...(opts.backend ? { indexedDB: opts.backend.indexedDB, IDBKeyRange: opts.backend.IDBKeyRange } : {}),
  }) as FloorDb;
  for (const v of SCHEMA_VERSIONS) db.version(v.version).stores(v.stores);
  // v2 added the pruning index: a v1 delivered event without `deliveredAt` gets the time of upgrade.
  db.version(2).upgrade(async (tx) => {
    const at = new Date().toISOString();
    await tx
      .table<StoredEvent>('events')
      .filter((e) => e.state !== 'pending' && e.deliveredAt === undefined)
      .modify((e) => {
        e.deliveredAt = at;
      });
  });
  // v4: the cached catalog has no case GTINs yet; without the cursors the next pull sends it whole, with them.
  db.version(4).upgrade(async (tx) => {
    await tx.table<MetaRow, MetaKey>('meta').bulkDelete(['catalogCursor', 'pullCursor']);
  });
  const newId = opts.newDeviceId ?? (() => crypto.randomUUID());
  // `populate` runs once, when this IndexedDB instance is created: identity is never reused.
  db.on('populate', (tx) => {
    const meta = tx.table<MetaRow, 'key'>('meta');
    void meta.add({ key: 'deviceId', value: newId() });
    void meta.add({ key: 'nextSeq', value: 1 });
    void meta.add({ key: 'lastAckedSeq', value: 0 });
  });
  return db;
}
