/**
 * Several simulated handhelds (the real engine, each on its own fake IndexedDB) record
 * thousands of events through a client that drops requests, loses answers after the API
 * committed, delays, answers 500 and 429, while the API itself is restarted on the same
 * data. At the end no device holds a pending event, and the central ledger holds each event
 * exactly once, in each device's order, with stock equal to the domain model's.
 *
 * Seeded (fixed by default, printed): `FAULT_SEED=<seed> npx vitest run tests/device/fault-injection.test.ts`
 * replays the same plan of events and faults (thread interleaving still varies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceIdOf, type FloorDb, type StoredEvent } from '../../src/device/db.ts';
import { appendEvent, pendingEvents } from '../../src/device/event-log.ts';
import { signIn } from '../../src/device/session.ts';
import { ManualEnvironment } from '../../src/device/sync/environment.ts';
import { SyncEngine } from '../../src/device/sync/engine.ts';
import { httpApiClient } from '../../src/device/api/client.ts';
import { processLock } from '../../src/device/sync/lock.ts';
import type { DraftEvent } from '../../src/domain/events.ts';
import { asEventId, asLocation, asQty, asSku, asTask, asTote } from '../../src/domain/ids.ts';
import { OPENING_STOCK, BINS, DOCK } from '../../src/server/seed.ts';
import { FaultyClient, RealApi, modelStock, nonZero, stockMap } from './real-api.ts';
import { newDevice, until } from './helpers.ts';
import { seeded } from '../fixtures/random.ts';

// A fixed seed by default so CI is repeatable; FAULT_SEED explores others (`FAULT_SEED=random` draws one).
const SEED = process.env.FAULT_SEED === 'random' ? Date.now() % 2_147_483_647 : Number(process.env.FAULT_SEED ?? 20261123);
const DEVICES = 5;
const EVENTS_PER_DEVICE = 500;
const RESTARTS = 3;

type Sim = {
  role: 'picker' | 'receiver';
  db: FloorDb;
  env: ManualEnvironment;
  engine: SyncEngine;
  client: FaultyClient;
  deviceId: string;
  /** Seqs of events recorded to be refused by the API (a role that may not record them). */
  forbidden: Set<number>;
  recorded: StoredEvent[];
};

let api: RealApi;
/** One line per opening-stock place that wants plenty, so every pick names a line that exists. */
const lines: { pickListId: string; lineId: string }[] = [];
beforeAll(async () => {
  api = await RealApi.start({ rateLimit: false });
  for (const s of OPENING_STOCK) lines.push(await api.pickLine(s.sku, s.location));
});
afterAll(async () => {
  await api?.close();
});

type Drawn = { draft: DraftEvent; forbidden: boolean; actor?: string; session?: string };

/**
 * The next fact a device records, drawn from the seeded source. About one in twenty is hostile
 * and must be refused by the API (recorded as rejected, its number consumed, the queue going
 * on): a role that may not record it, an actor forged onto this device's session or a
 * session that is not the actor's, an undo of a pick already undone or of one that never was.
 */
function nextDraft(sim: Sim, rnd: () => number, n: number): Drawn {
  const pickInt = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const r = rnd();
  if (r < 0.03 && r >= 0.02) {
    // Forged: a supervisor named as the actor under the signed-in worker's session, or a made-up session.
    const draft: DraftEvent = {
      type: 'receipt.received',
      payload: { receiptId: asTask('RCV-0001'), sku: asSku('SKU-1004'), location: asLocation(DOCK), qty: asQty(1) },
    };
    return rnd() < 0.5 ? { draft, forbidden: true, actor: 'supervisor' } : { draft, forbidden: true, session: `forged-${sim.deviceId.slice(-6)}-${n}` };
  }
  if (r < 0.02) {
    // A fact outside the user's roles: the API records it as rejected and the queue goes on.
    const draft: DraftEvent =
      sim.role === 'picker'
        ? { type: 'qc.released', payload: { sku: asSku('SKU-1004'), from: asLocation(DOCK), to: asLocation('A-02-02'), qty: asQty(1) } }
        : {
            type: 'pick.held',
            payload: {
              pickListId: asTask('PL-0001'),
              lineId: '1',
              sku: asSku('SKU-1001'),
              location: asLocation('A-01-01'),
              tote: asTote('T-1'),
              qty: asQty(1),
            },
          };
    return { draft, forbidden: true };
  }
  if (sim.role === 'picker') {
    const at = pickInt(0, OPENING_STOCK.length - 1);
    const stock = OPENING_STOCK[at]!;
    const line = lines[at]!;
    const sku = asSku(stock.sku);
    const location = asLocation(stock.location);
    // An undo names the newest pick this device has not undone yet: once, for what it held.
    const undone = new Set(sim.recorded.flatMap((e) => (e.type === 'pick.undone' ? [(e.payload as { corrects: string }).corrects] : [])));
    const lastHeld = [...sim.recorded].reverse().find((e) => e.type === 'pick.held' && !sim.forbidden.has(e.seq) && !undone.has(e.id));
    if (r < 0.045) {
      // An undo that names a pick already undone (once is all it may), or one that never happened.
      const twice = [...sim.recorded].reverse().find((e) => e.type === 'pick.undone' && !sim.forbidden.has(e.seq));
      const corrects = twice ? (twice.payload as { corrects: string }).corrects : `0190a0b0-dead-7000-8000-${String(n).padStart(12, '0')}`;
      const p = (twice?.payload as { sku: string; location: string; qty: number } | undefined) ?? { sku: stock.sku, location: stock.location, qty: 1 };
      return {
        draft: { type: 'pick.undone', payload: { corrects: asEventId(corrects), sku: asSku(p.sku), location: asLocation(p.location), qty: asQty(p.qty) } },
        forbidden: true,
      };
    }
    if (r < 0.08 && lastHeld) {
      const p = lastHeld.payload as { sku: string; location: string; qty: number };
      return {
        draft: { type: 'pick.undone', payload: { corrects: asEventId(lastHeld.id), sku: asSku(p.sku), location: asLocation(p.location), qty: asQty(p.qty) } },
        forbidden: false,
      };
    }
    if (r < 0.12) {
      return {
        draft: {
          type: 'pick.short',
          payload: {
            pickListId: asTask(line.pickListId),
            lineId: line.lineId,
            sku,
            location,
            missingQty: asQty(pickInt(1, 3)),
            countTaskId: asTask(`CT-${sim.deviceId.slice(-6)}-${n}`),
          },
        },
        forbidden: false,
      };
    }
    return {
      draft: {
        type: 'pick.held',
        payload: { pickListId: asTask(line.pickListId), lineId: line.lineId, sku, location, tote: asTote(`T-${pickInt(1, 9)}`), qty: asQty(pickInt(1, 4)) },
      },
      forbidden: false,
    };
  }
  const sku = asSku(`SKU-100${pickInt(1, 8)}`);
  if (r < 0.5) {
    return {
      draft: { type: 'receipt.received', payload: { receiptId: asTask('RCV-0001'), sku, location: asLocation(DOCK), qty: asQty(pickInt(1, 12)) } },
      forbidden: false,
    };
  }
  return {
    draft: { type: 'qc.released', payload: { sku, from: asLocation(DOCK), to: asLocation(BINS[pickInt(0, BINS.length - 1)]!), qty: asQty(pickInt(1, 6)) } },
    forbidden: false,
  };
}

describe('fault injection', () => {
  it(
    `every event reaches the ledger exactly once, in order, through drops, lost answers, 5xx, 429 and restarts (seed ${SEED})`,
    { timeout: 150_000 },
    async () => {
      console.log(`fault-injection seed ${SEED} (replay: FAULT_SEED=${SEED})`);
      const master = seeded(SEED);
      let faultsOn = true;
      const sims: Sim[] = [];
      for (let i = 0; i < DEVICES; i++) {
        const role = i % 2 === 0 ? 'picker' : 'receiver';
        const db = newDevice();
        const deviceId = await deviceIdOf(db);
        const res = await signIn(
          db,
          httpApiClient(api.client()),
          role === 'picker' ? { user: 'picker', pin: '1111' } : { user: 'receiver', pin: '2222' },
          new Date(),
        );
        if (!res.ok) throw new Error(res.message);
        const client = new FaultyClient(
          () => api.client(),
          seeded(Math.floor(master() * 2 ** 31)),
          { drop: 0.06, lose: 0.08, delay: 0.1, error500: 0.05, error429: 0.04, maxDelayMs: 40 },
          () => faultsOn,
        );
        const env = new ManualEnvironment(true);
        const engine = new SyncEngine({
          db,
          api: httpApiClient(client),
          env,
          lock: processLock(),
          random: seeded(Math.floor(master() * 2 ** 31)),
          batchSize: 20 + Math.floor(master() * 280),
          debounceMs: 5,
          backoffBaseMs: 5,
          backoffCapMs: 80,
          requestTimeoutMs: 3000,
          pollMs: 500,
        });
        sims.push({ role, db, env, engine, client, deviceId, forbidden: new Set(), recorded: [] });
      }
      await Promise.all(sims.map((s) => s.engine.start()));

      const record = async (sim: Sim, rnd: () => number) => {
        let n = 0;
        while (n < EVENTS_PER_DEVICE) {
          // Bursts of scans, now and then recorded offline.
          const burst = 1 + Math.floor(rnd() * 40);
          const offline = rnd() < 0.15;
          if (offline) sim.env.setOnline(false);
          for (let k = 0; k < burst && n < EVENTS_PER_DEVICE; k++, n++) {
            const { draft, forbidden, actor, session } = nextDraft(sim, rnd, n);
            const stored = await appendEvent(sim.db, draft, { actor: actor ?? sim.role, now: new Date(), ...(session ? { session } : {}) });
            sim.recorded.push(stored);
            if (forbidden) sim.forbidden.add(stored.seq);
          }
          if (offline) sim.env.setOnline(true);
          await new Promise((r) => setImmediate(r));
        }
      };
      const chaos = async () => {
        for (let i = 0; i < RESTARTS; i++) {
          // Restart once a share of all events is recorded.
          const goal = Math.floor(((i + 1) / (RESTARTS + 1)) * DEVICES * EVENTS_PER_DEVICE);
          await until(() => sims.reduce((a, s) => a + s.recorded.length, 0) >= goal, `recording to reach ${goal}`);
          await api.restart();
        }
      };
      await Promise.all([...sims.map((s) => record(s, seeded(Math.floor(master() * 2 ** 31)))), chaos()]);

      // The network heals: everything must drain.
      faultsOn = false;
      for (const s of sims) s.engine.kick();
      for (const s of sims) await until(async () => (await pendingEvents(s.db)).length === 0, `device ${s.deviceId} to drain`, 5_000_000);
      // The supervisor reads the ledger from a handheld of their own (the sims' ids are bound to their storage).
      const token = await api.signIn('supervisor', '3333', '0190a0b0-ffff-7000-8000-00000000c0de');
      const ledger = await api.ledger(token);
      // Rejections whose answers were lost are read back from the ledger once the queue is empty.
      for (const s of sims) {
        const refused = ledger.filter((r) => r.deviceId === s.deviceId && r.status === 'rejected').map((r) => r.seq);
        await until(
          async () => (await s.db.events.where('state').equals('rejected').primaryKeys()).join() === refused.join(),
          `device ${s.deviceId} to show its refusals`,
          5_000_000,
        );
      }
      await Promise.all(sims.map((s) => s.engine.stop()));

      const counts = sims.map((s) => s.client.counts);
      console.log('faults injected per device', JSON.stringify(counts));

      // Each event exactly once: no id twice anywhere in the ledger.
      expect(new Set(ledger.map((r) => r.id)).size).toBe(ledger.length);
      let uncertain = 0;
      for (const s of sims) {
        const rows = ledger.filter((r) => r.deviceId === s.deviceId);
        // In each device's order, without gaps, and the same events the device recorded.
        expect(rows.map((r) => r.seq)).toEqual(s.recorded.map((e) => e.seq));
        expect(rows.map((r) => r.id)).toEqual(s.recorded.map((e) => e.id));
        expect(rows.filter((r) => r.status === 'rejected').map((r) => r.seq)).toEqual([...s.forbidden].sort((a, b) => a - b));
        const local = await s.db.events.toArray();
        expect(local.filter((e) => e.state === 'pending')).toEqual([]);
        // The device shows exactly what the API refused, even where the refusing answer was lost.
        expect(local.filter((e) => e.state === 'rejected').map((e) => e.seq)).toEqual([...s.forbidden].sort((a, b) => a - b));
        uncertain += s.client.counts.lose;
      }
      console.log(`ledger ${ledger.length} rows; answers lost after commit: ${uncertain}`);
      expect(counts.reduce((a, c) => a + c.lose, 0)).toBeGreaterThan(0);
      // The hostile share really ran: forged actors and sessions, double and phantom undos, wrong roles.
      const refusedKinds = new Set(ledger.filter((r) => r.status === 'rejected').map((r) => r.code));
      expect([...refusedKinds].sort()).toEqual(expect.arrayContaining(['forbidden', 'session_mismatch']));
      expect(refusedKinds.has('exceeds_reference') || refusedKinds.has('unknown_pick')).toBe(true);
      expect(nonZero(stockMap(await api.stock(token)))).toEqual(nonZero(modelStock(ledger)));
    },
  );
});
