/**
 * Bounds the scrypt work of sign-ins in one API process: at most `slots` PIN checks run at
 * once; sign-ins from proven (registered) devices queue ahead of the rest, and the queue of
 * unproven ones is short, so a flood of guesses is answered 429 at once instead of stalling a
 * real sign-in behind seconds of hashing.
 */
export type Priority = 'proven' | 'unproven';

export class PinGate {
  private running = 0;
  private readonly queues: Record<Priority, (() => void)[]> = { proven: [], unproven: [] };

  constructor(
    private readonly slots: number,
    private readonly maxUnprovenWaiting: number,
  ) {}

  /** Waits for a slot; answers false at once when the unproven queue is full (the caller answers 429). */
  async enter(priority: Priority): Promise<boolean> {
    if (this.running < this.slots && this.queues.proven.length === 0 && this.queues.unproven.length === 0) {
      this.running += 1;
      return true;
    }
    if (priority === 'unproven' && this.queues.unproven.length >= this.maxUnprovenWaiting) return false;
    await new Promise<void>((resolve) => this.queues[priority].push(resolve));
    return true;
  }

  /** Frees the slot taken by `enter`, handing it to the next in line (proven first). */
  leave(): void {
    const next = this.queues.proven.shift() ?? this.queues.unproven.shift();
    if (next) next();
    else this.running -= 1;
  }

  get waiting(): number {
    return this.queues.proven.length + this.queues.unproven.length;
  }
}
