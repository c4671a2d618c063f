/**
 * When the sync engine takes its next turn: one timer for the earliest turn asked for, none
 * before a running backoff ends, and the full-jitter backoff itself. No I/O: the clock is injected.
 */
import type { Clock } from '../../domain/clock.ts';

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
 * sooner; during a backoff, nothing is due before the backoff ends.
 */
export class TurnScheduler {
  private timer: unknown;
  private dueAt = Infinity;
  private backoffUntil = 0;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly turn: () => void,
  ) {}

  start(): void {
    this.running = true;
  }

  /** Asks for a turn in `delayMs` (0: as soon as possible), but not before a backoff ends. */
  request(delayMs: number): void {
    if (!this.running) return;
    const now = this.clock.now();
    const due = Math.max(now + delayMs, this.backoffUntil);
    if (due >= this.dueAt) return;
    this.clearTimer();
    this.dueAt = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      this.turn();
    }, due - now);
  }

  /** Backs off for `delayMs`: a turn asked for sooner is moved to the end of the backoff. */
  backOff(delayMs: number): number {
    this.backoffUntil = this.clock.now() + delayMs;
    this.clearTimer();
    this.request(delayMs);
    return this.backoffUntil;
  }

  /** Ends a backoff (a success, or a change that says the old backoff means nothing now). */
  endBackoff(): void {
    this.backoffUntil = 0;
  }

  /** True while a backoff runs. */
  backingOff(): boolean {
    return this.clock.now() < this.backoffUntil;
  }

  stop(): void {
    this.running = false;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
  }
}
