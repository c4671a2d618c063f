/**
 * The control room's settings: the thresholds that turn a figure amber or red, and the limits of
 * the alert rules. Stored by the API, edited by an admin; every field bounded.
 */
import { z } from '../schema.ts';

const whole = (what: string, max: number) => z.int().check(z.minimum(0, `${what} must be at least 0`), z.maximum(max, `${what} must be at most ${max}`));
/** An amber and a red limit of one figure: amber at `amber` or more, red at `red` or more. */
const pair = (what: string, max: number) =>
  z
    .strictObject({ amber: whole(`${what}.amber`, max), red: whole(`${what}.red`, max) })
    .check(z.refine((p) => p.red >= p.amber, { message: `${what}: red must be at least amber` }));

const DAY_MIN = 24 * 60;

export const ControlSettingsSchema = z.strictObject({
  device: z.strictObject({
    /** Minutes since the device last called in. */
    contactMinutes: pair('device.contactMinutes', 30 * DAY_MIN),
    /** Events the device holds undelivered. */
    backlog: pair('device.backlog', 10_000_000),
    /** Minutes the device's oldest undelivered event has waited. */
    oldestMinutes: pair('device.oldestMinutes', 30 * DAY_MIN),
    /** Events the API refused (or the device lists as needing attention). */
    refusals: pair('device.refusals', 10_000_000),
    /** Percent of the device's storage quota in use. */
    storagePct: pair('device.storagePct', 100),
  }),
  endpoint: z.strictObject({
    /** Seconds a change has waited for delivery to the endpoint. */
    lagSeconds: pair('endpoint.lagSeconds', 30 * DAY_MIN * 60),
    /** Failed deliveries in a row (since its last acknowledged one). */
    failures: pair('endpoint.failures', 1_000_000),
  }),
  alerts: z.strictObject({
    /** Days without movement that make stock dead. */
    deadStockDays: whole('alerts.deadStockDays', 3650),
    /** Days QC, quarantine or suspect units may sit untouched. */
    heldDays: whole('alerts.heldDays', 3650),
    /** Days of picks that make the recent pick rate (days of cover). */
    pickWindowDays: z.int().check(z.minimum(1, 'alerts.pickWindowDays must be at least 1'), z.maximum(365, 'alerts.pickWindowDays must be at most 365')),
    /** Minutes a device may hold events without delivering any before an alert. */
    deviceSilentMinutes: whole('alerts.deviceSilentMinutes', 30 * DAY_MIN),
    /** Seconds a channel may show more than it can sell (a change on its way) before an alert. */
    overshownGraceSeconds: whole('alerts.overshownGraceSeconds', DAY_MIN * 60),
  }),
});
export type ControlSettings = z.output<typeof ControlSettingsSchema>;
export type Threshold = { amber: number; red: number };

export const DEFAULT_CONTROL_SETTINGS: ControlSettings = {
  device: {
    contactMinutes: { amber: 5, red: 15 },
    backlog: { amber: 20, red: 200 },
    oldestMinutes: { amber: 5, red: 15 },
    refusals: { amber: 1, red: 10 },
    storagePct: { amber: 80, red: 95 },
  },
  endpoint: {
    lagSeconds: { amber: 60, red: 300 },
    failures: { amber: 1, red: 5 },
  },
  alerts: { deadStockDays: 90, heldDays: 7, pickWindowDays: 14, deviceSilentMinutes: 15, overshownGraceSeconds: 60 },
};
