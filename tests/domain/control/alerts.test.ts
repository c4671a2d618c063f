/** The alert rules, one table per rule, on a fixed clock: the time is a parameter, never read. */
import { describe, expect, it } from 'vitest';
import {
  belowReorder,
  channelOvershown,
  daysOfCover,
  deadStock,
  deviceSilent,
  evaluateAlerts,
  heldTooLong,
  type HeldFacts,
  type ShownFacts,
  type SilentFacts,
  type SkuFacts,
} from '../../../src/domain/control/alerts.ts';
import { ControlSettingsSchema, DEFAULT_CONTROL_SETTINGS } from '../../../src/domain/control/settings.ts';
import { z } from '../../../src/domain/schema.ts';

const NOW = new Date('2026-11-23T09:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MIN = 60_000;
const DAY = 86_400_000;
const S = DEFAULT_CONTROL_SETTINGS.alerts;

const sku = (f: Partial<SkuFacts>): SkuFacts => ({
  sku: 'SKU-1',
  site: 'main',
  reorderPoint: 10,
  available: 50,
  onHand: 50,
  pickedInWindow: 0,
  lastMovementAt: ago(DAY),
  ...f,
});

describe('below reorder point', () => {
  it.each([
    // available, reorder point, picked in 14 days -> raised?, severity, days of cover
    { available: 11, rop: 10, picked: 14, raised: false },
    { available: 10, rop: 10, picked: 14, raised: true, severity: 'warning', cover: 10 },
    { available: 3, rop: 10, picked: 14, raised: true, severity: 'warning', cover: 3 },
    { available: 3, rop: 10, picked: 70, raised: true, severity: 'critical', cover: 0.6 },
    { available: 0, rop: 10, picked: 0, raised: true, severity: 'critical', cover: null },
    { available: 5, rop: 10, picked: 0, raised: true, severity: 'warning', cover: null },
    { available: 0, rop: null, picked: 5, raised: false },
  ])('available $available, reorder point $rop, $picked picked -> raised $raised', ({ available, rop, picked, raised, severity, cover }) => {
    const a = belowReorder(sku({ available, reorderPoint: rop, pickedInWindow: picked }), S);
    expect(a !== null).toBe(raised);
    if (a) {
      expect(a.severity).toBe(severity);
      expect(a.figures.daysOfCover).toBe(cover);
      expect(a.key).toBe('below_reorder:SKU-1:main');
    }
  });

  it('days of cover is available over the daily pick rate of the window', () => {
    expect(daysOfCover(30, 14, 14)).toBe(30);
    expect(daysOfCover(30, 0, 14)).toBeNull();
    expect(daysOfCover(-5, 7, 7)).toBe(0);
  });
});

describe('dead stock', () => {
  it.each([
    { onHand: 5, idleDays: 89.9, raised: false },
    { onHand: 5, idleDays: 90, raised: true },
    { onHand: 5, idleDays: 400, raised: true },
    { onHand: 0, idleDays: 400, raised: false },
    { onHand: 5, idleDays: null, raised: false },
  ])('$onHand on hand, idle $idleDays days -> $raised', ({ onHand, idleDays, raised }) => {
    const a = deadStock(sku({ onHand, lastMovementAt: idleDays === null ? null : ago(idleDays * DAY) }), S, NOW);
    expect(a !== null).toBe(raised);
  });

  it('takes its days from the settings', () => {
    const f = sku({ lastMovementAt: ago(31 * DAY) });
    expect(deadStock(f, S, NOW)).toBeNull();
    expect(deadStock(f, { ...S, deadStockDays: 30 }, NOW)?.figures.idleDays).toBe(31);
  });
});

describe('QC, quarantine and suspect units held too long', () => {
  const held = (f: Partial<HeldFacts>): HeldFacts => ({ sku: 'SKU-1', location: 'QC-1', site: 'main', bucket: 'qc', qty: 4, lastTouchedAt: ago(DAY), ...f });
  it.each([
    { bucket: 'qc', days: 6.9, qty: 4, raised: false },
    { bucket: 'qc', days: 7, qty: 4, raised: true, severity: 'warning' },
    { bucket: 'quarantine', days: 30, qty: 1, raised: true, severity: 'warning' },
    { bucket: 'suspect', days: 8, qty: 2, raised: true, severity: 'critical' },
    { bucket: 'suspect', days: 8, qty: 0, raised: false },
  ] as const)('$qty in $bucket for $days days -> $raised', ({ bucket, days, qty, raised, ...rest }) => {
    const a = heldTooLong(held({ bucket, qty, lastTouchedAt: ago(days * DAY) }), S, NOW);
    expect(a !== null).toBe(raised);
    if (a && 'severity' in rest) expect(a.severity).toBe(rest.severity);
    if (a) expect(a.key).toBe(`held_too_long:${bucket}:SKU-1:QC-1`);
  });
});

describe('a channel shown more than it could sell', () => {
  const shown = (f: Partial<ShownFacts>): ShownFacts => ({ channelId: 'web', sku: 'SKU-1', shown: 10, atpNow: 10, waitingSeconds: null, ...f });
  it.each([
    { shown: 10, atp: 10, waitingS: null, raised: false, why: 'shown what it can sell' },
    { shown: 8, atp: 10, waitingS: null, raised: false, why: 'shown less' },
    { shown: 12, atp: 10, waitingS: null, raised: true, why: 'no correction on its way' },
    { shown: 12, atp: 10, waitingS: 30, raised: false, why: 'correction waiting within the grace' },
    { shown: 12, atp: 10, waitingS: 60, raised: true, why: 'correction waiting past the grace' },
    { shown: 5, atp: 0, waitingS: 600, raised: true, severity: 'critical', why: 'shown stock it has none of' },
    { shown: null, atp: 0, waitingS: null, raised: false, why: 'never acknowledged a value' },
  ])('$why', ({ shown: s, atp, waitingS, raised, ...rest }) => {
    const a = channelOvershown(shown({ shown: s, atpNow: atp, waitingSeconds: waitingS }), S);
    expect(a !== null).toBe(raised);
    if (a) expect(a.figures.excess).toBe((s ?? 0) - atp);
    if (a && 'severity' in rest) expect(a.severity).toBe(rest.severity);
  });
});

describe('a handheld holding events that delivered none for M minutes', () => {
  const dev = (f: Partial<SilentFacts>): SilentFacts => ({
    deviceId: 'd1',
    backlog: 3,
    lastDeliveryAt: ago(MIN),
    lastContactAt: ago(MIN),
    retired: false,
    ...f,
  });
  it.each([
    { backlog: 3, deliveredMin: 14, raised: false },
    { backlog: 3, deliveredMin: 15, raised: true, severity: 'warning' },
    { backlog: 3, deliveredMin: 30, raised: true, severity: 'critical' },
    { backlog: 0, deliveredMin: 300, raised: false },
    { backlog: 3, deliveredMin: 300, retired: true, raised: false },
  ])('backlog $backlog, last delivery $deliveredMin min ago -> $raised', ({ backlog, deliveredMin, raised, retired, severity }) => {
    const a = deviceSilent(dev({ backlog, lastDeliveryAt: ago(deliveredMin * MIN), retired: retired ?? false }), S, NOW);
    expect(a !== null).toBe(raised);
    if (a) expect(a.severity).toBe(severity);
  });

  it('a handheld that never delivered counts from its last contact', () => {
    expect(deviceSilent(dev({ lastDeliveryAt: null, lastContactAt: ago(20 * MIN) }), S, NOW)?.figures.minutes).toBe(20);
    expect(deviceSilent(dev({ lastDeliveryAt: null, lastContactAt: null }), S, NOW)).toBeNull();
  });

  it('the same facts raise later on a later clock, never on their own', () => {
    const f = dev({ lastDeliveryAt: ago(10 * MIN) });
    expect(deviceSilent(f, S, NOW)).toBeNull();
    expect(deviceSilent(f, S, new Date(NOW.getTime() + 5 * MIN))).not.toBeNull();
  });
});

describe('every rule at once', () => {
  it('keys are unique and each names its kind', () => {
    const raised = evaluateAlerts(
      {
        skus: [sku({ available: 0, lastMovementAt: ago(200 * DAY) })],
        held: [{ sku: 'SKU-1', location: 'R-1', site: 'main', bucket: 'quarantine', qty: 1, lastTouchedAt: ago(9 * DAY) }],
        shown: [{ channelId: 'web', sku: 'SKU-1', shown: 3, atpNow: 0, waitingSeconds: null }],
        devices: [{ deviceId: 'd1', backlog: 2, lastDeliveryAt: ago(60 * MIN), lastContactAt: null, retired: false }],
      },
      S,
      NOW,
    );
    expect(raised.map((a) => a.kind).sort()).toEqual(['below_reorder', 'channel_overshown', 'dead_stock', 'device_silent', 'held_too_long']);
    expect(new Set(raised.map((a) => a.key)).size).toBe(raised.length);
  });
});

describe('settings', () => {
  it('the defaults are valid, and a red below its amber or a huge value is refused', () => {
    expect(z.safeParse(ControlSettingsSchema, DEFAULT_CONTROL_SETTINGS).success).toBe(true);
    const bad = structuredClone(DEFAULT_CONTROL_SETTINGS) as { device: { backlog: { amber: number; red: number } } };
    bad.device.backlog = { amber: 10, red: 5 };
    expect(z.safeParse(ControlSettingsSchema, bad).success).toBe(false);
    bad.device.backlog = { amber: 10, red: 1e12 };
    expect(z.safeParse(ControlSettingsSchema, bad).success).toBe(false);
    expect(z.safeParse(ControlSettingsSchema, { ...DEFAULT_CONTROL_SETTINGS, extra: 1 }).success).toBe(false);
  });
});
