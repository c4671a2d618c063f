import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openFloorDb, setMeta } from '../../src/device/db.ts';
import type { DraftEvent } from '../../src/domain/events.ts';
import { asLocation, asQty, asSku, asTask, asTote } from '../../src/domain/ids.ts';
import { pickStep, startPick } from '../../src/domain/workflows/pick.ts';
import { announce, recordEvents } from '../../src/ui/workflow/record-step.ts';
import { say } from '../../src/domain/workflows/common.ts';

let n = 0;
const SESSION = 'session-of-picker-1';
/** A handheld with the picker signed in: steps are recorded under that session. */
const device = async (signedIn = true) => {
  n += 1;
  const db = openFloorDb(`ui-record-${n}`, {
    backend: { indexedDB: new IDBFactory(), IDBKeyRange },
    newDeviceId: () => `0190a0b0-0000-7000-8000-${String(n).padStart(12, '0')}`,
  });
  if (signedIn)
    await setMeta(db, 'session', { token: 't', id: SESSION, user: { id: 'picker', name: 'Pia', roles: ['picker'] }, signedInAt: '2026-11-23T09:00:00Z' });
  return db;
};
const NOW = new Date('2026-11-23T10:00:00Z');
const catalog = [{ sku: 'SKU-1001', gtin: '04006381330077', name: 'Bottle' }];
const list = { id: 'PL-1', orderRef: 'SO-1', status: 'open' as const, lines: [{ lineId: '1', sku: 'SKU-1001', location: 'A-01-01', qty: 3, picked: 0 }] };

describe('recording a workflow step', () => {
  it('stores every event of a step, in order, with consecutive seqs', async () => {
    const db = await device();
    let s = startPick(list);
    for (const scan of [
      { kind: 'tote', tote: 'T-0001' },
      { kind: 'location', location: asLocation('A-01-01') },
    ] as const)
      s = pickStep(s, { type: 'scan', scan }, { catalog }).state;
    const asked = pickStep(s, { type: 'short', found: '1' }, { catalog }).state;
    const step = pickStep(asked, { type: 'confirmShort' }, { catalog });
    const r = await recordEvents(db, step.events, { actor: 'picker', now: NOW });
    expect(r.ok).toBe(true);
    const stored = await db.events.orderBy('seq').toArray();
    expect(stored.map((e) => [e.seq, e.type, e.state, e.actor, e.session])).toEqual([
      [1, 'pick.held', 'pending', 'picker', SESSION],
      [2, 'pick.short', 'pending', 'picker', SESSION],
    ]);
  });

  it('records nothing when nobody is signed in (an event needs the session it is recorded under)', async () => {
    const db = await device(false);
    const good: DraftEvent = {
      type: 'pick.held',
      payload: { pickListId: asTask('PL-1'), lineId: '1', sku: asSku('SKU-1001'), location: asLocation('A-01-01'), tote: asTote('T-0001'), qty: asQty(1) },
    };
    const r = await recordEvents(db, [good], { actor: 'picker', now: NOW });
    expect(r.ok ? '' : r.feedback.message).toMatch(/^This scan was NOT saved: .*nobody is signed in/);
    expect(await db.events.count()).toBe(0);
  });

  it('stores nothing of a step whose second event cannot be recorded, and says the scan was not saved', async () => {
    const db = await device();
    const good: DraftEvent = {
      type: 'pick.held',
      payload: { pickListId: asTask('PL-1'), lineId: '1', sku: asSku('SKU-1001'), location: asLocation('A-01-01'), tote: asTote('T-0001'), qty: asQty(1) },
    };
    const bad = { type: 'pick.short', payload: { ...good.payload, missingQty: 0, countTaskId: asTask('c') } } as unknown as DraftEvent;
    const r = await recordEvents(db, [good, bad], { actor: 'picker', now: NOW });
    expect(r).toMatchObject({ ok: false, feedback: { tone: 'wrong' } });
    expect(r.ok ? '' : r.feedback.message).toMatch(/^This scan was NOT saved: .*missingQty/);
    expect(await db.events.count()).toBe(0);
    // The seq was not consumed: the next event is still number 1.
    const next = await recordEvents(db, [good], { actor: 'picker', now: NOW });
    expect(next.ok && next.stored[0]?.seq).toBe(1);
  });

  it('announces one line in the tone of the outcome, offline when offline, a refusal winning', () => {
    expect(announce([], true)).toBeNull();
    const a = say('accepted', 'pick.toteBound', { tote: 'T-1', order: 'SO-1' });
    const b = say('accepted', 'pick.held', { qty: 1, name: 'Bottle', tote: 'T-1' });
    const x = say('wrong', 'pick.shortNone');
    expect(announce([a, b], false)).toEqual({ tone: 'offline', code: 'pick.toteBound', params: a.params, also: [{ code: 'pick.held', params: b.params }] });
    expect(announce([x, a], true)).toEqual({ tone: 'wrong', code: 'pick.shortNone', params: {}, also: [{ code: 'pick.toteBound', params: a.params }] });
    expect(announce([a], true)).toEqual({ tone: 'accepted', code: 'pick.toteBound', params: a.params });
  });
});
