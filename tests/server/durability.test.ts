import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES, Client, DeviceEvents, openBackend, pickHeld, pickLine, startApp, type Backend } from '../fixtures/server-app.ts';
import { describeIfAvailable, POSTGRES_MISSING } from '../fixtures/needs.ts';
import { createApp } from '../../src/server/app.ts';
import { DEMO_USERS, OPENING_STOCK } from '../../src/server/seed.ts';
import { MIGRATIONS } from '../../src/server/migrations.ts';

/** Every migration, once each (whatever versions later branches add). */
const ALL_VERSIONS = MIGRATIONS.map((m) => m.version);

describe('restart', () => {
  it('keeps data in the PGlite folder, migrates and seeds only once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'floor-pglite-'));
    const backend: Backend = { name: 'pglite', options: () => ({ dataDir: dir }), dispose: async () => undefined };
    try {
      const dev = new DeviceEvents(1);
      const first = await startApp(backend);
      const token = await first.client.signIn('picker', dev.id);
      const batch = [dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 2))];
      expect((await first.client.push(dev.id, token, batch)).body.ackedSeq).toBe(1);
      await first.app.close();

      const second = await startApp(backend);
      try {
        // The session survives too: tokens live in the database, not in the process.
        expect(await second.client.stock(token, 'SKU-1001', 'A-01-01')).toMatchObject({ available: 38, committed: 2 });
        expect((await second.client.push(dev.id, token, batch)).body).toEqual({ ackedSeq: 1, rejected: [] });
        const opening = (
          await second.client.get<{ events: { type: string }[] }>('/api/v1/ledger?limit=1000', await second.client.supervisorToken())
        ).body.events.filter((e) => e.type === 'stock.opening_balance');
        expect(opening).toHaveLength(OPENING_STOCK.length);
        const migrations = await second.app.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(migrations.map((m) => m.version)).toEqual(ALL_VERSIONS);
      } finally {
        await second.app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(BACKEND_NAMES)('one device pushing over two connections at once on %s', (name) => {
  it('ends consistent: every event applied once, in seq order', async () => {
    const backend = await openBackend(name);
    // On PostgreSQL, two API processes' worth: two apps (two pools) on one database, started together.
    const [a, b] = await Promise.all([startApp(backend), name === 'postgres' ? startApp(backend) : undefined]);
    const one = a.client;
    const two = b?.client ?? new Client(a.app);
    try {
      const dev = new DeviceEvents(77);
      const token = await one.signIn('picker', dev.id);
      const before = await one.stock(token, 'SKU-1007', 'B-01-01');
      const line = await pickLine(a.app.db, 'SKU-1007', 'B-01-01', 60);
      const events = Array.from({ length: 60 }, () => dev.next('pick.held', pickHeld('SKU-1007', 'B-01-01', 1, line.pickListId, line.lineId)));
      // Overlapping batches, as two tabs or a retry racing the original would send them.
      const batches = [events.slice(0, 20), events.slice(0, 40), events.slice(10, 30), events.slice(20, 60), events.slice(0, 60), events.slice(40, 60)];
      const answers = await Promise.all(batches.map((batch, i) => (i % 2 === 0 ? one : two).push(dev.id, token, batch)));
      for (const ans of answers) expect(ans.status).toBe(200);
      // Whatever raced, a final push of everything settles on 60.
      expect((await two.push(dev.id, token, events)).body).toEqual({ ackedSeq: 60, rejected: [] });
      const ledger = (await one.get<{ events: { seq: number; id: string; position: number }[] }>(`/api/v1/ledger?deviceId=${dev.id}&limit=1000`, token)).body
        .events;
      expect(ledger.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
      expect(ledger.map((e) => e.id)).toEqual(events.map((e) => e.id));
      const after = await one.stock(token, 'SKU-1007', 'B-01-01');
      expect(after.committed - before.committed).toBe(60);
      expect(before.available - after.available).toBe(60);
    } finally {
      await a.app.close();
      await b?.app.close();
      await backend.dispose();
    }
  });
});

describeIfAvailable(POSTGRES_MISSING, 'PostgreSQL start-up', () => {
  it('applies migrations once when several processes start at the same time', async () => {
    const backend = await openBackend('postgres');
    try {
      const apps = await Promise.all([1, 2, 3].map(() => createApp({ ...backend.options(), seed: true, logLevel: 'silent' })));
      const [first] = apps;
      const versions = await first?.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions?.map((v) => v.version)).toEqual(ALL_VERSIONS);
      const users = await first?.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      // Seeded once, not once per process.
      expect(users?.[0]?.n).toBe(DEMO_USERS.length);
      await Promise.all(apps.map((a) => a.close()));
    } finally {
      await backend.dispose();
    }
  });
});

describeIfAvailable(POSTGRES_MISSING, 'PostgreSQL change feed', () => {
  it('reaches the other API processes on the database (LISTEN/NOTIFY)', async () => {
    const backend = await openBackend('postgres');
    const [a, b] = await Promise.all([startApp(backend), startApp(backend)]);
    try {
      const heard: unknown[] = [];
      const arrived = new Promise<void>((resolve) =>
        b.app.feed.subscribe((c) => {
          heard.push(c);
          if (c.kind === 'stock') resolve();
        }),
      );
      const dev = new DeviceEvents(88);
      const token = await a.client.signIn('picker', dev.id);
      await a.client.push(dev.id, token, [dev.next('pick.held', pickHeld('SKU-1001', 'A-01-01', 1))]);
      await arrived;
      expect(heard).toContainEqual({ kind: 'stock', sku: 'SKU-1001', location: 'A-01-01' });
    } finally {
      await a.app.close();
      await b.app.close();
      await backend.dispose();
    }
  });
});
