import type { Page } from 'playwright-core';
import type { Api } from './api.ts';

export type DeviceLogEntry = { seq: number; id: string; type: string; state: string };
export type DeviceLog = { deviceId: string | null; nextSeq: number | null; events: DeviceLogEntry[] };

/**
 * Reads the handheld's event log straight from IndexedDB (read-only, raw API, so it works
 * whatever the page is doing and even with writes sabotaged by a test).
 */
export async function deviceLog(page: Page, dbName = 'floor-scanner'): Promise<DeviceLog> {
  return page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      if (!db.objectStoreNames.contains('events')) return { deviceId: null, nextSeq: null, events: [] };
      const tx = db.transaction(['events', 'meta'], 'readonly');
      const get = <T>(r: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const events = (await get(tx.objectStore('events').getAll())) as { seq: number; id: string; type: string; state: string }[];
      const device = (await get(tx.objectStore('meta').get('deviceId'))) as { value: string } | undefined;
      const next = (await get(tx.objectStore('meta').get('nextSeq'))) as { value: number } | undefined;
      return {
        deviceId: device?.value ?? null,
        nextSeq: next?.value ?? null,
        events: events.map((e) => ({ seq: e.seq, id: e.id, type: e.type, state: e.state })),
      };
    } finally {
      db.close();
    }
  }, dbName);
}

/**
 * Waits until every event in the page's log is delivered, then checks the API's ledger holds
 * each of them exactly once, under the same seq, with seqs 1..N and no gap or repeat.
 * Returns the log.
 */
export async function expectDeliveredExactlyOnce(page: Page, api: Api, opts: { timeoutMs?: number } = {}): Promise<DeviceLog> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let log = await deviceLog(page);
  // Polls a condition (not a timing assumption): the engine delivers as soon as it can.
  while (log.events.some((e) => e.state === 'pending')) {
    if (Date.now() > deadline) throw new Error(`e2e: events still pending: ${JSON.stringify(log.events.filter((e) => e.state === 'pending'))}`);
    await page.waitForTimeout(100);
    log = await deviceLog(page);
  }
  if (!log.deviceId) throw new Error('e2e: the page has no device id');
  const ledger = await api.ledger({ deviceId: log.deviceId });
  const seqs = ledger.map((e) => e.seq).sort((a, b) => a - b);
  const n = log.events.length;
  const problems: string[] = [];
  if (JSON.stringify(seqs) !== JSON.stringify(Array.from({ length: n }, (_, i) => i + 1))) problems.push(`ledger seqs ${JSON.stringify(seqs)} are not 1..${n}`);
  for (const e of log.events) {
    const held = ledger.filter((l) => l.id === e.id);
    if (held.length !== 1) problems.push(`event ${e.seq} (${e.id}) is ${held.length} times in the ledger`);
    else if (held[0]?.seq !== e.seq) problems.push(`event ${e.id} is seq ${e.seq} on the device, ${held[0]?.seq} on the API`);
  }
  if (problems.length > 0) throw new Error(`e2e: delivery is not exactly once:\n${problems.join('\n')}`);
  return log;
}
