/**
 * The control room's API on PGlite and PostgreSQL: who may read and acknowledge (and who may
 * not), the handheld's health report, alerts raised by a ledger change and by the clock, their
 * acknowledgement and their webhooks, and "explain this figure".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/server/app.ts';
import { createApp } from '../../../src/server/app.ts';
import type { AlertsAnswer, Board, ChartsAnswer, ExplainAnswer, SettingsAnswer, StockAnswer } from '../../../src/domain/control/protocol.ts';
import { DEFAULT_CONTROL_SETTINGS } from '../../../src/domain/control/settings.ts';
import { Clock, injectCaller, LOOPBACK_TARGETS, registerChannels, type Call } from '../../fixtures/channels.ts';
import { BACKEND_NAMES, Client, DeviceEvents, openBackend, pickHeld, pickLine, T0, type Backend } from '../../fixtures/server-app.ts';
import { Receiver } from '../../fixtures/webhook-receiver.ts';

const MIN = 60_000;
const READS = ['/board', '/stock', '/stock/SKU-1001/explain', '/alerts', '/charts', '/settings'].map((p) => `/api/v1/control${p}`);

for (const name of BACKEND_NAMES) {
  describe(`control room API on ${name}`, () => {
    let backend: Backend;
    let app: App;
    let call: Call;
    let client: Client;
    const clock = new Clock(T0.getTime());
    const tokens: Record<string, string> = {};
    const picker = new DeviceEvents(0x5101, 'picker');
    const receiver = new Receiver([]);
    let channelKey = '';

    beforeAll(async () => {
      backend = await openBackend(name);
      app = await createApp({
        ...backend.options(),
        seed: true,
        logLevel: 'silent',
        now: clock.now,
        rateLimit: false,
        channels: { worker: { pollMs: 50, baseBackoffMs: 10, maxBackoffMs: 20 }, sweepMs: false, webhookTargets: LOOPBACK_TARGETS },
        control: { tickMs: 40, sweepMs: 40 },
      });
      call = injectCaller(app);
      client = new Client(app);
      for (const [user, n] of [
        ['supervisor', 0x5001],
        ['admin', 0x5002],
        ['receiver', 0x5003],
      ] as const)
        tokens[user] = await client.signIn(user, `0190a0b0-${n.toString(16)}-7000-8000-000000000000`);
      tokens.picker = await client.signIn('picker', picker.id);
      channelKey = (await registerChannels(call, tokens.supervisor!, [{ id: 'shop' }])).shop!;
      await receiver.start();
    });
    afterAll(async () => {
      await app?.close();
      await receiver.stop();
      await backend?.dispose();
    });

    const alerts = async () => (await call<AlertsAnswer>('GET', '/api/v1/control/alerts', { token: tokens.supervisor! })).body.alerts;
    const openAlert = (key: string) => alerts().then((as) => as.find((a) => a.key === key && a.clearedAt === null));
    const board = async () => (await call<Board>('GET', '/api/v1/control/board', { token: tokens.supervisor! })).body;

    it('supervisors and admins read every page; pickers, receivers, channel keys and strangers do not', async () => {
      for (const url of READS) {
        expect((await call('GET', url, { token: tokens.supervisor! })).status, url).toBe(200);
        expect((await call('GET', url, { token: tokens.admin! })).status, url).toBe(200);
        expect((await call('GET', url, { token: tokens.picker! })).status, url).toBe(403);
        expect((await call('GET', url, { token: tokens.receiver! })).status, url).toBe(403);
        expect((await call('GET', url, { token: channelKey })).status, url).toBe(401);
        expect((await call('GET', url)).status, url).toBe(401);
      }
    });

    it('only an admin changes the thresholds; a bad or huge value is a 400 that changes nothing', async () => {
      const s = structuredClone(DEFAULT_CONTROL_SETTINGS);
      s.alerts.overshownGraceSeconds = 0;
      expect((await call('PUT', '/api/v1/control/settings', { token: tokens.supervisor!, body: s })).status).toBe(403);
      expect((await call('PUT', '/api/v1/control/settings', { token: tokens.picker!, body: s })).status).toBe(403);
      const bad = structuredClone(s) as unknown as { device: { backlog: unknown } };
      for (const v of [{ amber: 5, red: 1 }, { amber: 5, red: 1e15 }, { amber: 'x', red: 3 }, null]) {
        bad.device.backlog = v;
        const r = await call<{ error: string; field: string }>('PUT', '/api/v1/control/settings', { token: tokens.admin!, body: bad });
        expect(r.status).toBe(400);
      }
      expect((await call('PUT', '/api/v1/control/settings', { token: tokens.admin!, raw: '{"device":' })).status).toBe(400);
      expect((await call<SettingsAnswer>('GET', '/api/v1/control/settings', { token: tokens.admin! })).body.updatedBy).toBeNull();
      const ok = await call<SettingsAnswer>('PUT', '/api/v1/control/settings', { token: tokens.admin!, body: s });
      expect(ok.status).toBe(200);
      expect(ok.body.settings.alerts.overshownGraceSeconds).toBe(0);
      expect(ok.body.updatedBy).toBe('admin');
    });

    it('a handheld reports only its own health; bad reports are refused', async () => {
      const url = `/api/v1/control/devices/${picker.id}/health`;
      const good = { pending: 3, oldestPendingAt: clock.now().toISOString(), needsAttention: 0, storageUsage: 1000, storageQuota: 100000 };
      expect((await call('PUT', url, { body: good })).status).toBe(401);
      expect((await call('PUT', url, { token: tokens.supervisor!, body: good })).status).toBe(403);
      for (const body of [{ ...good, pending: -1 }, { ...good, pending: 1e12 }, { ...good, oldestPendingAt: 'yesterday' }, { ...good, extra: 1 }, {}]) {
        expect((await call('PUT', url, { token: tokens.picker!, body })).status, JSON.stringify(body)).toBe(400);
      }
      expect((await call('PUT', url, { token: tokens.picker!, body: good })).status).toBe(204);
      const tile = (await board()).devices.find((d) => d.deviceId === picker.id);
      expect(tile).toMatchObject({ backlog: 3, storageUsage: 1000, rag: 'green' });
    });

    it('a handheld holding events turns amber, then red, then raises an alert as the clock moves; a delivery clears it', async () => {
      const tileOf = async () => (await board()).devices.find((d) => d.deviceId === picker.id)!;
      clock.advance(5 * MIN);
      expect((await tileOf()).rag).toBe('amber');
      clock.advance(10 * MIN);
      expect((await tileOf()).rag).toBe('red');
      await expect.poll(() => openAlert(`device_silent:${picker.id}`), { timeout: 10_000 }).toBeDefined();
      const url = `/api/v1/control/devices/${picker.id}/health`;
      expect(
        (
          await call('PUT', url, {
            token: tokens.picker!,
            body: { pending: 0, oldestPendingAt: null, needsAttention: 0, storageUsage: null, storageQuota: null },
          })
        ).status,
      ).toBe(204);
      await expect.poll(() => openAlert(`device_silent:${picker.id}`), { timeout: 10_000 }).toBeUndefined();
      expect((await tileOf()).rag).toBe('green');
    });

    it('a pick below the reorder point raises an alert at once, sent to subscribed endpoints; explain shows the scan', async () => {
      const ep = await call<{ endpoint: { id: string }; secret: string }>('POST', '/api/v1/channels/shop/webhooks', {
        token: channelKey,
        body: { url: receiver.url },
      });
      receiver.secrets = [ep.body.secret];
      const sub = `/api/v1/control/webhooks/${ep.body.endpoint.id}/alerts`;
      expect((await call('PUT', sub, { token: tokens.picker!, body: { alerts: true } })).status).toBe(403);
      expect((await call('PUT', sub, { token: tokens.supervisor!, body: { alerts: 'yes' } })).status).toBe(400);
      expect((await call('PUT', sub, { token: tokens.supervisor!, body: { alerts: true } })).status).toBe(200);
      const stock = (await call<StockAnswer>('GET', '/api/v1/control/stock?q=SKU-1001', { token: tokens.supervisor! })).body.items[0]!;
      const available = stock.sites.find((s) => s.site === 'main')!.available;
      const line = await pickLine(app.db, 'SKU-1001', 'A-01-01');
      const take = available - (stock.reorderPoint ?? 0) + 1;
      const res = await client.push(picker.id, tokens.picker!, [picker.next('pick.held', pickHeld('SKU-1001', 'A-01-01', take, line.pickListId, line.lineId))]);
      expect(res.status).toBe(200);
      await expect.poll(() => openAlert('below_reorder:SKU-1001:main'), { timeout: 10_000 }).toBeDefined();
      await expect.poll(() => receiver.deliveries.some((d) => d.type === 'alert.raised' && d.verified), { timeout: 10_000 }).toBe(true);
      const ex = await call<ExplainAnswer>('GET', '/api/v1/control/stock/SKU-1001/explain?site=main&bucket=committed', { token: tokens.supervisor! });
      expect(ex.status).toBe(200);
      expect(ex.body.entries[0]).toMatchObject({ type: 'pick.held', actor: 'picker', deviceId: picker.id, qty: take, location: 'A-01-01' });
      expect(ex.body.entries[0]!.scan).toContain('tote T-1');
      expect((await call('GET', '/api/v1/control/stock/SKU-1001/explain?bucket=everything', { token: tokens.supervisor! })).status).toBe(400);
      expect((await call('GET', `/api/v1/control/stock/${encodeURIComponent('<b>x')}/explain`, { token: tokens.supervisor! })).status).toBe(400);
    });

    it('an alert is acknowledged once, by a supervisor or admin only', async () => {
      const a = (await openAlert('below_reorder:SKU-1001:main'))!;
      const url = `/api/v1/control/alerts/${a.id}/ack`;
      expect((await call('POST', url, { token: tokens.picker!, body: {} })).status).toBe(403);
      expect((await call('POST', url, { token: channelKey, body: {} })).status).toBe(401);
      expect((await call('POST', '/api/v1/control/alerts/999999/ack', { token: tokens.supervisor!, body: {} })).status).toBe(404);
      expect((await call('POST', '/api/v1/control/alerts/abc/ack', { token: tokens.supervisor!, body: {} })).status).toBe(400);
      const first = await call<{ alert: { ackedBy: string } }>('POST', url, { token: tokens.supervisor!, body: { note: 'ordered more' } });
      expect(first.body.alert.ackedBy).toBe('supervisor');
      const second = await call<{ alert: { ackedBy: string } }>('POST', url, { token: tokens.admin!, body: {} });
      expect(second.body.alert.ackedBy).toBe('supervisor');
      await expect.poll(() => receiver.deliveries.some((d) => d.type === 'alert.acknowledged'), { timeout: 10_000 }).toBe(true);
    });

    it('the live board streams to supervisors only, at most 4 per session, and shows a push without being asked', async () => {
      const base = await app.app.listen({ port: 0, host: '127.0.0.1' });
      const open = (token?: string, signal?: AbortSignal) =>
        fetch(`${base}/api/v1/control/live`, { ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}), ...(signal ? { signal } : {}) });
      expect((await open()).status).toBe(401);
      expect((await open(tokens.picker!)).status).toBe(403);
      expect((await open(channelKey)).status).toBe(401);
      const ac = new AbortController();
      const streams = await Promise.all([1, 2, 3, 4].map(() => open(tokens.supervisor!, ac.signal)));
      expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200]);
      expect((await open(tokens.supervisor!)).status).toBe(429);
      const reader = streams[0]!.body!.pipeThrough(new TextDecoderStream()).getReader();
      const boards: Board[] = [];
      const reading = (async () => {
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
          if (done) return;
          buffer += value;
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const data = buffer
              .slice(0, cut)
              .split('\n')
              .find((l) => l.startsWith('data: '));
            buffer = buffer.slice(cut + 2);
            if (data) boards.push(JSON.parse(data.slice(6)) as Board);
          }
        }
      })();
      await expect.poll(() => boards.length).toBeGreaterThan(0);
      const line = await pickLine(app.db, 'SKU-1003', 'A-02-01');
      const sent = picker.next('pick.held', pickHeld('SKU-1003', 'A-02-01', 1, line.pickListId, line.lineId));
      await client.push(picker.id, tokens.picker!, [sent]);
      await expect.poll(() => boards.some((b) => b.devices.find((d) => d.deviceId === picker.id)?.lastSeq === sent.seq), { timeout: 10_000 }).toBe(true);
      ac.abort();
      await reading;
      // The streams closed: the session may open new ones.
      await expect
        .poll(async () => {
          const r = await open(tokens.supervisor!, AbortSignal.timeout(2000));
          await r.body?.cancel();
          return r.status;
        })
        .toBe(200);
    });

    it('a channel shown more than it can sell raises an alert; a failing endpoint turns red', async () => {
      // The endpoint holds the value it was last sent; now it stops taking deliveries.
      await expect.poll(() => receiver.atp.get('SKU-1002')?.atp, { timeout: 10_000 }).toBeGreaterThan(0);
      receiver.mode = 'error500';
      const line = await pickLine(app.db, 'SKU-1002', 'A-01-02');
      await client.push(picker.id, tokens.picker!, [picker.next('pick.held', pickHeld('SKU-1002', 'A-01-02', 5, line.pickListId, line.lineId))]);
      await expect.poll(() => openAlert('channel_overshown:shop:SKU-1002'), { timeout: 10_000 }).toBeDefined();
      const a = (await openAlert('channel_overshown:shop:SKU-1002'))!;
      expect(a.figures.excess).toBe(5);
      await expect.poll(async () => (await board()).endpoints[0]?.rag, { timeout: 15_000 }).toBe('red');
      receiver.mode = 'ok';
      await expect.poll(() => openAlert('channel_overshown:shop:SKU-1002'), { timeout: 15_000 }).toBeUndefined();
    });

    it('charts: ATP per channel by version, sync lag per handheld, alerts per day; old history is pruned but the current version stays', async () => {
      const c = await call<ChartsAnswer>('GET', '/api/v1/control/charts?sku=SKU-1002&days=30', { token: tokens.supervisor! });
      expect(c.status).toBe(200);
      const shop = c.body.atp.find((s) => s.label === 'shop')!;
      expect(shop.points.length).toBeGreaterThanOrEqual(2);
      // The pick of 5 shows as a step down of 5.
      const values = shop.points.map((p) => p[1]);
      expect(values[values.length - 2]! - values[values.length - 1]!).toBe(5);
      expect(c.body.syncLag.map((s) => s.label)).toContain(picker.id);
      expect(c.body.alertsPerDay.reduce((a, d) => a + d[1], 0)).toBeGreaterThan(0);
      expect((await call('GET', '/api/v1/control/charts?days=1000', { token: tokens.supervisor! })).status).toBe(400);
      // A year on, the sweep drops history older than 30 days, except each channel's current value.
      clock.advance(365 * 86_400_000);
      await expect
        .poll(async () => (await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM control_atp_history WHERE sku = 'SKU-1002'"))[0]!.n, {
          timeout: 10_000,
        })
        .toBe(1);
      const [current] = await app.db.query<{ v: number; h: number }>(
        "SELECT a.version AS v, h.version AS h FROM channel_atp a JOIN control_atp_history h USING (channel_id, sku) WHERE a.sku = 'SKU-1002'",
      );
      expect(Number(current!.h)).toBe(Number(current!.v));
    });
  });
}
