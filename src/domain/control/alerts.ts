/**
 * The control room's alert rules: pure functions of figures the API reads, the settings and
 * the time. Each raised alert has a key (one open alert per key: raising it again updates it),
 * a kind, a subject and its figures; an alert whose key is no longer raised is cleared.
 */
import type { ControlSettings } from './settings.ts';

export const ALERT_KINDS = ['below_reorder', 'dead_stock', 'held_too_long', 'channel_overshown', 'device_silent'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type Severity = 'warning' | 'critical';

export type AlertDraft = {
  key: string;
  kind: AlertKind;
  severity: Severity;
  /** What it is about: a SKU, `sku@location`, `channel/sku` or a device id. */
  subject: string;
  sku: string | null;
  site: string | null;
  message: string;
  figures: Record<string, number | string | null>;
};

const DAY_MS = 86_400_000;
const daysBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / DAY_MS;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** A SKU's figures at one site: what rules over stock read. */
export type SkuFacts = {
  sku: string;
  site: string;
  /** The catalog's reorder point (per site); null when none is set. */
  reorderPoint: number | null;
  available: number;
  onHand: number;
  /** Units picked at this site in the last `pickWindowDays` days. */
  pickedInWindow: number;
  /** The last applied ledger entry that moved this SKU at this site; null when none. */
  lastMovementAt: Date | null;
};

/** Days the available units last at the recent pick rate; null when nothing was picked (no rate). */
export function daysOfCover(available: number, pickedInWindow: number, windowDays: number): number | null {
  if (pickedInWindow <= 0) return null;
  return round1(Math.max(0, available) / (pickedInWindow / windowDays));
}

/** Available at or below the reorder point: critical when none is left or it lasts under a day. */
export function belowReorder(f: SkuFacts, s: ControlSettings['alerts']): AlertDraft | null {
  if (f.reorderPoint === null || f.available > f.reorderPoint) return null;
  const cover = daysOfCover(f.available, f.pickedInWindow, s.pickWindowDays);
  const critical = f.available <= 0 || (cover !== null && cover < 1);
  return {
    key: `below_reorder:${f.sku}:${f.site}`,
    kind: 'below_reorder',
    severity: critical ? 'critical' : 'warning',
    subject: f.sku,
    sku: f.sku,
    site: f.site,
    message:
      `${f.sku} at ${f.site}: ${f.available} available, reorder point ${f.reorderPoint}` +
      (cover === null ? ' (no picks in the last ' + s.pickWindowDays + ' days)' : `, about ${cover} days of cover at the recent pick rate`),
    figures: { available: f.available, reorderPoint: f.reorderPoint, daysOfCover: cover, pickedInWindow: f.pickedInWindow },
  };
}

/** Units on hand that no ledger entry has moved for `deadStockDays` days. */
export function deadStock(f: SkuFacts, s: ControlSettings['alerts'], now: Date): AlertDraft | null {
  if (f.onHand <= 0 || f.lastMovementAt === null) return null;
  const idle = daysBetween(f.lastMovementAt, now);
  if (idle < s.deadStockDays) return null;
  return {
    key: `dead_stock:${f.sku}:${f.site}`,
    kind: 'dead_stock',
    severity: 'warning',
    subject: f.sku,
    sku: f.sku,
    site: f.site,
    message: `${f.sku} at ${f.site}: ${f.onHand} on hand, no movement for ${Math.floor(idle)} days`,
    figures: { onHand: f.onHand, idleDays: Math.floor(idle), lastMovementAt: f.lastMovementAt.toISOString() },
  };
}

export const HELD_BUCKETS = ['qc', 'quarantine', 'suspect'] as const;
export type HeldBucket = (typeof HELD_BUCKETS)[number];

/** Units in QC, quarantine or suspect at one location, and when an entry last touched that figure. */
export type HeldFacts = { sku: string; location: string; site: string; bucket: HeldBucket; qty: number; lastTouchedAt: Date | null };

/** QC, quarantine or suspect units that have sat untouched longer than `heldDays`. */
export function heldTooLong(f: HeldFacts, s: ControlSettings['alerts'], now: Date): AlertDraft | null {
  if (f.qty <= 0 || f.lastTouchedAt === null) return null;
  const days = daysBetween(f.lastTouchedAt, now);
  if (days < s.heldDays) return null;
  return {
    key: `held_too_long:${f.bucket}:${f.sku}:${f.location}`,
    kind: 'held_too_long',
    severity: f.bucket === 'suspect' ? 'critical' : 'warning',
    subject: `${f.sku}@${f.location}`,
    sku: f.sku,
    site: f.site,
    message: `${f.qty} of ${f.sku} in ${f.bucket} at ${f.location} for ${Math.floor(days)} days`,
    figures: { qty: f.qty, bucket: f.bucket, days: Math.floor(days), lastTouchedAt: f.lastTouchedAt.toISOString() },
  };
}

/**
 * What a channel was last shown of a SKU (the newest value its endpoint acknowledged) against
 * what it could sell now, and how long a newer value has waited for delivery (seconds, on the
 * outbox's own clock: the database's).
 */
export type ShownFacts = { channelId: string; sku: string; shown: number | null; atpNow: number; waitingSeconds: number | null };

/**
 * A channel shown more than it can sell: its last acknowledged value is above its ATP now, and
 * no correction is on its way, or one has waited longer than the grace.
 */
export function channelOvershown(f: ShownFacts, s: ControlSettings['alerts']): AlertDraft | null {
  if (f.shown === null || f.shown <= f.atpNow) return null;
  if (f.waitingSeconds !== null && f.waitingSeconds < s.overshownGraceSeconds) return null;
  const excess = f.shown - f.atpNow;
  return {
    key: `channel_overshown:${f.channelId}:${f.sku}`,
    kind: 'channel_overshown',
    severity: f.atpNow <= 0 ? 'critical' : 'warning',
    subject: `${f.channelId}/${f.sku}`,
    sku: f.sku,
    site: null,
    message: `${f.channelId} shows ${f.shown} of ${f.sku} but can sell ${f.atpNow} (${excess} too many)`,
    figures: { shown: f.shown, atp: f.atpNow, excess, waitingSeconds: f.waitingSeconds },
  };
}

/** A handheld's undelivered events as it last reported them, and when the API last received one of its events. */
export type SilentFacts = { deviceId: string; backlog: number; lastDeliveryAt: Date | null; lastContactAt: Date | null; retired: boolean };

/** A handheld holding events that has delivered none for `deviceSilentMinutes`. */
export function deviceSilent(f: SilentFacts, s: ControlSettings['alerts'], now: Date): AlertDraft | null {
  if (f.retired || f.backlog <= 0) return null;
  const since = f.lastDeliveryAt ?? f.lastContactAt;
  if (since === null) return null;
  const mins = Math.floor((now.getTime() - since.getTime()) / 60_000);
  if (mins < s.deviceSilentMinutes) return null;
  return {
    key: `device_silent:${f.deviceId}`,
    kind: 'device_silent',
    severity: mins >= 2 * s.deviceSilentMinutes ? 'critical' : 'warning',
    subject: f.deviceId,
    sku: null,
    site: null,
    message: `handheld ${f.deviceId} holds ${f.backlog} undelivered events and has delivered none for ${mins} minutes`,
    figures: { backlog: f.backlog, minutes: mins, lastDeliveryAt: f.lastDeliveryAt?.toISOString() ?? null },
  };
}

export type AlertInputs = { skus: SkuFacts[]; held: HeldFacts[]; shown: ShownFacts[]; devices: SilentFacts[] };

/** Every rule over every input: the alerts that are raised now. */
export function evaluateAlerts(inputs: AlertInputs, s: ControlSettings['alerts'], now: Date): AlertDraft[] {
  const out: (AlertDraft | null)[] = [];
  for (const f of inputs.skus) out.push(belowReorder(f, s), deadStock(f, s, now));
  for (const f of inputs.held) out.push(heldTooLong(f, s, now));
  for (const f of inputs.shown) out.push(channelOvershown(f, s));
  for (const f of inputs.devices) out.push(deviceSilent(f, s, now));
  return out.filter((a): a is AlertDraft => a !== null);
}
