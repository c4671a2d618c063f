/**
 * The schedule of one API process: on each tick (a timer, or a test calling `tick()` under a fake
 * clock) it runs whatever `dueSlots` says is due and not yet claimed: reconciliation of the fast
 * movers every hour, of every SKU once a day, the morning's cycle counts; and it checks again
 * the SKUs whose re-push every endpoint has now acknowledged. A slot is claimed once in the
 * database, so several processes ticking run it once.
 */
import { dayOf, dueSlots } from '../../domain/reconcile/schedule.ts';
import { selectCycleCounts } from '../../domain/reconcile/cycle-counts.ts';
import type { RunSummary } from '../../domain/reconcile/protocol.ts';
import type { Database } from '../db.ts';
import { reconcile, type ReadBackFetch } from './run.ts';
import * as counts from './counts-storage.ts';
import * as store from './storage.ts';

export type SchedulerDeps = {
  db: Database;
  now: () => Date;
  readBack: ReadBackFetch;
  graceMs: number;
  /** The change channel: a raised count task tells every handheld to pull. */
  workChannel: string;
  /** How long a re-push may wait for its acknowledgement before it is checked anyway (ms). */
  repushWaitMs: number;
};

const DAY_MS = 86_400_000;

export class ReconcileScheduler {
  /** Slots this process has seen through (claimed here or elsewhere). */
  private readonly done = new Set<string>();
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: SchedulerDeps) {}

  /** Runs what is due now; answers the runs it made (ticks never overlap). */
  tick(): Promise<{ runs: RunSummary[]; countsRaised: number }> {
    const next = this.running.then(() => this.round());
    this.running = next.catch(() => undefined);
    return next;
  }

  private async round(): Promise<{ runs: RunSummary[]; countsRaised: number }> {
    const { db, now } = this.d;
    const at = now();
    const settings = await store.settings(db);
    const runs: RunSummary[] = [];
    let countsRaised = 0;
    for (const slot of dueSlots(at, settings)) {
      if (this.done.has(slot.key)) continue;
      if (slot.kind === 'counts') {
        countsRaised += await this.raiseCounts(at);
      } else {
        const skus = slot.kind === 'all' ? 'all' : await store.fastMoverSkus(db, new Date(at.getTime() - settings.velocityDays * DAY_MS), settings.fastMovers);
        if (skus.length > 0) {
          const run = await this.run({ skus, scope: slot.kind, trigger: 'schedule', slot: slot.key, by: null });
          if (run) runs.push(run);
        }
      }
      this.done.add(slot.key);
    }
    const repushed = await store.repushesToCheck(db, new Date(at.getTime() - this.d.repushWaitMs));
    if (repushed.length > 0) {
      const run = await this.run({ skus: repushed, scope: 'skus', trigger: 'repush', slot: null, by: null });
      if (run) runs.push(run);
    }
    return { runs, countsRaised };
  }

  /** A run now, on demand or from the schedule. */
  run(r: { skus: readonly string[] | 'all'; scope: RunSummary['scope']; trigger: RunSummary['trigger']; slot: string | null; by: string | null }) {
    return reconcile(this.d.db, { ...r, now: this.d.now, readBack: this.d.readBack, graceMs: this.d.graceMs });
  }

  /** The morning's blind count tasks (once per day across processes); answers how many were raised. */
  async raiseCounts(at: Date): Promise<number> {
    const { db } = this.d;
    const settings = await store.settings(db);
    const { today, yesterday } = dayOf(at);
    if ((await counts.cycleDay(db, today)).length > 0) return 0;
    const [velocities, openDiscrepancies, before, openTasks] = await Promise.all([
      counts.binVelocities(db, new Date(at.getTime() - settings.velocityDays * DAY_MS)),
      counts.openDiscrepancyBins(db),
      counts.cycleDay(db, yesterday),
      counts.openTasks(db),
    ]);
    const picks = selectCycleCounts({
      perDay: settings.cycleCountsPerDay,
      velocities,
      openDiscrepancies,
      yesterday: before.map((t) => ({ location: t.location, variance: (t.variances ?? 0) > 0 })),
      openTasks,
    });
    return counts.raiseCycleCounts(db, today, picks, at, this.d.workChannel);
  }

  async stop(): Promise<void> {
    await this.running;
  }
}
