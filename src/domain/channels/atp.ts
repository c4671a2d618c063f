/**
 * Available to promise per sales channel: one pure function of the stock buckets at a site,
 * the live reservations against them and every channel's policy there.
 *
 * Rules (per SKU and site; a channel's ATP is the sum over the sites it sells from):
 * - Only `available` is sellable. Committed, qc, quarantine and suspect units never count, and a
 *   discrepancy's claimed units are in no bucket at all, so they cannot count either.
 * - A reservation counts while it is live: confirmed (no expiry) or `expiresAt` after `now`.
 *   Expiry is part of this computation, so units come back even if no sweeper ever runs.
 * - A ring-fence walls off units for one channel; no other channel can sell them. Fences are
 *   filled in channel-id order from what is available (a fence larger than the shelf is `fence_short`).
 *   A channel's own reservations use its fence first, the rest come from the shared pool.
 * - Share: a channel may hold at most `floor(sharePct% of the shared pool)` of it. Rounding is
 *   always down (a share never promises a unit that is not its own to promise); when that
 *   leaves the channel nothing while units are free, the result says so (`zeroedBy`).
 * - Safety buffer: the channel sells only while more than `safetyBuffer` units it can see are free.
 * - Max listed caps what is shown (and what one order may take).
 * Nothing here can exceed the free units (available less every live reservation).
 */

export type ChannelPolicy = {
  /** Units of the pool this channel never sells: show 0 when the shelf holds this many. */
  safetyBuffer: number;
  /** Share of the shared pool this channel may hold, 0-100. */
  sharePct: number;
  /** Most units listed at once; null is no cap. */
  maxListed: number | null;
  /** Units locked for this channel alone. */
  ringFence: number;
};

export const DEFAULT_POLICY: ChannelPolicy = { safetyBuffer: 0, sharePct: 100, maxListed: null, ringFence: 0 };

/** A stored policy: for one SKU or every SKU (`sku: null`), at one site or every site (`site: null`). */
export type PolicyRule = Partial<ChannelPolicy> & { sku: string | null; site: string | null };

/**
 * The policy of a channel for one SKU at one site: the most specific rule wins field by field
 * (SKU and site, then SKU, then site, then channel-wide), the default fills the rest.
 */
export function policyFor(rules: readonly PolicyRule[], sku: string, site: string): ChannelPolicy {
  const rank = (r: PolicyRule): number => (r.sku === null ? 0 : 2) + (r.site === null ? 0 : 1);
  const applying = rules.filter((r) => (r.sku === null || r.sku === sku) && (r.site === null || r.site === site)).sort((a, b) => rank(a) - rank(b));
  const out: ChannelPolicy = { ...DEFAULT_POLICY };
  for (const r of applying) {
    if (r.safetyBuffer !== undefined) out.safetyBuffer = r.safetyBuffer;
    if (r.sharePct !== undefined) out.sharePct = r.sharePct;
    if (r.maxListed !== undefined) out.maxListed = r.maxListed;
    if (r.ringFence !== undefined) out.ringFence = r.ringFence;
  }
  return out;
}

export type Reservation = { channelId: string; qty: number; /** null: confirmed, never expires. */ expiresAt: Date | null };

/** Whether a reservation holds units at `now`. */
export const isLive = (r: Reservation, now: Date): boolean => r.expiresAt === null || r.expiresAt.getTime() > now.getTime();

export type SiteStock = {
  site: string;
  /** The SKU's buckets summed over the site's locations; only `available` is read. */
  buckets: { available: number; committed?: number; qc?: number; quarantine?: number; suspect?: number };
  /** Every reservation of every channel against this SKU at this site (expired ones included: they are skipped here). */
  reservations: readonly Reservation[];
  /** Every channel selling from this site, with its policy for this SKU here. */
  channels: readonly { channelId: string; policy: ChannelPolicy }[];
};

/** Why a channel sees fewer units than are free. */
export type AtpLimit = 'share' | 'safety_buffer' | 'max_listed' | 'fence_short' | 'over_reserved' | 'not_sold_here';

export type SiteAtp = {
  site: string;
  atp: number;
  /** Available less every live reservation: what is physically unpromised. */
  free: number;
  /** This channel's live reservations here. */
  reserved: number;
  /** Rules that held the channel below `free` (empty when it sees every free unit). */
  limits: AtpLimit[];
  /** A share's rounding dropped a fraction of a unit (always down, never up) and that held the channel. */
  roundedDown: boolean;
};

export type ChannelAtp = {
  atp: number;
  bySite: SiteAtp[];
  /** Units are free but policy leaves this channel none: said, never silent. */
  zeroedBy: AtpLimit[] | null;
};

const nonNeg = (n: number): number => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);
const floorDiv100 = (n: number): number => (n - (n % 100)) / 100;

/** The ATP of `channelId` for one SKU at one site. */
export function siteAtp(stock: SiteStock, channelId: string, now: Date): SiteAtp {
  const available = nonNeg(stock.buckets.available);
  const live = stock.reservations.filter((r) => isLive(r, now));
  const reservedBy = new Map<string, number>();
  for (const r of live) reservedBy.set(r.channelId, (reservedBy.get(r.channelId) ?? 0) + nonNeg(r.qty));
  const reservedAll = [...reservedBy.values()].reduce((a, b) => a + b, 0);
  const free = Math.max(0, available - reservedAll);
  const own = reservedBy.get(channelId) ?? 0;
  const me = stock.channels.find((c) => c.channelId === channelId);
  if (!me) return { site: stock.site, atp: 0, free, reserved: own, limits: ['not_sold_here'], roundedDown: false };

  // Fences fill in channel-id order from what is on the shelf.
  let left = available;
  let fencedAll = 0;
  let ownFence = 0;
  let fenceShort = false;
  let overflowAll = 0;
  for (const c of [...stock.channels].sort((a, b) => (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0))) {
    const wanted = nonNeg(c.policy.ringFence);
    const fence = Math.min(wanted, left);
    left -= fence;
    fencedAll += fence;
    const r = reservedBy.get(c.channelId) ?? 0;
    overflowAll += r - Math.min(r, fence);
    if (c.channelId === channelId) {
      ownFence = fence;
      fenceShort = fence < wanted;
    }
  }
  // Reservations of channels not (or no longer) selling here still hold units: from the shared pool.
  for (const [id, r] of reservedBy) if (!stock.channels.some((c) => c.channelId === id)) overflowAll += r;

  const policy = me.policy;
  const fenceFree = ownFence - Math.min(own, ownFence);
  const ownOverflow = own - Math.min(own, ownFence);
  const sharedTotal = available - fencedAll;
  const sharedFree = Math.max(0, sharedTotal - overflowAll);
  const pct = Math.min(100, nonNeg(policy.sharePct));
  const shareCap = floorDiv100(pct * sharedTotal);
  const fraction = (pct * sharedTotal) % 100 !== 0;
  const shareRoom = Math.max(0, shareCap - ownOverflow);
  const fromShared = Math.min(sharedFree, shareRoom);
  const visible = Math.min(free, fenceFree + sharedFree);
  const afterBuffer = Math.max(0, visible - nonNeg(policy.safetyBuffer));
  let atp = Math.min(free, fenceFree + fromShared, afterBuffer);
  const limits: AtpLimit[] = [];
  if (fromShared < sharedFree && fenceFree + fromShared < free) limits.push('share');
  if (afterBuffer < fenceFree + fromShared && afterBuffer < free) limits.push('safety_buffer');
  if (policy.maxListed !== null && atp > nonNeg(policy.maxListed)) {
    atp = nonNeg(policy.maxListed);
    limits.push('max_listed');
  }
  if (fenceShort) limits.push('fence_short');
  if (reservedAll > available) limits.push('over_reserved');
  return { site: stock.site, atp, free, reserved: own, limits, roundedDown: fraction && limits.includes('share') };
}

/** The ATP of `channelId` for one SKU over the sites it sells from. */
export function channelAtp(channelId: string, sites: readonly SiteStock[], now: Date): ChannelAtp {
  const bySite = sites.map((s) => siteAtp(s, channelId, now));
  const atp = bySite.reduce((a, s) => a + s.atp, 0);
  const freeAnywhere = bySite.some((s) => s.free > 0 && !s.limits.includes('not_sold_here'));
  const zeroedBy = atp === 0 && freeAnywhere ? [...new Set(bySite.flatMap((s) => s.limits))] : null;
  return { atp, bySite, zeroedBy };
}

/**
 * How `qty` units of one line are taken from the sites, in the order given: as much as each
 * site's ATP allows. `complete` is whether the whole line fits.
 */
export function allocateLine(qty: number, bySite: readonly SiteAtp[]): { takes: { site: string; qty: number }[]; reserved: number; complete: boolean } {
  const takes: { site: string; qty: number }[] = [];
  let rest = nonNeg(qty);
  for (const s of bySite) {
    if (rest === 0) break;
    const q = Math.min(rest, s.atp);
    if (q > 0) takes.push({ site: s.site, qty: q });
    rest -= q;
  }
  const reserved = nonNeg(qty) - rest;
  return { takes, reserved, complete: rest === 0 };
}
