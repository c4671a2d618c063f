/**
 * The wire contract of reconciliation and cycle counts: requests a supervisor sends, the
 * read-back a channel answers, and the answers. Every field bounded; ids parsed once, here.
 *
 * Read-back contract (a channel's optional `stockUrl`): the API sends `GET <stockUrl>` with
 * `accept: application/json` and expects, within 5 s and 32 MB, `{ "items": [{ "sku": "SKU-1",
 * "quantity": 7 }, ...] }`: the quantity the channel shows a buyer now for every SKU it lists.
 * A SKU it does not list is not compared. An answer that is not this shape is a failed read-back
 * (said in the run), never a drift.
 */
import { z } from '../schema.ts';
import { SkuSchema } from '../ids.ts';
import type { ChannelDrift, DriftCause, StockDrift } from './drift.ts';
import type { AccuracyDay, CycleCountReason } from './cycle-counts.ts';

/** Most SKUs one on-demand run or one re-push names. */
export const MAX_RUN_SKUS = 1000;
/** Most items a read-back may list (more is refused as a failed read-back). */
export const MAX_READBACK_ITEMS = 500_000;
export const MAX_READBACK_BYTES = 32 * 1024 * 1024;
export const MAX_CYCLE_PER_DAY = 500;

const whole = (what: string, min: number, max: number) =>
  z.number({ error: `${what} must be a number` }).check(
    z.refine((n) => Number.isInteger(n), `${what} must be a whole number`),
    z.gte(min, `${what} must be at least ${min}`),
    z.lte(max, `${what} must be at most ${max}`),
  );

const ChannelId = z.string({ error: 'channel id must be text' }).check(z.regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'not a channel id'));
export const ChannelParamSchema = z.strictObject({ channelId: ChannelId });

const skuList = z.array(SkuSchema).check(z.minLength(1, 'skus: name at least one'), z.maxLength(MAX_RUN_SKUS, `skus: at most ${MAX_RUN_SKUS}`));

/** An on-demand run: named SKUs, or a scope. */
export const RunRequestSchema = z.strictObject({ skus: z.optional(skuList), scope: z.optional(z.enum(['fast', 'all'])) });
/** A one-click re-push of a channel's ATP for some SKUs. */
export const RepushRequestSchema = z.strictObject({ channelId: ChannelId, skus: skuList });

/** A read-back address: http(s), no credentials in it; null removes it. */
export const StockUrlRequestSchema = z.strictObject({
  stockUrl: z.nullable(
    z.string({ error: 'stockUrl must be text' }).check(
      z.maxLength(500, 'stockUrl is longer than 500 characters'),
      z.refine((s) => {
        try {
          const u = new URL(s);
          return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
        } catch {
          return false;
        }
      }, 'stockUrl must be an http(s) address without credentials'),
    ),
  ),
});

export const ReconcileSettingsSchema = z.strictObject({
  cycleCountsPerDay: z.optional(whole('cycleCountsPerDay', 0, MAX_CYCLE_PER_DAY)),
  velocityDays: z.optional(whole('velocityDays', 1, 90)),
  fastMovers: z.optional(whole('fastMovers', 0, 10_000)),
  dailyHour: z.optional(whole('dailyHour', 0, 23)),
  countHour: z.optional(whole('countHour', 0, 23)),
});
export type ReconcileSettings = { cycleCountsPerDay: number; velocityDays: number; fastMovers: number; dailyHour: number; countHour: number };
export const DEFAULT_SETTINGS: ReconcileSettings = { cycleCountsPerDay: 10, velocityDays: 7, fastMovers: 100, dailyHour: 2, countHour: 6 };

export const AccuracyQuerySchema = z.strictObject({
  days: z.optional(z.pipe(z.string(), z.transform(Number)).check(z.refine((n) => Number.isInteger(n) && n >= 1 && n <= 366, 'days must be 1-366'))),
});

/** One read-back line. */
export const ReadBackSchema = z.object({
  items: z
    .array(z.object({ sku: z.string().check(z.maxLength(64)), quantity: whole('quantity', -1_000_000_000, 1_000_000_000) }))
    .check(z.maxLength(MAX_READBACK_ITEMS, `items: at most ${MAX_READBACK_ITEMS}`)),
});
export type ReadBack = z.infer<typeof ReadBackSchema>;

/** One drift row of the report (a channel's, or the ledger's). */
export type DriftRow =
  | (ChannelDrift & { id: number; kind: 'channel'; sites: string[]; site: null; location: null; detectedAt: string; repushedAt: string | null })
  | (Omit<StockDrift, 'table' | 'replayed'> & {
      id: number;
      kind: 'stock';
      channelId: null;
      expected: number;
      shown: number;
      detectedAt: string;
      repushedAt: null;
    });

export type RunSummary = {
  id: number;
  scope: 'fast' | 'all' | 'skus';
  trigger: 'schedule' | 'on_demand' | 'repush';
  startedAt: string;
  finishedAt: string | null;
  skus: number;
  drifts: number;
  /** Read-backs that failed, per channel (the reason). */
  readBackErrors: Record<string, string>;
  /** Why the run stopped before its end (null: it ended). */
  error: string | null;
};

export type ReportAnswer = { drifts: DriftRow[]; byCause: Record<DriftCause, number>; runs: RunSummary[] };

export type CycleTaskRow = {
  taskId: string;
  day: string;
  location: string;
  reason: CycleCountReason;
  detail: string;
  status: string;
  /** Lines with a variance once counted (null until counted). */
  variances: number | null;
};
export type CycleAnswer = { day: string; tasks: CycleTaskRow[]; accuracy: AccuracyDay[]; settings: ReconcileSettings };
