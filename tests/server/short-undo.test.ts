/**
 * A confirmed short taken back (issue 13), over HTTP: the undo names an applied short on the
 * same line, once, for at most what it reported; suspect goes back to available only up to what
 * that short moved; the line wants the units again (its pick list is open again). Every hostile
 * variant is a recorded rejection with its code, the device keeps delivering, and a replay of
 * the ledger equals the stock table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, DeviceEvents, openBackend, pickLine, startApp, type Backend, type Client } from '../fixtures/server-app.ts';
import type { App } from '../../src/server/app.ts';
import { replayMismatches } from '../../src/server/replay.ts';
import type { PullResponse } from '../../src/domain/protocol.ts';

type Outcome = { ackedSeq: number; rejected: { seq: number; code: string; message: string }[] };

describe.each(BACKEND_NAMES)('short undo on %s', (name) => {
  let backend: Backend;
  let app: App;
  let api: Client;
  let n = 700;

  const handheld = async (user = 'picker') => {
    n += 1;
    const dev = new DeviceEvents(n, user);
    const token = await api.signIn(user, dev.id);
    const send = async (...events: ReturnType<DeviceEvents['next']>[]): Promise<Outcome> => {
      const res = await api.push(dev.id, token, events);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.ackedSeq).toBe(events.at(-1)?.seq);
      return res.body;
    };
    return { dev, token, send };
  };
  const codes = (o: Outcome) => o.rejected.map((r) => r.code);
  const stock = (sku: string, location: string) => api.stock('supervisor', sku, location);

  beforeAll(async () => {
    backend = await openBackend(name);
    ({ app, client: api } = await startApp(backend, { rateLimit: false }));
  });
  afterAll(async () => {
    expect(await replayMismatches(app.db)).toEqual([]);
    await app?.close();
    await backend?.dispose();
  });

  it('a short confirmed and then undone: suspect back to available, the line open again, once only', async () => {
    const line = await pickLine(app.db, 'SKU-1004', 'A-02-02', 6);
    const picker = await handheld();
    const before = await stock('SKU-1004', 'A-02-02');
    const short = picker.dev.next('pick.short', { ...line, sku: 'SKU-1004', location: 'A-02-02', missingQty: 6, countTaskId: `short-${line.pickListId}-1` });
    expect(codes(await picker.send(short))).toEqual([]);
    expect(await stock('SKU-1004', 'A-02-02')).toMatchObject({ available: before.available - 6, suspect: before.suspect + 6 });
    const work = async () =>
      (await api.get<PullResponse>(`/api/v1/devices/${picker.dev.id}/work`, picker.token)).body.pickLists.find((p) => p.id === line.pickListId);
    expect(await work()).toBeUndefined();

    const undo = (qty: number) => picker.dev.next('pick.short_undone', { corrects: short.id, ...line, sku: 'SKU-1004', location: 'A-02-02', qty });
    const out = await picker.send(undo(6), undo(6), undo(1));
    expect(codes(out)).toEqual(['already_undone', 'already_undone']);
    expect(await stock('SKU-1004', 'A-02-02')).toEqual(before);
    expect((await work())?.lines[0]).toMatchObject({ qty: 6, picked: 0, short: 0 });
    // The line wants its units again: a pick of all 6 is accepted.
    const pick = picker.dev.next('pick.held', { ...line, sku: 'SKU-1004', location: 'A-02-02', tote: 'T-1', qty: 6 });
    expect(codes(await picker.send(pick))).toEqual([]);
  });

  it('refuses an undo of a short that never happened, of a pick, on another line, of another place, beyond the short, or by a role without the right', async () => {
    const a = await pickLine(app.db, 'SKU-1001', 'A-01-01', 5);
    const b = await pickLine(app.db, 'SKU-1001', 'A-01-01', 5);
    const picker = await handheld();
    const before = await stock('SKU-1001', 'A-01-01');
    const short = picker.dev.next('pick.short', { ...a, sku: 'SKU-1001', location: 'A-01-01', missingQty: 2, countTaskId: `short-${a.pickListId}-1` });
    const held = picker.dev.next('pick.held', { ...a, sku: 'SKU-1001', location: 'A-01-01', tote: 'T-1', qty: 1 });
    const undo = (over: Record<string, unknown>) =>
      picker.dev.next('pick.short_undone', { corrects: short.id, ...a, sku: 'SKU-1001', location: 'A-01-01', qty: 2, ...over });
    const out = await picker.send(
      short,
      held,
      undo({ corrects: '0190a0b1-dead-7000-8000-000000000009' }),
      undo({ corrects: held.id, qty: 1 }),
      undo({ ...b }),
      undo({ location: 'A-01-02' }),
      undo({ sku: 'SKU-1007' }),
      undo({ qty: 3 }),
      undo({ qty: 0 }),
    );
    expect(codes(out)).toEqual([
      'unknown_short',
      'unknown_short',
      'reference_mismatch',
      'reference_mismatch',
      'reference_mismatch',
      'exceeds_reference',
      'invalid_payload',
    ]);
    expect(await stock('SKU-1001', 'A-01-01')).toMatchObject({ available: before.available - 3, committed: before.committed + 1, suspect: before.suspect + 2 });
    // A receiver may not take back a picker's short; the picker still can, afterwards.
    const receiver = await handheld('receiver');
    const foreign = receiver.dev.next('pick.short_undone', { corrects: short.id, ...a, sku: 'SKU-1001', location: 'A-01-01', qty: 2 });
    expect(codes(await receiver.send(foreign))).toEqual(['forbidden']);
    expect(codes(await picker.send(undo({})))).toEqual([]);
    expect(await stock('SKU-1001', 'A-01-01')).toMatchObject({ available: before.available - 1, suspect: before.suspect });
  });

  it('gives back only what the short moved: a short beyond the figures moved only what was there', async () => {
    const line = await pickLine(app.db, 'SKU-1002', 'A-01-02', 100_000);
    const picker = await handheld();
    const before = await stock('SKU-1002', 'A-01-02');
    const short = picker.dev.next('pick.short', {
      ...line,
      sku: 'SKU-1002',
      location: 'A-01-02',
      missingQty: before.available + 50,
      countTaskId: `short-${line.pickListId}-1`,
    });
    await picker.send(short);
    expect(await stock('SKU-1002', 'A-01-02')).toMatchObject({ available: 0, suspect: before.suspect + before.available });
    const undo = picker.dev.next('pick.short_undone', { corrects: short.id, ...line, sku: 'SKU-1002', location: 'A-01-02', qty: before.available + 50 });
    expect(codes(await picker.send(undo))).toEqual([]);
    expect(await stock('SKU-1002', 'A-01-02')).toMatchObject({ available: before.available, suspect: before.suspect });
  });
});
