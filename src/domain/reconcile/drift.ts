/**
 * Drift: where what a channel shows, what it was last told, and what the truth says now part.
 * One pure function per comparison; the server reads the figures and stores the answers.
 *
 * Rules for one channel and SKU (`classifyChannelDrift`):
 * - `expected` is the channel's ATP computed now from the stock table and live reservations.
 * - `not_delivered`: the figure the channel last acknowledged (a 2xx to its webhook) is not the
 *   expected one: the API never published the change, its delivery is waiting or failing, or the
 *   channel never acknowledged anything. A change younger than the grace whose delivery has not
 *   failed (in flight) is not drift yet.
 * - `channel_edited`: the channel acknowledged the expected figure, yet its own read-back shows
 *   another: someone changed it on the channel's side.
 * - No drift when the acknowledged figure is the expected one and the read-back (if any) agrees.
 * `ledger_mismatch` is the stock table disagreeing with a replay of the ledger (`stockDrifts`):
 * per SKU and location, whatever the channels show.
 */

export type DriftCause = 'not_delivered' | 'channel_edited' | 'ledger_mismatch';
export const DRIFT_CAUSES: readonly DriftCause[] = ['not_delivered', 'channel_edited', 'ledger_mismatch'];

export type AtpFigure = { atp: number; version: number };

/** What is known of one channel's figure for one SKU at the moment of the check. */
export type ChannelFigures = {
  channelId: string;
  sku: string;
  /** The ATP the channel should show now. */
  expected: number;
  /** The last value the API computed and put in the outbox (null: never). */
  published: AtpFigure | null;
  /** The oldest value any of the channel's active endpoints acknowledged (null: one never did). */
  acked: (AtpFigure & { at: Date }) | null;
  /** An outbox item still waiting for one of its endpoints (null: none): how long it has waited (ms, on the outbox's clock). */
  pending: { ageMs: number; attempts: number; lastError: string | null } | null;
  /** What the channel's read-back answered for this SKU (undefined: no read-back, or it did not list the SKU). */
  reported?: number | undefined;
  /** The channel has an active webhook endpoint (without one nothing can be delivered, only read back). */
  hasEndpoint: boolean;
};

export type ChannelDrift = {
  channelId: string;
  sku: string;
  cause: Exclude<DriftCause, 'ledger_mismatch'>;
  expected: number;
  /** What the channel shows: its read-back when it answered, else what it last acknowledged (null: nothing). */
  shown: number | null;
  /** Said in a line for the person who fixes it. */
  detail: string;
};

/** How long a fresh change may be on its way before it counts as not delivered (ms). */
export const DEFAULT_GRACE_MS = 60_000;

/** The drift of one channel's figure for one SKU, or null when the channel shows what it should. */
export function classifyChannelDrift(f: ChannelFigures, graceMs: number = DEFAULT_GRACE_MS): ChannelDrift | null {
  const base = { channelId: f.channelId, sku: f.sku, expected: f.expected };
  const readBack = f.reported !== undefined;
  const shown = readBack ? (f.reported as number) : (f.acked?.atp ?? null);
  // On its way: young, and no attempt has failed yet (a first attempt may be under way).
  const inFlight = f.pending !== null && f.pending.lastError === null && f.pending.ageMs < graceMs;

  if (f.hasEndpoint && (f.acked === null || f.acked.atp !== f.expected)) {
    if (inFlight) return null;
    // The channel may still show the right number (it read our ATP API itself): the read-back says so.
    if (readBack && f.reported === f.expected) return null;
    return { ...base, cause: 'not_delivered', shown, detail: notDeliveredDetail(f) };
  }
  if (readBack && f.reported !== f.expected) {
    if (!f.hasEndpoint)
      return { ...base, cause: 'not_delivered', shown, detail: `no webhook endpoint: the channel shows ${f.reported}, it should show ${f.expected}` };
    if (inFlight) return null;
    return {
      ...base,
      cause: 'channel_edited',
      shown,
      detail: `the channel acknowledged ${f.acked?.atp} (version ${f.acked?.version}) but shows ${f.reported}`,
    };
  }
  return null;
}

function notDeliveredDetail(f: ChannelFigures): string {
  const told = f.acked ? `last acknowledged ${f.acked.atp} (version ${f.acked.version})` : 'never acknowledged a figure';
  if (f.pending) {
    const failing = f.pending.attempts > 0 ? `, ${f.pending.attempts} failed attempt${f.pending.attempts === 1 ? '' : 's'}` : '';
    return `${told}; ${f.expected} is waiting in the outbox${failing}${f.pending.lastError ? ` (${f.pending.lastError})` : ''}`;
  }
  if (f.published === null || f.published.atp !== f.expected) {
    return `${told}; the API last published ${f.published ? f.published.atp : 'nothing'} and never published ${f.expected}`;
  }
  return `${told}; version ${f.published.version} (${f.expected}) was published but never acknowledged`;
}

export type Buckets5 = { available: number; committed: number; qc: number; quarantine: number; suspect: number };

export type StockDrift = {
  sku: string;
  location: string;
  site: string;
  cause: 'ledger_mismatch';
  table: Buckets5;
  replayed: Buckets5;
  detail: string;
};

const BUCKETS: readonly (keyof Buckets5)[] = ['available', 'committed', 'qc', 'quarantine', 'suspect'];

/** The ledger mismatches as drift rows, each with the buckets that differ named. */
export function stockDrifts(
  mismatches: readonly { sku: string; location: string; table: Buckets5; replayed: Buckets5 }[],
  siteOf: (location: string) => string,
): StockDrift[] {
  return mismatches.map((m) => {
    const parts = BUCKETS.filter((b) => m.table[b] !== m.replayed[b]).map((b) => `${b} ${m.table[b]} in the table, ${m.replayed[b]} by the ledger`);
    return {
      sku: m.sku,
      location: m.location,
      site: siteOf(m.location),
      cause: 'ledger_mismatch',
      table: m.table,
      replayed: m.replayed,
      detail: parts.join('; '),
    };
  });
}
