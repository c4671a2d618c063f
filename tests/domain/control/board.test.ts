/** Red, amber and green of the board's tiles, as tables, on a fixed clock. */
import { describe, expect, it } from 'vitest';
import { deviceTile, endpointTile, ragOf, siteTile, type DeviceFacts, type EndpointFacts } from '../../../src/domain/control/board.ts';
import { DEFAULT_CONTROL_SETTINGS } from '../../../src/domain/control/settings.ts';

const NOW = new Date('2026-11-23T09:00:00.000Z');
const minAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const S = DEFAULT_CONTROL_SETTINGS;

describe('one figure', () => {
  it.each([
    [0, 'green'],
    [4, 'green'],
    [5, 'amber'],
    [14, 'amber'],
    [15, 'red'],
    [1e9, 'red'],
  ] as const)('%d against amber 5 / red 15 is %s', (v, rag) => expect(ragOf(v, { amber: 5, red: 15 })).toBe(rag));
});

describe('a handheld', () => {
  const dev = (f: Partial<DeviceFacts>): DeviceFacts => ({
    lastContactAt: minAgo(1),
    backlog: 0,
    oldestPendingAt: null,
    refusals: 0,
    storageUsage: null,
    storageQuota: null,
    retired: false,
    ...f,
  });
  it.each([
    { why: 'in touch, nothing held', f: {}, rag: 'green', reasons: [] },
    { why: 'silent for an hour with nothing held', f: { lastContactAt: minAgo(60) }, rag: 'green', reasons: [] },
    {
      why: 'holding events, silent 6 min',
      f: { backlog: 2, oldestPendingAt: minAgo(7), lastContactAt: minAgo(6) },
      rag: 'amber',
      reasons: ['contactMinutes', 'oldestMinutes'],
    },
    {
      why: 'holding events, silent 16 min',
      f: { backlog: 2, oldestPendingAt: minAgo(16), lastContactAt: minAgo(16) },
      rag: 'red',
      reasons: ['contactMinutes', 'oldestMinutes'],
    },
    { why: 'a large backlog, in touch', f: { backlog: 250, oldestPendingAt: minAgo(1) }, rag: 'red', reasons: ['backlog'] },
    { why: 'one refusal', f: { refusals: 1 }, rag: 'amber', reasons: ['refusals'] },
    { why: 'storage 96% full', f: { storageUsage: 96, storageQuota: 100 }, rag: 'red', reasons: ['storagePct'] },
    { why: 'retired', f: { retired: true, refusals: 50 }, rag: 'green', reasons: [] },
  ])('$why: $rag', ({ f, rag, reasons }) => {
    const t = deviceTile(dev(f), S.device, NOW);
    expect(t.rag).toBe(rag);
    expect(t.reasons.map((r) => r.figure)).toEqual(reasons);
  });

  it('turns amber then red as the clock moves, the facts unchanged', () => {
    const f = dev({ backlog: 1, oldestPendingAt: minAgo(0), lastContactAt: minAgo(0) });
    const at = (m: number) => deviceTile(f, S.device, new Date(NOW.getTime() + m * 60_000)).rag;
    expect([at(0), at(4), at(5), at(14), at(15)]).toEqual(['green', 'green', 'amber', 'amber', 'red']);
  });
});

describe('a channel endpoint', () => {
  const ep = (f: Partial<EndpointFacts>): EndpointFacts => ({ disabled: false, waitingSeconds: null, failuresInARow: 0, lastAckAt: minAgo(1), ...f });
  it.each([
    { why: 'nothing waits', f: {}, rag: 'green' },
    { why: 'a change waiting 30 s', f: { waitingSeconds: 30 }, rag: 'green' },
    { why: 'a change waiting 2 min', f: { waitingSeconds: 120 }, rag: 'amber' },
    { why: 'a change waiting 6 min', f: { waitingSeconds: 360 }, rag: 'red' },
    { why: 'one failure', f: { failuresInARow: 1 }, rag: 'amber' },
    { why: 'five failures in a row', f: { failuresInARow: 5 }, rag: 'red' },
    { why: 'disabled', f: { disabled: true }, rag: 'red' },
  ])('$why: $rag', ({ f, rag }) => expect(endpointTile(ep(f), S.endpoint).rag).toBe(rag));
});

describe('a site', () => {
  it.each([
    { parts: [], alerts: 0, rag: 'green' },
    { parts: ['green', 'green'], alerts: 1, rag: 'amber' },
    { parts: ['green', 'amber'], alerts: 0, rag: 'amber' },
    { parts: ['amber', 'red'], alerts: 0, rag: 'red' },
  ] as const)('$parts with $alerts open alerts: $rag', ({ parts, alerts, rag }) => expect(siteTile(parts, alerts).rag).toBe(rag));
});
