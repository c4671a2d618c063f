/** The device's log and engine against the real API (PGlite) in process, over loopback HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceIdOf, getMeta, setMeta } from '../../src/device/db.ts';
import { appendEvent, pendingEvents, rejectedEvents } from '../../src/device/event-log.ts';
import { signIn } from '../../src/device/session.ts';
import { ManualEnvironment } from '../../src/device/sync/environment.ts';
import { SyncEngine } from '../../src/device/sync/engine.ts';
import type { HttpClient } from '../../src/device/sync/http.ts';
import { httpApiClient } from '../../src/device/api/client.ts';
import { processLock } from '../../src/device/sync/lock.ts';
import { fetchStream } from '../../src/device/sync/stream.ts';
import { asLocation, asQty, asSku, asTask } from '../../src/domain/ids.ts';
import { RealApi, modelStock, nonZero, stockMap } from './real-api.ts';
import { newDevice, pickHeld, until } from './helpers.ts';

let api: RealApi;
beforeAll(async () => {
  api = await RealApi.start();
});
afterAll(async () => {
  await api?.close();
});

const now = () => new Date();

async function handheld(user = 'picker', pin = '1111') {
  const db = newDevice();
  const http = api.client();
  const res = await signIn(db, httpApiClient(http), { user, pin }, now());
  if (!res.ok) throw new Error(res.message);
  const env = new ManualEnvironment(true);
  const engine = new SyncEngine({ db, api: httpApiClient(http), env, lock: processLock(), stream: fetchStream(api.url), backoffBaseMs: 5, backoffCapMs: 50 });
  return { db, http, env, engine, token: res.session.token, deviceId: await deviceIdOf(db) };
}

describe('sync against the real API', () => {
  it('delivers scans within moments, fills the work cache and follows the change feed', async () => {
    const d = await handheld();
    await d.engine.start();
    await until(async () => (await d.db.pickLists.count()) > 0 && d.engine.status().live, 'work cache and live feed');
    expect((await d.db.pickLists.toArray()).map((p) => p.id).sort()).toEqual(['PL-0001', 'PL-0002']);
    expect((await d.db.catalog.toArray()).find((c) => c.gtin.replace(/^0+/, '') === '4006381330077')?.sku).toBe('SKU-1001');
    const pick = {
      type: 'pick.held',
      payload: { pickListId: asTask('PL-0001'), lineId: '1', sku: asSku('SKU-1001'), location: asLocation('A-01-01'), tote: 'T-9' as never, qty: asQty(2) },
    } as const;
    const stored = await appendEvent(d.db, pick, { actor: 'picker', now: now() });
    await until(async () => (await pendingEvents(d.db)).length === 0, 'delivered');
    const ledger = await api.ledger(d.token);
    const mine = ledger.filter((r) => r.deviceId === d.deviceId);
    expect(mine.map((r) => [r.seq, r.id, r.status])).toEqual([[1, stored.id, 'applied']]);
    // The API said the pick list changed; the engine pulled again and the cache shows the pick.
    await until(async () => (await d.db.pickLists.get('PL-0001'))?.lines.find((l) => l.lineId === '1')?.picked === 2, 'cache shows the pick');
    expect(await getMeta(d.db, 'lastAckedSeq')).toBe(1);
    expect(nonZero(stockMap(await api.stock(d.token)))).toEqual(nonZero(modelStock(ledger)));
    await d.engine.stop();
  });

  it('follows the change feed again after a stop and a start (a sign-in on a page restarts the engine)', async () => {
    const d = await handheld();
    await d.engine.start();
    await until(() => d.engine.status().live, 'live feed');
    await d.engine.stop();
    expect(d.engine.status().live).toBe(false);
    await d.engine.start();
    await until(() => d.engine.status().live, 'live feed after the restart');
    await until(async () => (await d.db.pickLists.count()) > 0, 'work cache');
    // Another handheld's pick changes the pick list: the feed, not the 30 s poll, brings it.
    const other = await handheld();
    const pick = {
      type: 'pick.held',
      payload: { pickListId: asTask('PL-0002'), lineId: '1', sku: asSku('SKU-1002'), location: asLocation('A-01-02'), tote: 'T-8' as never, qty: asQty(1) },
    } as const;
    await appendEvent(other.db, pick, { actor: 'picker', now: now() });
    await other.engine.start();
    const before = Date.now();
    await until(
      async () => ((await d.db.pickLists.get('PL-0002'))?.lines.find((l) => l.lineId === '1')?.picked ?? 0) >= 1,
      'the restarted handheld sees the pick',
    );
    expect(Date.now() - before).toBeLessThan(10_000);
    await Promise.all([d.engine.stop(), other.engine.stop()]);
  });

  it('a fact the user may not record is rejected with the API message, and the queue goes on', async () => {
    const d = await handheld();
    await d.engine.start();
    await appendEvent(
      d.db,
      { type: 'qc.released', payload: { sku: asSku('SKU-1004'), from: asLocation('DOCK-1'), to: asLocation('A-02-02'), qty: asQty(1) } },
      { actor: 'picker', now: now() },
    );
    await appendEvent(d.db, pickHeld(1, { sku: 'SKU-1003', bin: 'A-02-01', line: await api.pickLine('SKU-1003', 'A-02-01') }), { actor: 'picker', now: now() });
    await until(async () => (await pendingEvents(d.db)).length === 0, 'delivered');
    const rejected = await rejectedEvents(d.db);
    expect(rejected.map((e) => [e.seq, e.rejection?.code])).toEqual([[1, 'forbidden']]);
    expect(rejected[0]!.rejection!.message).toMatch(/may not record qc\.released/);
    expect((await d.db.events.get(2))!.state).toBe('delivered');
    await d.engine.stop();
  });

  it('keeps the queue through an expired session and delivers after signing in again', async () => {
    const d = await handheld();
    const session = (await getMeta(d.db, 'session'))!;
    await setMeta(d.db, 'session', { ...session, token: 'not-a-valid-token' });
    await d.engine.start();
    await appendEvent(d.db, pickHeld(1, { sku: 'SKU-1006', bin: 'B-01-02' }), { actor: 'picker', now: now() });
    await until(() => d.engine.status().phase === 'needs_sign_in', 'needs sign-in');
    expect(await pendingEvents(d.db)).toHaveLength(1);
    const again = await signIn(d.db, httpApiClient(d.http), { user: 'picker', pin: '1111' }, now());
    expect(again.ok).toBe(true);
    await until(async () => (await pendingEvents(d.db)).length === 0, 'delivered after sign-in');
    await d.engine.stop();
  });

  it('a backlog recorded offline goes in order when the network returns, in batches', async () => {
    const d = await handheld();
    d.env.setOnline(false);
    await d.engine.start();
    const line = await api.pickLine('SKU-1007', 'B-01-01', 700);
    for (let i = 1; i <= 700; i++) await appendEvent(d.db, pickHeld(i, { sku: 'SKU-1007', bin: 'B-01-01', line }), { actor: 'picker', now: now() });
    expect(d.engine.status().phase).toBe('offline');
    d.env.setOnline(true);
    await until(async () => (await pendingEvents(d.db)).length === 0, 'backlog delivered');
    const mine = (await api.ledger(d.token)).filter((r) => r.deviceId === d.deviceId);
    expect(mine.map((r) => r.seq)).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
    expect(mine.every((r) => r.status === 'applied')).toBe(true);
    await d.engine.stop();
  });

  it('a device whose storage was copied is stopped loudly on the first number it reuses', async () => {
    const original = await handheld();
    await original.engine.start();
    await appendEvent(original.db, pickHeld(1, { sku: 'SKU-1002', bin: 'A-01-02' }), { actor: 'picker', now: now() });
    await until(async () => (await pendingEvents(original.db)).length === 0, 'original delivered');
    await original.engine.stop();
    // A clone: same device id, its own different event under seq 1.
    const clone = newDevice({ deviceId: original.deviceId });
    // A copy of the storage files holds the device key too (non-extractable keeps scripts from
    // reading it out, not a copy of the profile's files), so it can sign in as the device.
    expect(await getMeta(original.db, 'deviceSecret')).toBeUndefined();
    await setMeta(clone, 'deviceKey', (await getMeta(original.db, 'deviceKey'))!);
    expect((await signIn(clone, httpApiClient(original.http), { user: 'picker', pin: '1111' }, now())).ok).toBe(true);
    const engine = new SyncEngine({
      db: clone,
      api: httpApiClient(original.http),
      env: new ManualEnvironment(true),
      lock: processLock(),
      backoffBaseMs: 5,
      backoffCapMs: 50,
    });
    await engine.start();
    await appendEvent(clone, pickHeld(1, { sku: 'SKU-1002', bin: 'A-01-02' }), { actor: 'picker', now: now() });
    await until(() => engine.status().phase === 'conflict', 'conflict');
    expect(engine.status().conflict?.seq).toBe(1);
    expect(await pendingEvents(clone)).toHaveLength(1);
    await engine.stop();
  });

  it('an event the API fails on every time is isolated and shown to a supervisor; the events before it are delivered, the rest after repair', async () => {
    const d = await handheld();
    // A server broken by one event: a proxy before the real API answers its 500 for any push carrying it.
    let broken = true;
    const line = await api.pickLine('SKU-1007', 'B-01-01', 100);
    const poisonLine = await api.pickLine('SKU-1007', 'B-01-01', 100);
    const http: HttpClient = {
      send: async (req) => {
        if (broken && req.method === 'POST' && req.path.endsWith('/events') && (req.body ?? '').includes(`"pickListId":"${poisonLine.pickListId}"`)) {
          return {
            status: 500,
            header: () => null,
            text: JSON.stringify({ error: 'internal', message: 'the server failed to handle this request; it is safe to retry' }),
          };
        }
        return d.http.send(req);
      },
    };
    const engine = new SyncEngine({
      db: d.db,
      api: httpApiClient(http),
      env: d.env,
      lock: processLock(),
      batchSize: 10,
      backoffBaseMs: 1,
      backoffCapMs: 60_000,
    });
    for (let i = 1; i <= 6; i++) {
      const draft = pickHeld(i, { sku: 'SKU-1007', bin: 'B-01-01', line: i === 3 ? poisonLine : line });
      await appendEvent(d.db, draft, { actor: 'picker', now: now() });
    }
    await engine.start();
    await until(() => engine.status().stuck !== undefined, 'stuck event');
    expect(engine.status()).toMatchObject({ phase: 'blocked', stuck: { seq: 3 } });
    expect((await pendingEvents(d.db)).map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    const held = async () => (await api.ledger(d.token)).filter((r) => r.deviceId === d.deviceId).map((r) => [r.seq, r.status]);
    expect(await held()).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ]);
    broken = false;
    engine.resume();
    await until(async () => (await pendingEvents(d.db)).length === 0 && engine.status().phase === 'idle', 'delivered after repair');
    expect(engine.status().stuck).toBeUndefined();
    expect(await held()).toEqual([1, 2, 3, 4, 5, 6].map((seq) => [seq, 'applied']));
    await engine.stop();
  });
});
