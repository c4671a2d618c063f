/** The handheld's health report: what it says, when it is sent, and that a lost one is superseded. */
import { afterEach, describe, expect, it } from 'vitest';
import { setMeta } from '../../src/device/db.ts';
import { appendEvent } from '../../src/device/event-log.ts';
import { healthReport, startHealthReports } from '../../src/device/health-report.ts';
import type { HttpClient, HttpRequest } from '../../src/device/sync/http.ts';
import { newDevice, pickHeld, until } from './helpers.ts';

const now = new Date('2026-11-23T10:00:00Z');
const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

/** An HTTP edge that records requests; `fail` makes the next sends throw (no network). */
function recorder() {
  const sent: HttpRequest[] = [];
  const state = { fail: false };
  const http: HttpClient = {
    async send(req) {
      if (state.fail) throw new TypeError('Failed to fetch');
      sent.push(req);
      return { status: 204, header: () => null, text: '' };
    },
  };
  return { http, sent, state };
}

/** An engine stand-in whose status changes when the test says. */
function engine() {
  const listeners = new Set<() => void>();
  return { subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)), change: () => listeners.forEach((l) => l()) };
}

const storage = { persist: async () => true, persisted: async () => true, estimate: async () => ({ usage: 5_000, quota: 1_000_000 }) };
const signIn = (db: ReturnType<typeof newDevice>) =>
  setMeta(db, 'session', { token: 'token-1', id: 'session-1', user: { id: 'picker', name: 'Pat', roles: ['picker'] }, signedInAt: now.toISOString() });

describe('health report', () => {
  it('says how many events wait, since when, what needs attention and how full storage is', async () => {
    const db = newDevice();
    expect(await healthReport(db, storage)).toEqual({ pending: 0, oldestPendingAt: null, needsAttention: 0, storageUsage: 5000, storageQuota: 1_000_000 });
    await appendEvent(db, pickHeld(1), { actor: 'picker', now, session: 'session-of-picker-1' });
    await appendEvent(db, pickHeld(2), { actor: 'picker', now: new Date(now.getTime() + 1000), session: 'session-of-picker-1' });
    expect(await healthReport(db, storage)).toMatchObject({ pending: 2, oldestPendingAt: now.toISOString() });
  });

  it('sends nothing signed out; signed in, reports its own device with the token, again when the log changes', async () => {
    const db = newDevice();
    const { http, sent } = recorder();
    const e = engine();
    stops.push(startHealthReports({ db, http, engine: e, storage, minGapMs: 10, heartbeatMs: 60_000 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(0);
    await signIn(db);
    e.change();
    await until(() => sent.length === 1, 'the first report');
    const deviceId = (await db.meta.get('deviceId'))!.value as string;
    expect(sent[0]).toMatchObject({ method: 'PUT', path: `/api/v1/control/devices/${deviceId}/health`, headers: { authorization: 'Bearer token-1' } });
    expect(JSON.parse(sent[0]!.body!)).toMatchObject({ pending: 0 });
    // The same state again is not sent; a recorded event is.
    e.change();
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(1);
    await appendEvent(db, pickHeld(1), { actor: 'picker', now, session: 'session-of-picker-1' });
    await until(() => sent.length === 2, 'the report after a scan');
    expect(JSON.parse(sent[1]!.body!)).toMatchObject({ pending: 1, oldestPendingAt: now.toISOString() });
  });

  it('a report lost to the network is superseded by the next one', async () => {
    const db = newDevice();
    await signIn(db);
    const { http, sent, state } = recorder();
    const e = engine();
    state.fail = true;
    stops.push(startHealthReports({ db, http, engine: e, storage, minGapMs: 10 }));
    await appendEvent(db, pickHeld(1), { actor: 'picker', now, session: 'session-of-picker-1' });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(0);
    state.fail = false;
    e.change();
    await until(() => sent.length === 1, 'the report once online');
    expect(JSON.parse(sent[0]!.body!)).toMatchObject({ pending: 1 });
  });
});
