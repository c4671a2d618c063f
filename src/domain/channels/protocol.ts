/**
 * The wire contract of sales channels: requests a supervisor or a channel sends, and the
 * answers and webhook payloads it gets. Every field bounded; ids parsed once, here.
 */
import { z } from 'zod';
import { MAX_QTY, SkuSchema } from '../ids.ts';
import { freeText } from '../text.ts';
import type { AtpLimit } from './atp.ts';

/** Largest body a channel route takes: an order of 100 lines is well under it. */
export const CHANNEL_BODY_BYTES = 65_536;
export const MAX_ORDER_LINES = 100;
export const MAX_POLICY_RULES = 1000;
export const MAX_ENDPOINTS_PER_CHANNEL = 10;
export const MAX_CHANNEL_SITES = 20;

export const ChannelIdSchema = z
  .string({ error: 'channel id must be text' })
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'channel id: 2-40 lowercase letters, digits and -, starting with a letter or digit');
export const SiteIdSchema = z.string({ error: 'site must be text' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'site: 1-40 letters, digits and . _ -');
export const OrderIdSchema = z.string({ error: 'order id must be text' }).regex(/^SO-[0-9a-f]{16}$/, 'not an order id');
export const EndpointIdSchema = z.string({ error: 'endpoint id must be text' }).regex(/^we_[0-9a-f]{16}$/, 'not a webhook endpoint id');
/** The Idempotency-Key header: what makes a retry of a POST the same order. */
export const IdempotencyKeySchema = z
  .string({ error: 'send an Idempotency-Key header' })
  .regex(/^[A-Za-z0-9._:-]{8,128}$/, 'Idempotency-Key: 8-128 letters, digits and . _ : -');
const LineIdSchema = z.string({ error: 'lineId must be text' }).regex(/^[A-Za-z0-9_-]{1,32}$/, 'lineId: 1-32 letters, digits, _ and -');
const units = (what: string, min: number) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`)
    .max(MAX_QTY, `${what} must be at most ${MAX_QTY}`);

export const CreateChannelSchema = z.strictObject({
  id: ChannelIdSchema,
  name: freeText('name', 100),
  sites: z
    .array(SiteIdSchema)
    .min(1, 'sites: name at least one site')
    .max(MAX_CHANNEL_SITES, `sites: at most ${MAX_CHANNEL_SITES}`)
    .refine((s) => new Set(s).size === s.length, 'sites: a site is named twice'),
  reservationTtlSeconds: z.number().int().min(10).max(86_400).default(900),
});
export type CreateChannel = z.output<typeof CreateChannelSchema>;

export const PolicyRuleSchema = z.strictObject({
  sku: z.nullable(SkuSchema).default(null),
  site: SiteIdSchema.nullable().default(null),
  safetyBuffer: units('safetyBuffer', 0).optional(),
  sharePct: z.number({ error: 'sharePct must be a number' }).int('sharePct must be a whole percent').min(0).max(100).optional(),
  maxListed: units('maxListed', 0).nullable().optional(),
  ringFence: units('ringFence', 0).optional(),
});
export const PoliciesSchema = z.strictObject({
  rules: z
    .array(PolicyRuleSchema)
    .max(MAX_POLICY_RULES, `rules: at most ${MAX_POLICY_RULES}`)
    .refine((rs) => new Set(rs.map((r) => `${r.sku ?? '*'} ${r.site ?? '*'}`)).size === rs.length, 'rules: two rules for the same sku and site'),
});

export const OrderLineSchema = z.strictObject({ lineId: LineIdSchema, sku: SkuSchema, qty: units('qty', 1) });
export const PlaceOrderSchema = z.strictObject({
  lines: z
    .array(OrderLineSchema)
    .min(1, 'lines: an order has at least one line')
    .max(MAX_ORDER_LINES, `lines: at most ${MAX_ORDER_LINES}`)
    .refine((ls) => new Set(ls.map((l) => l.lineId)).size === ls.length, 'lines: a lineId is used twice'),
  /** Reserve what exists when some line is short, instead of refusing the order. */
  partial: z.boolean().default(false),
  /** Seconds the reservation holds unless confirmed; the channel's default when absent. */
  ttlSeconds: z.number().int().min(10).max(86_400).optional(),
  reference: z.optional(freeText('reference', 64)),
});
export type PlaceOrder = z.output<typeof PlaceOrderSchema>;

export const ChangeLinesSchema = z.strictObject({
  lines: z
    .array(z.strictObject({ lineId: LineIdSchema, qty: units('qty', 0) }))
    .min(1)
    .max(MAX_ORDER_LINES)
    .refine((ls) => new Set(ls.map((l) => l.lineId)).size === ls.length, 'lines: a lineId is used twice'),
});

export const EndpointSchema = z.strictObject({
  url: z
    .string({ error: 'url must be text' })
    .max(2048, 'url is longer than 2048 characters')
    .refine((u) => {
      try {
        const parsed = new URL(u);
        return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.username === '' && parsed.password === '';
      } catch {
        return false;
      }
    }, 'url must be an http(s) URL without credentials'),
});
export const RotateSecretSchema = z.strictObject({
  /** How long the old secret keeps signing beside the new one. */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(86_400),
});

export type OrderStatus = 'refused' | 'reserved' | 'confirmed' | 'short' | 'picked' | 'cancelled' | 'expired';
export type OrderLineView = { lineId: string; sku: string; requested: number; reserved: number; picked: number; short: number };
export type OrderView = {
  id: string;
  channelId: string;
  status: OrderStatus;
  version: number;
  reference: string | null;
  expiresAt: string | null;
  lines: OrderLineView[];
  pickListId: string | null;
};

export type AtpItem = { sku: string; atp: number; version: number; zeroedBy: AtpLimit[] | null };

/** Webhook bodies (Standard Webhooks: `type`, `timestamp`, `data`). Quantities are absolute, with a version. */
export type AtpWebhook = {
  type: 'atp.updated';
  timestamp: string;
  data: { channelId: string; sku: string; atp: number; version: number; zeroedBy: AtpLimit[] | null };
};
export type OrderWebhook = { type: 'order.updated'; timestamp: string; data: OrderView };
