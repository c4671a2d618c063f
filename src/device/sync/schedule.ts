/**
 * When the sync engine takes its next turn: one timer for the earliest turn asked for, held back
 * while a backoff runs, and the full-jitter backoff itself. No I/O: the clock is injected.
 */
import type { Timers } from './timers.ts';

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt: number, random: number, baseMs: number, capMs: number): number {
  return Math.floor(random * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)));
}

/** A backoff policy: the delay before attempt `n`, drawn from `random`. */
export class Backoff {
  constructor(
    readonly baseMs: number,
    readonly capMs: number,
    private readonly random: () => number,
  ) {}

  delay(attempt: number): number {
    return backoffDelay(attempt, this.random(), this.baseMs, this.capMs);
  }
}

/**
 * Runs `turn` once at the earliest time asked for. A request never postpones one already due
 * sooner; while held (a backoff), nothing is due before the hold ends.
 */
export class TurnScheduler {
  private timer: unknown;
  private dueAt = Infinity;
  private heldUntil = 0;
  private running = false;

  constructor(
    private readonly timers: Timers,
    private readonly turn: () => void,
  ) {}

  start(): void {
    this.running = true;
  }

  /** Asks for a turn in `delayMs` (0: as soon as possible), but not before a hold ends. */
  request(delayMs: number): void {
    if (!this.running) return;
    const now = this.timers.now();
    const due = Math.max(now + delayMs, this.heldUntil);
    if (due >= this.dueAt) return;
    this.clearTimer();
    this.dueAt = due;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      this.turn();
    }, due - now);
  }

  /** Holds every turn back for `delayMs` (a backoff): a turn asked for sooner is moved to the end of the hold. */
  hold(delayMs: number): number {
    this.heldUntil = this.timers.now() + delayMs;
    this.clearTimer();
    this.request(delayMs);
    return this.heldUntil;
  }

  /** Ends a hold (a success, or a change that says the old backoff means nothing now). */
  release(): void {
    this.heldUntil = 0;
  }

  /** True while a hold runs. */
  held(): boolean {
    return this.timers.now() < this.heldUntil;
  }

  stop(): void {
    this.running = false;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
  }
}
