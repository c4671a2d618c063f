/**
 * The control room's monitor, one per API process: evaluates the alert rules when the ledger
 * changes (the SKUs of the change, heard on the live feed from any process), when a handheld
 * reports or a supervisor acknowledges (the control channel), and on a clock tick (a silent
 * handheld changes nothing in the ledger; dead stock only ages). Runs one evaluation at a time,
 * coalescing what arrives meanwhile, then tells the board's live listeners.
 */
import { evaluateAlerts, type AlertInputs } from '../../domain/control/alerts.ts';
import type { Board } from '../../domain/control/protocol.ts';
import type { ControlSettings } from '../../domain/control/settings.ts';
import type { Database } from '../db.ts';
import type { ChangeFeed } from '../feed.ts';
import { readBoard } from './board.ts';
import { deviceRows, heldFacts, shownCandidates, shownFacts, silentFacts, skuFacts } from './facts.ts';
import { applyAlerts, openAlerts, pruneHistory, readSettings, type AlertChanges } from './storage.ts';

export type MonitorOptions = {
  /** False runs no monitor in this process (another process evaluates; tests that count a push's statements). */
  enabled?: boolean;
  /** How often the clock-driven rules (silent handhelds, channels shown too much) and the board run (ms); false: never (tests call `run`). */
  tickMs?: number | false;
  /** How long a change waits for others before its evaluation (ms): a burst of pushes is one evaluation. Default 20. */
  coalesceMs?: number;
  /** How often every SKU is evaluated (dead stock and held units age without a ledger change; they are counted in days) (ms); default 10 minutes. */
  sweepMs?: number;
};

/**
 * What an evaluation covers: SKUs (or all of them), the handhelds, and what channels were shown:
 * of the scope's SKUs only, of those with a change waiting for delivery (or an open alert), or all.
 */
export type Scope = { skus: Set<string> | 'all'; devices: boolean; shown: 'none' | 'waiting' | 'all' };
const SHOWN_RANK = { none: 0, waiting: 1, all: 2 } as const;

const STOCK_KINDS = new Set(['below_reorder', 'dead_stock', 'held_too_long', 'channel_overshown']);
/** After an evaluation, the monitor waits this many times its duration before the next one. */
const REST_FACTOR = 4;

export class ControlMonitor {
  private wanted: Scope | undefined;
  private running: Promise<void> | undefined;
  private readonly listeners = new Set<(board: Board) => void>();
  private timers: NodeJS.Timeout[] = [];
  /** Ends the rest between two evaluations early (on stop). */
  private wake: (() => void) | undefined;
  private unlisten: (() => unknown)[] = [];
  private stopped = false;
  private lastSweep = 0;
  /** The settings as last read; dropped when the control channel says something changed (a PUT among others). */
  private settings: ControlSettings | undefined;
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
        if (c.kind === 'stock') this.want(c.sku ? { skus: new Set([c.sku]), devices: false, shown: 'none' } : { skus: 'all', devices: false, shown: 'all' });
      }),
    );
    const stop = await this.db.listen(controlChannel, () => {
      this.settings = undefined;
      this.want({ skus: new Set(), devices: true, shown: 'none' });
    });
    this.unlisten.push(stop);
    const stopHooks = await this.db.listen(this.webhookChannel, () => this.want({ skus: new Set(), devices: false, shown: 'none' }));
    this.unlisten.push(stopHooks);
    if (this.opts.tickMs !== false) {
      const t = setInterval(() => {
        const sweep = Date.now() - this.lastSweep >= (this.opts.sweepMs ?? 600_000);
        if (sweep) this.lastSweep = Date.now();
        this.want({ skus: sweep ? 'all' : new Set(), devices: true, shown: sweep ? 'all' : 'waiting' });
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
          shown: SHOWN_RANK[w.shown] >= SHOWN_RANK[scope.shown] ? w.shown : scope.shown,
        }
      : scope;
    this.running ??= new Promise<void>((resolve) => setTimeout(resolve, this.opts.coalesceMs ?? 20))
      .then(() => this.drain())
      .finally(() => (this.running = undefined));
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
      if (this.wanted && !this.stopped) await this.rest(REST_FACTOR * (performance.now() - started));
    }
  }

  /** Waits `ms`, or less when the monitor stops: a long evaluation must not hold up a shutdown four times over. */
  private rest(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => this.wake?.(), ms);
      t.unref?.();
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /**
   * One evaluation: the board told to its listeners first (what changed shows at once), then the
   * rules over the scope's facts and the alerts brought in line, and the board again when that
   * opened or cleared any.
   */
  async run(scope: Scope): Promise<AlertChanges> {
    const now = this.now();
    this.settings ??= (await readSettings(this.db)).settings;
    const settings = this.settings;
    await this.tell(settings);
    const skus = scope.skus === 'all' ? undefined : [...scope.skus].sort();
    const readSkus = skus === undefined || skus.length > 0;
    const devices = scope.devices ? await deviceRows(this.db) : [];
    // The channels' shown values: every SKU, or the scope's and (on the tick) those waiting for delivery or alerted.
    const shownSkus = skus === undefined || scope.shown === 'all' ? undefined : new Set(skus);
    if (shownSkus && scope.shown === 'waiting') for (const s of await shownCandidates(this.db)) shownSkus.add(s);
    const inputs: AlertInputs = {
      skus: readSkus ? await skuFacts(this.db, skus, now, settings.alerts.pickWindowDays) : [],
      held: readSkus ? await heldFacts(this.db, skus) : [],
      shown: shownSkus === undefined || shownSkus.size > 0 ? await shownFacts(this.db, shownSkus && [...shownSkus].sort()) : [],
      devices: devices.map(silentFacts),
    };
    const raised = evaluateAlerts(inputs, settings.alerts, now);
    if (skus === undefined) await pruneHistory(this.db, now);
    if (!scope.devices && !readSkus && shownSkus !== undefined && shownSkus.size === 0) return { opened: 0, cleared: 0, kept: 0 };
    const inScope = (a: { kind: string; sku: string | null }) => {
      if (a.kind === 'device_silent') return scope.devices;
      if (a.kind === 'channel_overshown') return shownSkus === undefined || (a.sku !== null && shownSkus.has(a.sku));
      if (!STOCK_KINDS.has(a.kind)) return false;
      return skus === undefined || (a.sku !== null && skus.includes(a.sku));
    };
    // Nothing raised and nothing open in scope: no transaction to take.
    if (raised.length === 0 && !(await openAlerts(this.db)).some(inScope)) return { opened: 0, cleared: 0, kept: 0 };
    const changes = await this.db.transaction((tx) => applyAlerts(tx, raised, inScope, now, this.webhookChannel));
    if (changes.opened + changes.cleared > 0) await this.tell(settings);
    return changes;
  }

  private async tell(settings: ControlSettings): Promise<void> {
    if (this.listeners.size === 0) return;
    const board = await readBoard(this.db, settings, this.now());
    for (const l of this.listeners) l(board);
  }

  /** Calls `listener` with the board after every evaluation; returns the unsubscribe function. */
  subscribe(listener: (board: Board) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.wake?.();
    await Promise.all(this.unlisten.map((u) => u()));
    this.listeners.clear();
    await this.idle();
  }
}
