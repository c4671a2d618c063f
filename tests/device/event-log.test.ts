import { describe, expect, it } from 'vitest';
import type { DBCore, DBCoreMutateRequest, Middleware } from 'dexie';
import { getMeta } from '../../src/device/db.ts';
import {
  InvalidEventError,
  StorageError,
  appendEvent,
  dismissRejected,
  pendingEvents,
  pendingSummary,
  pruneDelivered,
  recentEvents,
  recordAck,
  rejectedEvents,
} from '../../src/device/event-log.ts';
import { asLocation, asSku, asTask } from '../../src/domain/ids.ts';
import { newDevice, pickHeld } from './helpers.ts';

const at = (min: number) => new Date(Date.parse('2026-11-23T10:00:00Z') + min * 60_000);
const ctx = (min = 0) => ({ actor: 'picker', now: at(min), session: 'session-of-picker-1' });

describe('event log', () => {
  it('allocates 1, 2, 3... with UUID v7 ids, and concurrent appends never share or skip a number', async () => {
    const db = newDevice();
    const first = await appendEvent(db, pickHeld(1), ctx());
    expect(first).toMatchObject({
      seq: 1,
      state: 'pending',
      actor: 'picker',
      occurredAt: at(0).toISOString(),
      schemaVersion: 2,
      session: 'session-of-picker-1',
    });
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => appendEvent(db, pickHeld(i + 2), ctx())));
    expect(many.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(new Set(many.map((e) => e.id)).size).toBe(50);
    expect((await pendingEvents(db)).map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(await getMeta(db, 'nextSeq')).toBe(52);
  });

  it('refuses a draft that breaks the schema, naming the field, without using a number', async () => {
    const db = newDevice();
    const bad = { type: 'pick.held', payload: { ...pickHeld(1).payload, qty: 0 } } as never;
    await expect(appendEvent(db, bad, ctx())).rejects.toThrow(InvalidEventError);
    await expect(appendEvent(db, bad, ctx())).rejects.toThrow(/qty/);
    await expect(appendEvent(db, { type: 'pick.teleported', payload: {} } as never, ctx())).rejects.toThrow(/unknown event type/);
    await expect(appendEvent(db, pickHeld(1), { actor: '', now: at(0), session: 'session-of-picker-1' })).rejects.toThrow(/actor/);
    expect(await db.events.count()).toBe(0);
    expect((await appendEvent(db, pickHeld(1), ctx())).seq).toBe(1);
  });

  it('a failed write throws a StorageError, keeps earlier events, and does not consume the number', async () => {
    const db = newDevice();
    let full = false;
    const quota: Middleware<DBCore> = {
      stack: 'dbcore',
      name: 'quota',
      create: (down) => ({
        ...down,
        table: (name) => {
          const t = down.table(name);
          return {
            ...t,
            mutate: (req: DBCoreMutateRequest) =>
              full && name === 'events' ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')) : t.mutate(req),
          };
        },
      }),
    };
    // Middleware goes in before the database opens.
    db.use(quota);
    await appendEvent(db, pickHeld(1), ctx());
    full = true;
    const err = await appendEvent(db, pickHeld(2), ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).reason).toBe('QuotaExceededError');
    expect((err as StorageError).message).toMatch(/NOT saved.*storage is full/);
    full = false;
    expect((await db.events.toArray()).map((e) => e.seq)).toEqual([1]);
    expect((await appendEvent(db, pickHeld(2), ctx())).seq).toBe(2);
  });

  it('records an answer in one step: delivered up to ackedSeq, the named ones rejected with the message', async () => {
    const db = newDevice();
    const evs = [];
    for (let i = 1; i <= 5; i++) evs.push(await appendEvent(db, pickHeld(i), ctx(i)));
    const changed = await recordAck(db, 4, [{ seq: 2, id: evs[1]!.id, code: 'forbidden', message: 'picker may not do that' }], at(10));
    expect(changed).toBe(4);
    expect((await db.events.toArray()).map((e) => e.state)).toEqual(['delivered', 'rejected', 'delivered', 'delivered', 'pending']);
    expect((await rejectedEvents(db))[0]).toMatchObject({ seq: 2, rejection: { code: 'forbidden', message: 'picker may not do that' } });
    expect(await pendingSummary(db)).toEqual({ count: 1, oldestOccurredAt: at(5).toISOString(), oldestSeq: 5 });
    expect(await getMeta(db, 'lastAckedSeq')).toBe(4);
    expect(await getMeta(db, 'lastDeliveryAt')).toBe(at(10).toISOString());
    // A repeat of the same answer changes nothing; a lower ack never lowers lastAckedSeq.
    expect(await recordAck(db, 4, [{ seq: 2, id: evs[1]!.id, code: 'forbidden', message: 'picker may not do that' }], at(11))).toBe(0);
    await recordAck(db, 3, [], at(12));
    expect(await getMeta(db, 'lastAckedSeq')).toBe(4);
    // A rejection naming another id under that seq is not ours: ignored.
    await recordAck(db, 5, [{ seq: 5, id: '0190a0b0-0000-7000-8000-0000000000ff', code: 'forbidden', message: 'x' }], at(13));
    expect((await db.events.get(5))!.state).toBe('delivered');
  });

  it('a supervisor dismisses a rejected event: kept in the log, off the needs-attention list', async () => {
    const db = newDevice();
    const e = await appendEvent(db, pickHeld(1), ctx());
    await appendEvent(db, pickHeld(2), ctx());
    await recordAck(db, 1, [{ seq: 1, id: e.id, code: 'invalid_payload', message: 'bad' }], at(1));
    await expect(dismissRejected(db, 2, 'supervisor', at(2))).rejects.toThrow(/pending, not rejected/);
    await dismissRejected(db, 1, 'supervisor', at(2));
    expect(await rejectedEvents(db)).toEqual([]);
    expect(await rejectedEvents(db, { includeDismissed: true })).toMatchObject([{ seq: 1, dismissed: { by: 'supervisor' } }]);
  });

  it('prunes old and excess delivered events, never pending or rejected ones', async () => {
    const db = newDevice();
    const evs = [];
    for (let i = 1; i <= 10; i++) evs.push(await appendEvent(db, pickHeld(i), ctx()));
    await recordAck(db, 3, [{ seq: 2, id: evs[1]!.id, code: 'forbidden', message: 'no' }], new Date('2026-11-01T00:00:00Z'));
    await recordAck(db, 8, [], new Date('2026-11-22T00:00:00Z'));
    // 1 and 3 are older than 7 days; of 4..8 only the newest 3 may stay.
    const gone = await pruneDelivered(db, { now: new Date('2026-11-23T00:00:00Z'), maxAgeDays: 7, maxEntries: 3 });
    expect(gone).toBe(4);
    expect((await db.events.toArray()).map((e) => `${e.seq}:${e.state}`)).toEqual([
      '2:rejected',
      '6:delivered',
      '7:delivered',
      '8:delivered',
      '9:pending',
      '10:pending',
    ]);
    expect((await recentEvents(db, 2)).map((e) => e.seq)).toEqual([10, 9]);
  });

  it('stores every event type the floor records', async () => {
    const db = newDevice();
    const e = await appendEvent(
      db,
      { type: 'count.recorded', payload: { countTaskId: asTask('CT-1'), location: asLocation('A-01-01'), lines: [{ sku: asSku('SKU-1'), qty: 0 as never }] } },
      ctx(),
    );
    expect(e.type).toBe('count.recorded');
  });
});
