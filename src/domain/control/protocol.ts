/**
 * The control room's wire contract: the handheld's health report, the board, stock with its
 * explanation, alerts and their acknowledgement. Requests are parsed with these schemas; the
 * answers are the types the API returns and the control room reads.
 */
import { z } from '../schema.ts';
import type { AlertDraft } from './alerts.ts';
import type { Rag, Reason } from './board.ts';
import type { ControlSettings } from './settings.ts';

const MAX_COUNT = 100_000_000;
const MAX_BYTES = 2 ** 53 - 1;
const count = (what: string) => z.int().check(z.minimum(0, `${what} must be at least 0`), z.maximum(MAX_COUNT, `${what} must be at most ${MAX_COUNT}`));
const bytes = (what: string) => z.number().check(z.minimum(0, `${what} must be at least 0`), z.maximum(MAX_BYTES, `${what} is too large`));

/** What a handheld reports of itself (`PUT /api/v1/control/devices/{deviceId}/health`). */
export const HealthReportSchema = z.strictObject({
  /** Events recorded and not yet acknowledged by the API. */
  pending: count('pending'),
  /** When the oldest of them was recorded (the device's clock, ISO 8601); null when none. */
  oldestPendingAt: z.nullable(z.iso.datetime({ offset: true, message: 'oldestPendingAt must be an ISO 8601 date-time' })),
  /** Refused events the device still lists as needing attention. */
  needsAttention: count('needsAttention'),
  storageUsage: z.nullable(bytes('storageUsage')),
  storageQuota: z.nullable(bytes('storageQuota')),
});
export type HealthReport = z.output<typeof HealthReportSchema>;

export type BoardTile = { rag: Rag; reasons: Reason[] };
export type DeviceTile = BoardTile & {
  deviceId: string;
  /** The last event the API holds from it. */
  lastSeq: number;
  lastContactAt: string | null;
  backlog: number;
  oldestPendingAt: string | null;
  refusals: number;
  storageUsage: number | null;
  storageQuota: number | null;
  reportedAt: string | null;
  sites: string[];
};
export type EndpointTile = BoardTile & {
  endpointId: string;
  channelId: string;
  url: string;
  disabled: boolean;
  disabledReason: string | null;
  lastAckAt: string | null;
  oldestWaitingAt: string | null;
  waiting: number;
  failuresInARow: number;
  /** Change to delivery, seconds, of the last acknowledged deliveries (newest last). */
  recentLagSeconds: number[];
};
export type SiteTile = BoardTile & { siteId: string; name: string; openAlerts: number };
export type Board = { at: string; devices: DeviceTile[]; endpoints: EndpointTile[]; sites: SiteTile[]; openAlerts: number };

/** An alert as stored: what the rule raised, and its life since. */
export type AlertView = AlertDraft & {
  id: number;
  raisedAt: string;
  lastSeenAt: string;
  clearedAt: string | null;
  ackedAt: string | null;
  ackedBy: string | null;
};
export type AlertsAnswer = { alerts: AlertView[]; perDay: { day: string; raised: number }[] };

export type StockSiteFigures = { site: string; available: number; committed: number; qc: number; quarantine: number; suspect: number; reserved: number };
export type StockItem = { sku: string; name: string; reorderPoint: number | null; sites: StockSiteFigures[]; atp: { channelId: string; atp: number }[] };
export type StockAnswer = { items: StockItem[]; total: number };

/** One ledger entry behind a figure: who, on which device, when, and what the scan was. */
export type ExplainEntry = {
  position: number;
  type: string;
  actor: string;
  deviceId: string;
  seq: number;
  occurredAt: string;
  receivedAt: string;
  location: string | null;
  qty: number | null;
  scan: string | null;
  payload: unknown;
};
export type ExplainAnswer = {
  sku: string;
  site: string | null;
  bucket: string;
  figure: number;
  entries: ExplainEntry[];
  reservations: { orderId: string; channelId: string; qty: number; status: string }[];
};

export type ChartSeries = { label: string; points: [number, number][] };
export type ChartsAnswer = { atp: ChartSeries[]; syncLag: ChartSeries[]; alertsPerDay: [number, number][] };

export const AckSchema = z.strictObject({ note: z.optional(z.string().check(z.maxLength(500, 'note: at most 500 characters'))) });
export type SettingsAnswer = { settings: ControlSettings; updatedAt: string | null; updatedBy: string | null };
