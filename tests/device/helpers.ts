/** Builders and controllable edges for the device tests: each device on its own fake IndexedDB. */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openFloorDb, type FloorDb } from '../../src/device/db.ts';
import type { DraftEvent } from '../../src/domain/events.ts';
import { asLocation, asSku, asTask, asTote, asQty } from '../../src/domain/ids.ts';

/** A fresh, independent IndexedDB: a new handheld. */
export function newBackend() {
  return { indexedDB: new IDBFactory(), IDBKeyRange };
}

let deviceCounter = 0;
/** Opens a device database on its own IndexedDB, with a deterministic device id. */
export function newDevice(opts: { name?: string; backend?: ReturnType<typeof newBackend>; deviceId?: string } = {}): FloorDb {
  deviceCounter += 1;
  const id = opts.deviceId ?? `0190a0b0-0000-7000-8000-${String(deviceCounter).padStart(12, '0')}`;
  // Distinct names: Dexie tells same-named databases in one process about each other's writes.
  return openFloorDb(opts.name ?? `floor-test-${deviceCounter}`, { backend: opts.backend ?? newBackend(), newDeviceId: () => id });
}

/** A `pick.held` draft: `qty` units of `sku` from `bin` into a tote. */
export function pickHeld(n: number, o: { sku?: string; bin?: string; qty?: number; line?: { pickListId: string; lineId: string } } = {}): DraftEvent {
  return {
    type: 'pick.held',
    payload: {
      pickListId: asTask(o.line?.pickListId ?? 'PL-1'),
      lineId: o.line?.lineId ?? String(n),
      sku: asSku(o.sku ?? 'SKU-1'),
      location: asLocation(o.bin ?? 'A-01-01'),
      tote: asTote('T-1'),
      qty: asQty(o.qty ?? 1),
    },
  };
}

/** A `receipt.received` draft: `qty` units into QC at the dock. */
export function received(qty: number, o: { sku?: string; dock?: string } = {}): DraftEvent {
  return {
    type: 'receipt.received',
    payload: { receiptId: asTask('R-1'), sku: asSku(o.sku ?? 'SKU-1'), location: asLocation(o.dock ?? 'DOCK-1'), qty: asQty(qty) },
  };
}

/** Polls `cond` between macrotasks until it holds: tests wait on conditions, never on time. */
export async function until(cond: () => boolean | Promise<boolean>, what = 'condition', maxTurns = 200_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (await cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** When a device test's clock starts: a shift's morning. */
export const SHIFT_START = Date.parse('2026-11-23T10:00:00Z');
