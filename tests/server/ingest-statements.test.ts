/**
 * Set-based ingest: a push costs a handful of SQL statements however many events it carries.
 * Counted at the database interface (every statement the API sends, BEGIN and COMMIT included),
 * so a regression to a round trip per event fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, openBackend, pickHeld, pickLine, startApp, type Backend, type Client } from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import { MAX_BATCH } from '../../src/domain/protocol.ts';

/**
 * Statements per push, whatever its size: auth, BEGIN, device, context, write, the channels' check,
 * COMMIT; two more when stock rows are new (this mix has them), one each for count windows and
 * resolved returns (this mix has none).
 */
const MAX_STATEMENTS_PER_PUSH = 10;

describe.each(BACKEND_NAMES)('set-based ingest on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let counting = false;
  const statements: string[] = [];

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend, {
      observeSql: (text) => void (counting && statements.push(text)),
      // Only the push's own statements: no background worker of another area polls while it is counted.
      control: { enabled: false },
      channels: { worker: false, sweepMs: false },
    }));
  });
  afterAll(async () => {
    await app?.close();
    await backend?.dispose();
  });

  /** The statements one push sends, with its answer. */
  const counted = async (device: DeviceEvents, token: string, events: unknown[]) => {
    statements.length = 0;
    counting = true;
    try {
      const res = await api.push(device.id, token, events);
      return { res, statements: [...statements] };
    } finally {
      counting = false;
    }
  };

  /** A floor mix over every kind of write: receipts (new SKU rows at the dock), releases, picks, counts, returns. */
  const mix = (device: DeviceEvents, count: number, line: { pickListId: string; lineId: string }, tag: string) =>
    Array.from({ length: count }, (_, i) => {
      const sku = ['SKU-1001', 'SKU-1002', 'SKU-1003', 'SKU-1004', 'SKU-1005', 'SKU-1006', 'SKU-1007'][i % 7] as string;
      switch (i % 5) {
        case 0:
          return device.next('receipt.received', { receiptId: 'RCV-0001', sku, location: 'DOCK-1', qty: 3 }, 'receiver');
        case 1:
          return device.next('qc.released', { sku, from: 'DOCK-1', to: 'A-02-02', qty: 1 }, 'receiver');
        case 2:
          return device.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1, line.pickListId, line.lineId), 'picker');
        case 3:
          return device.next('count.started', { countTaskId: `CT-S${tag}-${i}`, location: 'B-01-02' }, 'receiver');
        default:
          return device.next('return.quarantined', { returnId: `RMA-S${tag}-${i}`, sku, location: 'RET-1', qty: 1, condition: 'damaged' }, 'receiver');
      }
    });

  it(`applies ${MAX_BATCH} events of every kind with at most ${MAX_STATEMENTS_PER_PUSH} statements`, async () => {
    const device = new DeviceEvents(0x5e1, 'receiver');
    await api.signIn('picker', device.id);
    const token = await api.signIn('receiver', device.id);
    const line = await pickLine(app.db, 'SKU-1001', 'A-01-01', 1000);
    const { res, statements: sent } = await counted(device, token, mix(device, MAX_BATCH, line, 'a'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ackedSeq: MAX_BATCH, rejected: [] });
    expect(sent.length, sent.map((s) => s.replace(/\s+/g, ' ').slice(0, 60)).join('\n')).toBeLessThanOrEqual(MAX_STATEMENTS_PER_PUSH);
    // The same mix again, on rows that now exist: no more statements than the first time.
    const again = await counted(device, token, mix(device, MAX_BATCH, line, 'b'));
    expect(again.res.body).toEqual({ ackedSeq: 2 * MAX_BATCH, rejected: [] });
    expect(again.statements.length).toBeLessThanOrEqual(sent.length);
  });

  it('costs as many statements for 500 events as for 5', async () => {
    const device = new DeviceEvents(0x5e2, 'receiver');
    await api.signIn('picker', device.id);
    const token = await api.signIn('receiver', device.id);
    const line = await pickLine(app.db, 'SKU-1001', 'A-01-01', 1000);
    // Warm the stock rows, so both measured pushes find them.
    await api.push(device.id, token, mix(device, 5, line, 'c'));
    const small = await counted(device, token, mix(device, 5, line, 'd'));
    const large = await counted(device, token, mix(device, MAX_BATCH, line, 'e'));
    expect(small.res.body.rejected).toEqual([]);
    expect(large.res.body.rejected).toEqual([]);
    expect(large.statements.length).toBe(small.statements.length);
  });

  it('never takes the per-event savepoint path for a clean batch', async () => {
    const device = new DeviceEvents(0x5e3, 'receiver');
    const token = await api.signIn('receiver', device.id);
    const good = Array.from({ length: 20 }, (_, i) =>
      device.next('receipt.received', { receiptId: 'RCV-0001', sku: 'SKU-1002', location: 'DOCK-1', qty: 1 + i }, 'receiver'),
    );
    const { res, statements: sent } = await counted(device, token, good);
    expect(res.body).toEqual({ ackedSeq: 20, rejected: [] });
    expect(sent.filter((s) => s.startsWith('SAVEPOINT'))).toEqual([]);
  });
});
