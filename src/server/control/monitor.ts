/**
 * The control room's monitor, one per API process: evaluates the alert rules when the ledger
 * changes (the SKUs of the change, heard on the live feed from any process), when a handheld
 * reports or a supervisor acknowledges (the control channel), and on a clock tick (a silent
 * handheld changes nothing in the ledger; dead stock only ages). Runs one evaluation at a time,
 * coalescing what arrives meanwhile, then tells the board's live listeners.
 */
import { evaluateAlerts, type AlertInputs } from '../../domain/control/alerts.ts';
import type { Board } from '../../domain/control/protocol.ts';
import type { Database } from '../db.ts';
import type { ChangeFeed } from '../feed.ts';
import { readBoard } from './board.ts';
import { deviceRows, heldFacts, shownFacts, silentFacts, skuFacts } from './facts.ts';
import { applyAlerts, readSettings, type AlertChanges } from './storage.ts';

export type MonitorOptions = {
  /** False runs no monitor in this process (another process evaluates; tests that count a push's statements). */
  enabled?: boolean;
  /** How often the clock-driven rules (silent handhelds, channels shown too much) and the board run (ms); false: never (tests call `run`). */
  tickMs?: number | false;
  /** How often every SKU is evaluated (dead stock ages without a ledger change) (ms). */
  sweepMs?: number;
};

/** What an evaluation covers: SKUs (or all of them), the handhelds, the channels' shown values. */
export type Scope = { skus: Set<string> | 'all'; devices: boolean; shown: boolean };

const STOCK_KINDS = new Set(['below_reorder', 'dead_stock', 'held_too_long', 'channel_overshown']);
/** After an evaluation, the monitor waits this many times its duration before the next one. */
const REST_FACTOR = 4;

export class ControlMonitor {
  private wanted: Scope | undefined;
  private running: Promise<void> | undefined;
  private readonly listeners = new Set<(board: Board) => void>();
  private timers: NodeJS.Timeout[] = [];
  private unlisten: (() => unknown)[] = [];
  private stopped = false;
  private lastSweep = 0;
  /** Told when an evaluation fails (the next trigger tries again). */
  onError: (err: unknown) => void = () => undefined;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    private readonly webhookChannel: string,
    private readonly opts: MonitorOptions = {},
  ) {}

  async start(feed: ChangeFeed, controlChannel: string): Promise<void> {
    this.unlisten.push(
      feed.subscribe((c) => {
        // A handheld's own state changes with its health report (the control channel) and the tick.
        if (c.kind === 'stock') this.want(c.sku ? { skus: new Set([c.sku]), devices: false, shown: false } : { skus: 'all', devices: false, shown: true });
      }),
    );
    const stop = await this.db.listen(controlChannel, () => this.want({ skus: new Set(), devices: true, shown: false }));
    this.unlisten.push(stop);
    const stopHooks = await this.db.listen(this.webhookChannel, () => this.want({ skus: new Set(), devices: false, shown: false }));
    this.unlisten.push(stopHooks);
    if (this.opts.tickMs !== false) {
      const t = setInterval(() => {
        const sweep = Date.now() - this.lastSweep >= (this.opts.sweepMs ?? 60_000);
        if (sweep) this.lastSweep = Date.now();
        this.want({ skus: sweep ? 'all' : new Set(), devices: true, shown: true });
      }, this.opts.tickMs ?? 5000);
      t.unref?.();
      this.timers.push(t);
    }
  }

  /** Asks for an evaluation of `scope` (merged with any waiting one). */
  want(scope: Scope): void {
    if (this.stopped) return;
    const w = this.wanted;
    this.wanted = w
      ? {
          skus: w.skus === 'all' || scope.skus === 'all' ? 'all' : new Set([...w.skus, ...scope.skus]),
          devices: w.devices || scope.devices,
          shown: w.shown || scope.shown,
        }
      : scope;
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Waits until every asked evaluation ran. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.wanted && !this.stopped) {
      const scope = this.wanted;
      this.wanted = undefined;
      const started = performance.now();
      try {
        await this.run(scope);
      } catch (err) {
        this.onError(err);
      }
      // An evaluation reads ledger-wide facts; back to back under a stream of pushes it took the
      // database from them (on PGlite's one connection the ingest cost 3 times as much). Resting
      // REST_FACTOR times as long as the last one took keeps evaluations to a fifth of the time;
      // what arrives meanwhile is coalesced into the next one.
      if (this.wanted && !this.stopped) await new Promise((resolve) => setTimeout(resolve, REST_FACTOR * (performance.now() - started)).unref?.());
    }
  }

  /** One evaluation: the rules over the scope's facts, the alerts brought in line, the board told to its listeners. */
  async run(scope: Scope): Promise<AlertChanges> {
    const now = this.now();
    const { settings } = await readSettings(this.db);
    const skus = scope.skus === 'all' ? undefined : [...scope.skus].sort();
    const readSkus = skus === undefined || skus.length > 0;
    const devices = scope.devices ? await deviceRows(this.db) : [];
    const inputs: AlertInputs = {
      skus: readSkus ? await skuFacts(this.db, skus, now, settings.alerts.pickWindowDays) : [],
      held: readSkus ? await heldFacts(this.db, skus) : [],
      shown: readSkus || scope.shown ? await shownFacts(this.db, scope.shown ? undefined : skus) : [],
      devices: devices.map(silentFacts),
    };
    const raised = evaluateAlerts(inputs, settings.alerts, now);
    const inScope = (a: { kind: string; sku: string | null }) => {
      if (a.kind === 'device_silent') return scope.devices;
      if (a.kind === 'channel_overshown' && scope.shown) return true;
      if (!STOCK_KINDS.has(a.kind)) return false;
      return skus === undefined || (a.sku !== null && skus.includes(a.sku));
    };
    const changes = await this.db.transaction((tx) => applyAlerts(tx, raised, inScope, now, this.webhookChannel));
    if (this.listeners.size > 0) {
      const board = await readBoard(this.db, settings, this.now());
      for (const l of this.listeners) l(board);
    }
    return changes;
  }

  /** Calls `listener` with the board after every evaluation; returns the unsubscribe function. */
  subscribe(listener: (board: Board) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.unlisten.map((u) => u()));
    this.listeners.clear();
    await this.idle();
  }
}
