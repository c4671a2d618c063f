/**
 * Cycle counts as records: pick velocity per bin, bins with an open discrepancy or an open task
 * (the inputs of the pure choice in src/domain/reconcile/cycle-counts.ts), the tasks a morning
 * raised, and posted counts for accuracy.
 */
import type { PostedCount } from '../../domain/reconcile/cycle-counts.ts';
import type { CycleTaskRow } from '../../domain/reconcile/protocol.ts';
import type { Database, Sql } from '../db.ts';
import { CYCLE_LOCK } from './storage.ts';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const json = (v: unknown): string => JSON.stringify(v);
const parsed = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** Units picked per bin since `since` (picks less what undos gave back). */
export async function binVelocities(db: Sql, since: Date): Promise<{ location: string; units: number }[]> {
  const rows = await db.query<{ location: string; units: number }>(
    `SELECT p.location, sum(p.taken - p.returned)::int AS units FROM picks p JOIN ledger l ON l.id = p.event_id
     JOIN locations loc ON loc.id = p.location AND loc.kind = 'bin' AND loc.active
     WHERE l.type = 'pick.held' AND l.received_at >= $1 GROUP BY p.location`,
    [since],
  );
  return rows.map((r) => ({ location: r.location, units: num(r.units) }));
}

/**
 * Bins with an open discrepancy: one raised (other than a count's own variance) after the bin's
 * last posted count.
 */
export async function openDiscrepancyBins(db: Sql): Promise<{ location: string; count: number }[]> {
  const rows = await db.query<{ location: string; n: number }>(
    `SELECT d.location, count(*)::int AS n FROM discrepancies d
     JOIN locations loc ON loc.id = d.location AND loc.kind = 'bin' AND loc.active
     WHERE d.kind <> 'count_variance'
       AND d.created_at > coalesce((SELECT max(t.updated_at) FROM count_tasks t WHERE t.location = d.location AND t.status = 'posted'), '-infinity'::timestamptz)
     GROUP BY d.location`,
  );
  return rows.map((r) => ({ location: r.location, count: num(r.n) }));
}

export async function openTasks(db: Sql): Promise<{ location: string; taskId: string }[]> {
  const rows = await db.query<{ id: string; location: string }>(
    `SELECT id, location FROM count_tasks WHERE status IN ('open', 'started', 'awaiting_approval')`,
  );
  return rows.map((r) => ({ location: r.location, taskId: r.id }));
}

/** The bins a day's cycle count listed (with the task that counts each), and whether their count found a variance. */
export async function cycleDay(db: Sql, day: string): Promise<CycleTaskRow[]> {
  const rows = await db.query<{
    task_id: string;
    day: unknown;
    location: string;
    reason: CycleTaskRow['reason'];
    detail: string;
    status: string | null;
    held: unknown;
  }>(
    `SELECT c.task_id, c.day::text AS day, c.location, c.reason, c.detail, t.status, t.held FROM cycle_counts c LEFT JOIN count_tasks t ON t.id = c.task_id
     WHERE c.day = $1::date ORDER BY c.task_id`,
    [day],
  );
  return rows.map((r) => {
    const held = r.held ? parsed<{ lines?: { variance: number }[] }>(r.held) : null;
    return {
      taskId: r.task_id,
      day: String(r.day).slice(0, 10),
      location: r.location,
      reason: r.reason,
      detail: r.detail,
      status: r.status ?? 'cancelled',
      variances: r.status === 'posted' || r.status === 'awaiting_approval' ? (held?.lines ?? []).filter((l) => l.variance !== 0).length : null,
    };
  });
}

/**
 * Lists a day's cycle-count bins and raises their blind count tasks, once: the day's first row claims it (another process that
 * got there first makes this a no-op); answers how many bins it listed. Tells every handheld to pull.
 */
export async function raiseCycleCounts(
  db: Database,
  day: string,
  picks: readonly { location: string; reason: CycleTaskRow['reason']; detail: string; existingTask?: string }[],
  at: Date,
  notifyChannel: string,
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [CYCLE_LOCK]);
    const [done] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM cycle_counts WHERE day = $1::date', [day]);
    if (num(done?.n) > 0 || picks.length === 0) return 0;
    const stamp = day.replaceAll('-', '');
    let n = 0;
    // A bin whose discrepancy has its own open task keeps it; every other bin gets a new blind count task.
    const tasks = picks.map((p) => ({ ...p, id: p.existingTask ?? `CC-${stamp}-${String((n += 1)).padStart(3, '0')}`, fresh: p.existingTask === undefined }));
    const reasonText = (p: (typeof tasks)[number]) => (p.reason === 'open_discrepancy' ? `cycle count: open discrepancy` : `cycle count: fast mover`);
    const fresh = tasks.filter((t) => t.fresh);
    if (fresh.length > 0) {
      await tx.query(
        `INSERT INTO count_tasks (id, location, reason, status, updated_at)
         SELECT x.id, x.location, x.reason, 'open', $2 FROM jsonb_to_recordset($1::jsonb) AS x(id text, location text, reason text) ON CONFLICT (id) DO NOTHING`,
        [json(fresh.map((t) => ({ id: t.id, location: t.location, reason: reasonText(t) }))), at],
      );
    }
    await tx.query(
      `INSERT INTO cycle_counts (task_id, day, location, reason, detail, raised_at)
       SELECT x.id, $2::date, x.location, x.reason, x.detail, $3 FROM jsonb_to_recordset($1::jsonb) AS x(id text, location text, reason text, detail text)`,
      [json(tasks.map(({ id, location, reason, detail }) => ({ id, location, reason, detail }))), day, at],
    );
    await tx.query('SELECT pg_notify($1, $2)', [notifyChannel, json([{ kind: 'work' }])]);
    return tasks.length;
  });
}

/** Posted counts since `fromDay` (YYYY-MM-DD), with their lines, day of posting and whether the schedule raised them. */
export async function postedCounts(db: Sql, fromDay: string): Promise<PostedCount[]> {
  const rows = await db.query<{ day: string; cycle: boolean; held: unknown }>(
    `SELECT to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, EXISTS (SELECT 1 FROM cycle_counts c WHERE c.task_id = t.id) AS cycle, t.held
     FROM count_tasks t
     WHERE t.status = 'posted' AND t.held IS NOT NULL AND t.updated_at >= ($1::date)::timestamp AT TIME ZONE 'UTC'`,
    [fromDay],
  );
  return rows.map((r) => ({
    day: r.day,
    cycle: r.cycle === true,
    lines: (parsed<{ lines?: { expected: number; counted: number }[] }>(r.held).lines ?? []).map((l) => ({
      expected: num(l.expected),
      counted: num(l.counted),
    })),
  }));
}
