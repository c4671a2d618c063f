/**
 * The board's red/amber/green: pure functions of what the API knows of a handheld, a channel
 * endpoint or a site, the thresholds, and the time (a parameter, never read here).
 */
import type { ControlSettings, Threshold } from './settings.ts';

export type Rag = 'green' | 'amber' | 'red';
const RANK: Record<Rag, number> = { green: 0, amber: 1, red: 2 };
export const worst = (rags: readonly Rag[]): Rag => rags.reduce<Rag>((a, b) => (RANK[b] > RANK[a] ? b : a), 'green');

/** The colour of one figure against its threshold (amber from `amber`, red from `red`, both inclusive). */
export function ragOf(value: number, t: Threshold): Rag {
  return value >= t.red ? 'red' : value >= t.amber ? 'amber' : 'green';
}

/** A reason a tile is not green, for people: the figure, its value and the colour it gives. */
export type Reason = { figure: string; value: number; rag: Rag };

export type Tile = { rag: Rag; reasons: Reason[] };

const tile = (figures: readonly { figure: string; value: number | null; t: Threshold }[]): Tile => {
  const reasons: Reason[] = [];
  for (const f of figures) {
    if (f.value === null) continue;
    const rag = ragOf(f.value, f.t);
    if (rag !== 'green') reasons.push({ figure: f.figure, value: f.value, rag });
  }
  return { rag: worst(reasons.map((r) => r.rag)), reasons };
};

const minutes = (from: Date | null, now: Date): number | null => (from ? Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60_000)) : null);

/**
 * What the API knows of a handheld: its last contact (a pull, a push or a health report), the
 * backlog it reported (with the time of its oldest undelivered event), what it refused.
 */
export type DeviceFacts = {
  lastContactAt: Date | null;
  /** Undelivered events as the device last reported them (0 when it never reported). */
  backlog: number;
  /** When the oldest of them was recorded (the device's clock), null when none. */
  oldestPendingAt: Date | null;
  /** Events the API refused from this device, or that the device lists as needing attention (the larger). */
  refusals: number;
  storageUsage: number | null;
  storageQuota: number | null;
  /** A revoked or reset registration is not watched. */
  retired: boolean;
};

/**
 * A handheld's tile. Its last contact counts only while it holds events (a handheld switched
 * off with nothing to deliver is no risk): then it goes amber and red with the age of its last
 * contact and of its oldest undelivered event, as the API knows them now.
 */
export function deviceTile(d: DeviceFacts, s: ControlSettings['device'], now: Date): Tile {
  if (d.retired) return { rag: 'green', reasons: [] };
  const holding = d.backlog > 0;
  const storagePct = d.storageUsage !== null && d.storageQuota ? Math.floor((d.storageUsage / d.storageQuota) * 100) : null;
  return tile([
    { figure: 'contactMinutes', value: holding ? minutes(d.lastContactAt, now) : null, t: s.contactMinutes },
    { figure: 'backlog', value: d.backlog, t: s.backlog },
    { figure: 'oldestMinutes', value: holding ? minutes(d.oldestPendingAt, now) : null, t: s.oldestMinutes },
    { figure: 'refusals', value: d.refusals, t: s.refusals },
    { figure: 'storagePct', value: storagePct, t: s.storagePct },
  ]);
}

/** What the API knows of a channel's webhook endpoint from its outbox and delivery log. */
export type EndpointFacts = {
  disabled: boolean;
  /** How long the oldest change still waiting for this endpoint has waited (seconds, on the outbox's clock); null when nothing waits. */
  waitingSeconds: number | null;
  /** Failed attempts since the last acknowledged delivery. */
  failuresInARow: number;
  lastAckAt: Date | null;
};

/** A channel endpoint's tile: red when disabled, else by the lag of what waits and the failures in a row. */
export function endpointTile(e: EndpointFacts, s: ControlSettings['endpoint']): Tile {
  if (e.disabled) return { rag: 'red', reasons: [{ figure: 'disabled', value: 1, rag: 'red' }] };
  return tile([
    { figure: 'lagSeconds', value: e.waitingSeconds === null ? null : Math.floor(e.waitingSeconds), t: s.lagSeconds },
    { figure: 'failures', value: e.failuresInARow, t: s.failures },
  ]);
}

/** A site's tile: the worst of the handhelds that worked there and the endpoints of channels selling from it, and its open alerts. */
export function siteTile(parts: readonly Rag[], openAlerts: number): Tile {
  const rag = worst([...parts, openAlerts > 0 ? 'amber' : 'green']);
  const reasons: Reason[] = [];
  const reds = parts.filter((p) => p === 'red').length;
  const ambers = parts.filter((p) => p === 'amber').length;
  if (reds > 0) reasons.push({ figure: 'redTiles', value: reds, rag: 'red' });
  if (ambers > 0) reasons.push({ figure: 'amberTiles', value: ambers, rag: 'amber' });
  if (openAlerts > 0) reasons.push({ figure: 'openAlerts', value: openAlerts, rag: 'amber' });
  return { rag, reasons };
}
