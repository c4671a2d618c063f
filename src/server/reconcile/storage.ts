/**
 * Reconciliation as records: settings (shared with cycle counts), a channel's read-back address,
 * what each channel was published, acknowledged and still waits for, runs and their drift rows.
 * Cycle counts' records are in counts-storage.ts.
 */
import type { AtpFigure, ChannelFigures } from '../../domain/reconcile/drift.ts';
import { DEFAULT_SETTINGS, type DriftRow, type ReconcileSettings, type RunSummary } from '../../domain/reconcile/protocol.ts';
import type { Database, Sql } from '../db.ts';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const iso = (v: unknown): string => new Date(v as string).toISOString();
const json = (v: unknown): string => JSON.stringify(v);
const parsed = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
/** Serialises the write of a run's drift rows across every API process. */
const DRIFT_LOCK = 7_270_011;
/** Serialises the raising of a day's cycle counts across every API process. */
export const CYCLE_LOCK = 7_270_012;

// ---------------------------------------------------------------- settings

export async function settings(db: Sql): Promise<ReconcileSettings> {
  const [row] = await db.query<{ value: unknown }>(`SELECT value FROM settings WHERE key = 'reconcile'`);
  return { ...DEFAULT_SETTINGS, ...(row ? parsed<Partial<ReconcileSettings>>(row.value) : {}) };
}

export async function saveSettings(db: Sql, next: ReconcileSettings, by: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('reconcile', $1::jsonb, $2, $3)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [json(next), at, by],
  );
}

// ---------------------------------------------------------------- channels

/** Sets (or clears) a channel's read-back address; false when there is no such channel. */
export async function setStockUrl(db: Sql, channelId: string, url: string | null): Promise<boolean> {
  return (await db.query('UPDATE channels SET stock_url = $2 WHERE id = $1 RETURNING 1', [channelId, url])).length > 0;
}

export async function stockUrls(db: Sql): Promise<Map<string, string>> {
  const rows = await db.query<{ id: string; stock_url: string }>('SELECT id, stock_url FROM channels WHERE disabled_at IS NULL AND stock_url IS NOT NULL');
  return new Map(rows.map((r) => [r.id, r.stock_url]));
}

type Known = Omit<ChannelFigures, 'expected' | 'reported' | 'sku' | 'channelId'>;

/** Above this many SKUs a read takes every row and keeps the wanted ones (cheaper than `= ANY` of a huge list). */
const WHOLE_TABLE_FROM = 5000;

/**
 * What each channel was published, acknowledged and still waits for, per SKU of `skus`: keyed
 * `channel sku`. A channel's acknowledged figure is its active endpoints' oldest (any active
 * endpoint that never acknowledged one makes it null).
 */
export async function channelKnowledge(db: Sql, skus: readonly string[]): Promise<{ endpoints: Set<string>; known: Map<string, Known> }> {
  const whole = skus.length >= WHOLE_TABLE_FROM;
  const only = (column: string) => (whole ? 'true' : `${column} = ANY($1::text[])`);
  const params = whole ? [] : [skus];
  const wanted = new Set(skus);
  const [published, acks, pending, endpointRows] = await Promise.all([
    db.query<{ channel_id: string; sku: string; atp: number; version: number }>(
      `SELECT channel_id, sku, atp, version FROM channel_atp WHERE ${only('sku')} AND version > 0`,
      params,
    ),
    db.query<{ endpoint_id: string; sku: string; atp: number; version: number; acked_at: unknown }>(
      // The control room's record of every acknowledged version (src/server/control): the newest per endpoint and SKU.
      `SELECT DISTINCT ON (endpoint_id, sku) endpoint_id, sku, atp, version, acked_at FROM control_atp_acks WHERE ${only('sku')}
       ORDER BY endpoint_id, sku, version DESC`,
      params,
    ),
    db.query<{ channel_id: string; sku: string; age_ms: number; attempts: number; last_error: string | null }>(
      `SELECT e.channel_id, o.subject AS sku, (extract(epoch FROM clock_timestamp() - o.enqueued_at) * 1000)::float8 AS age_ms, o.attempts,
         CASE WHEN o.attempts > 0 THEN (SELECT CASE WHEN d.status_code BETWEEN 200 AND 299 THEN NULL ELSE coalesce(d.error, 'HTTP ' || d.status_code) END
           FROM webhook_deliveries d WHERE d.endpoint_id = o.endpoint_id AND d.kind = 'atp' AND d.subject = o.subject ORDER BY d.id DESC LIMIT 1) END AS last_error
       FROM webhook_outbox o JOIN webhook_endpoints e ON e.id = o.endpoint_id AND e.status = 'active'
       WHERE o.kind = 'atp' AND ${only('o.subject')}`,
      params,
    ),
    // A disabled endpoint (it answered 410 Gone) is owed nothing until it is enabled again.
    db.query<{ id: string; channel_id: string }>(`SELECT id, channel_id FROM webhook_endpoints WHERE status = 'active'`),
  ]);
  const known = new Map<string, Known>();
  const get = (c: string, s: string): Known => {
    const k = `${c} ${s}`;
    let v = known.get(k);
    if (!v) {
      v = { published: null, acked: null, pending: null, hasEndpoint: false };
      known.set(k, v);
    }
    return v;
  };
  for (const r of published) if (wanted.has(r.sku)) get(r.channel_id, r.sku).published = { atp: num(r.atp), version: num(r.version) };
  // Per channel and SKU: how many of its endpoints acknowledged a figure, and the oldest figure.
  const channelOf = new Map(endpointRows.map((e) => [e.id, e.channel_id]));
  const endpointsOf = new Map<string, number>();
  for (const e of endpointRows) endpointsOf.set(e.channel_id, (endpointsOf.get(e.channel_id) ?? 0) + 1);
  const acked = new Map<string, { n: number; oldest: AtpFigure & { at: Date } }>();
  for (const r of acks) {
    const channel = channelOf.get(r.endpoint_id);
    if (!channel || !wanted.has(r.sku)) continue;
    const k = `${channel} ${r.sku}`;
    const a = { atp: num(r.atp), version: num(r.version), at: new Date(r.acked_at as string) };
    const held = acked.get(k);
    acked.set(k, { n: (held?.n ?? 0) + 1, oldest: held && held.oldest.version <= a.version ? held.oldest : a });
  }
  for (const [channel, n] of endpointsOf) {
    for (const sku of skus) {
      const v = get(channel, sku);
      v.hasEndpoint = true;
      const a = acked.get(`${channel} ${sku}`);
      // An SKU some endpoint never acknowledged stays null whatever the others say.
      v.acked = a && a.n >= n ? a.oldest : null;
    }
  }
  for (const r of pending) {
    if (!wanted.has(r.sku)) continue;
    const v = get(r.channel_id, r.sku);
    const p = { ageMs: num(r.age_ms), attempts: num(r.attempts), lastError: r.last_error };
    // The oldest waiting item speaks for the channel; a failure anywhere is said.
    if (v.pending === null || p.ageMs > v.pending.ageMs) v.pending = { ...p, lastError: p.lastError ?? v.pending?.lastError ?? null };
  }
  return { endpoints: new Set(endpointsOf.keys()), known };
}

/** The site of every location. */
export async function sitesOfLocations(db: Sql): Promise<Map<string, string>> {
  const rows = await db.query<{ id: string; site_id: string }>('SELECT id, site_id FROM locations');
  return new Map(rows.map((r) => [r.id, r.site_id]));
}

// ---------------------------------------------------------------- SKU scopes

export async function allSkus(db: Sql): Promise<string[]> {
  return (await db.query<{ sku: string }>('SELECT sku FROM catalog ORDER BY sku')).map((r) => r.sku);
}

/** Fast movers: velocity class A, and the `n` SKUs most picked since `since`. */
export async function fastMoverSkus(db: Sql, since: Date, n: number): Promise<string[]> {
  const rows = await db.query<{ sku: string }>(
    `SELECT sku FROM catalog WHERE velocity_class = 'A'
     UNION
     SELECT sku FROM (SELECT p.sku, sum(p.taken - p.returned) AS units FROM picks p JOIN ledger l ON l.id = p.event_id
       WHERE l.type = 'pick.held' AND l.received_at >= $1 GROUP BY p.sku ORDER BY units DESC, p.sku LIMIT $2) t
     ORDER BY 1`,
    [since, n],
  );
  return rows.map((r) => r.sku);
}

// ---------------------------------------------------------------- runs and drifts

/** Starts a run; a scheduled slot already claimed (by this or another process) answers null. */
export async function claimRun(
  db: Sql,
  r: { slot: string | null; scope: RunSummary['scope']; trigger: RunSummary['trigger']; at: Date; by: string | null },
): Promise<number | null> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO reconcile_runs (slot, scope, trigger, started_at, started_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slot) DO NOTHING RETURNING id`,
    [r.slot, r.scope, r.trigger, r.at, r.by],
  );
  return rows[0] ? num(rows[0].id) : null;
}

export type NewDrift = {
  kind: 'channel' | 'stock';
  sku: string;
  channelId: string | null;
  sites: string[];
  location: string | null;
  cause: string;
  expected: number;
  shown: number | null;
  detail: string;
};

/**
 * Ends a run: the drift rows of every SKU it checked are replaced by what it found (a drift
 * found again keeps its first detection time), in one transaction under one lock.
 */
export async function finishRun(
  db: Database,
  runId: number,
  checked: readonly string[] | 'all',
  drifts: readonly NewDrift[],
  readBackErrors: Record<string, string>,
  at: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [DRIFT_LOCK]);
    const old = await tx.query<{ kind: string; sku: string; channel_id: string | null; location: string | null; cause: string; detected_at: unknown }>(
      checked === 'all'
        ? 'DELETE FROM reconcile_drifts RETURNING kind, sku, channel_id, location, cause, detected_at'
        : 'DELETE FROM reconcile_drifts WHERE sku = ANY($1::text[]) RETURNING kind, sku, channel_id, location, cause, detected_at',
      checked === 'all' ? [] : [checked],
    );
    const first = new Map(old.map((o) => [`${o.kind} ${o.sku} ${o.channel_id ?? ''} ${o.location ?? ''} ${o.cause}`, iso(o.detected_at)]));
    if (drifts.length > 0) {
      await tx.query(
        `INSERT INTO reconcile_drifts (run_id, kind, sku, channel_id, sites, location, cause, expected, shown, detail, detected_at)
         SELECT $1, x.kind, x.sku, x.channel_id, x.sites, x.location, x.cause, x.expected, x.shown, x.detail, x.detected_at
         FROM jsonb_to_recordset($2::jsonb) AS x(kind text, sku text, channel_id text, sites text[], location text, cause text, expected bigint, shown bigint, detail text, detected_at timestamptz)`,
        [
          runId,
          json(
            drifts.map((d) => ({
              kind: d.kind,
              sku: d.sku,
              channel_id: d.channelId,
              sites: d.sites,
              location: d.location,
              cause: d.cause,
              expected: d.expected,
              shown: d.shown,
              detail: d.detail,
              detected_at: first.get(`${d.kind} ${d.sku} ${d.channelId ?? ''} ${d.location ?? ''} ${d.cause}`) ?? at.toISOString(),
            })),
          ),
        ],
      );
    }
    await tx.query('UPDATE reconcile_runs SET finished_at = $2, skus = $3, drifts = $4, read_back_errors = $5::jsonb WHERE id = $1', [
      runId,
      at,
      checked === 'all' ? (await allSkus(tx)).length : checked.length,
      drifts.length,
      json(readBackErrors),
    ]);
  });
}

/** Ends a run that failed midway: said in the run, the drift rows left as the last good run wrote them. */
export async function failRun(db: Sql, runId: number, error: string, at: Date): Promise<void> {
  await db.query('UPDATE reconcile_runs SET finished_at = $2, error = $3 WHERE id = $1', [runId, at, error.slice(0, 500)]);
}

/** Marks channel drifts re-pushed (and the version that must be acknowledged before they are checked again). */
export async function markRepushed(tx: Sql, channelId: string, skus: readonly string[], at: Date): Promise<void> {
  await tx.query(
    `UPDATE reconcile_drifts d SET repushed_at = $3, repush_version = a.version
     FROM channel_atp a WHERE a.channel_id = d.channel_id AND a.sku = d.sku AND d.channel_id = $1 AND d.sku = ANY($2::text[])`,
    [channelId, skus, at],
  );
}

/** Re-pushed SKUs whose new version every endpoint of the channel acknowledged, or that waited longer than `staleBefore`. */
export async function repushesToCheck(db: Sql, staleBefore: Date): Promise<string[]> {
  const rows = await db.query<{ sku: string }>(
    `SELECT DISTINCT d.sku FROM reconcile_drifts d
     WHERE d.repushed_at IS NOT NULL AND (d.repushed_at < $1 OR NOT EXISTS (
       SELECT 1 FROM webhook_endpoints e WHERE e.channel_id = d.channel_id AND e.status = 'active'
         AND NOT EXISTS (SELECT 1 FROM control_atp_acks a WHERE a.endpoint_id = e.id AND a.sku = d.sku AND a.version >= d.repush_version)))
     ORDER BY 1 LIMIT 1000`,
    [staleBefore],
  );
  return rows.map((r) => r.sku);
}

export async function driftRows(db: Sql, limit: number): Promise<DriftRow[]> {
  const rows = await db.query<{
    id: number;
    kind: 'channel' | 'stock';
    sku: string;
    channel_id: string | null;
    sites: string[];
    location: string | null;
    cause: string;
    expected: number;
    shown: number | null;
    detail: string;
    detected_at: unknown;
    repushed_at: unknown;
  }>(
    `SELECT id, kind, sku, channel_id, sites, location, cause, expected, shown, detail, detected_at, repushed_at FROM reconcile_drifts
     ORDER BY detected_at, sku, channel_id NULLS FIRST, location LIMIT $1`,
    [limit],
  );
  return rows.map((r) => {
    const common = { id: num(r.id), sku: r.sku, expected: num(r.expected), detail: r.detail, detectedAt: iso(r.detected_at) };
    if (r.kind === 'stock') {
      return {
        ...common,
        kind: 'stock',
        cause: 'ledger_mismatch',
        channelId: null,
        location: r.location ?? '',
        site: r.sites[0] ?? '',
        shown: num(r.shown),
        repushedAt: null,
      };
    }
    return {
      ...common,
      kind: 'channel',
      cause: r.cause as 'not_delivered' | 'channel_edited',
      channelId: r.channel_id ?? '',
      sites: r.sites,
      site: null,
      location: null,
      shown: r.shown === null ? null : num(r.shown),
      repushedAt: r.repushed_at ? iso(r.repushed_at) : null,
    };
  });
}

export async function driftCounts(db: Sql): Promise<Record<string, number>> {
  const rows = await db.query<{ cause: string; n: number }>('SELECT cause, count(*)::int AS n FROM reconcile_drifts GROUP BY cause');
  return Object.fromEntries(rows.map((r) => [r.cause, num(r.n)]));
}

export async function runRows(db: Sql, limit: number): Promise<RunSummary[]> {
  const rows = await db.query<{
    id: number;
    scope: RunSummary['scope'];
    trigger: RunSummary['trigger'];
    started_at: unknown;
    finished_at: unknown;
    skus: number;
    drifts: number;
    read_back_errors: unknown;
    error: string | null;
  }>('SELECT id, scope, trigger, started_at, finished_at, skus, drifts, read_back_errors, error FROM reconcile_runs ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map((r) => ({
    id: num(r.id),
    scope: r.scope,
    trigger: r.trigger,
    startedAt: iso(r.started_at),
    finishedAt: r.finished_at ? iso(r.finished_at) : null,
    skus: num(r.skus),
    drifts: num(r.drifts),
    readBackErrors: parsed<Record<string, string>>(r.read_back_errors),
    error: r.error,
  }));
}
