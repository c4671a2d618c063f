/**
 * The live feed of the sync engine: a single-use ticket (the token never goes in a URL), then
 * the API's change stream; a `work` change asks for a pull (coalesced), the feed's loss is
 * retried with backoff. Knows nothing of pushes: it tells the engine through its callbacks.
 */
import type { Answer } from '../api/client.ts';
import type { StreamTicket } from '../../domain/protocol.ts';
import { API_PREFIX } from '../../domain/protocol.ts';
import type { Backoff } from './schedule.ts';
import type { ChangeStream, ChangeStreamFactory } from './stream.ts';
import type { Clock } from '../../domain/clock.ts';

/** A `work` change waits this long for others before the pull it asks for. */
export const PULL_COALESCE_MS = 100;

export type LiveFeedOptions = {
  factory: ChangeStreamFactory;
  clock: Clock;
  backoff: Backoff;
  /** Asks the API for a stream ticket (the engine adds its timeout). */
  ticket(token: string): Promise<Answer<StreamTicket>>;
  /** The feed opened (anything may have changed while it was down) or said work changed. */
  wantPull(): void;
  /** The feed's state for the status screen. */
  onLive(live: boolean): void;
  /** A reconnect is due: the engine takes a turn, which calls `ensure` again. */
  onRetryDue(): void;
};

export class LiveFeed {
  private stream: ChangeStream | undefined;
  private opening = false;
  private token: string | undefined;
  private attempt = 0;
  private retryTimer: unknown;
  private pullTimer: unknown;
  private running = true;
  private live = false;

  constructor(private readonly o: LiveFeedOptions) {}

  /** Keeps the feed open for `token` (reopening it for a new one); a reconnect waiting on its backoff is left to its timer. */
  ensure(token: string): void {
    if (!this.running) return;
    if ((this.stream || this.opening) && this.token === token) return;
    this.close();
    if (this.retryTimer !== undefined) return;
    this.token = token;
    this.opening = true;
    void this.open(token).finally(() => (this.opening = false));
  }

  isLive(): boolean {
    return this.live;
  }

  /** Closes the feed (offline, signed out, a refused session). */
  close(): void {
    const s = this.stream;
    this.stream = undefined;
    this.token = undefined;
    s?.close();
    this.setLive(false);
  }

  /** Lets `ensure` open the feed again after `stop` (the engine restarts on every sign-in). */
  start(): void {
    this.running = true;
    this.attempt = 0;
  }

  stop(): void {
    this.running = false;
    for (const t of [this.retryTimer, this.pullTimer]) if (t !== undefined) this.o.clock.clearTimeout(t);
    this.retryTimer = this.pullTimer = undefined;
    this.close();
  }

  private async open(token: string): Promise<void> {
    const out = await this.o.ticket(token);
    if (!this.running || this.token !== token) return;
    if (!out.ok) {
      this.retry();
      return;
    }
    this.stream = this.o.factory(`${API_PREFIX}/stream?ticket=${encodeURIComponent(out.value.ticket)}`, {
      onOpen: () => {
        this.attempt = 0;
        this.setLive(true);
        this.o.wantPull();
      },
      onChange: (msg) => {
        if (msg.kind === 'work') this.coalescedPull();
      },
      onClose: () => {
        this.stream = undefined;
        this.setLive(false);
        this.retry();
      },
    });
  }

  private setLive(live: boolean): void {
    if (this.live === live) return;
    this.live = live;
    this.o.onLive(live);
  }

  private retry(): void {
    if (!this.running) return;
    this.attempt += 1;
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.o.onRetryDue();
    }, this.o.backoff.delay(this.attempt));
  }

  private coalescedPull(): void {
    if (this.pullTimer !== undefined) return;
    this.pullTimer = this.o.clock.setTimeout(() => {
      this.pullTimer = undefined;
      this.o.wantPull();
    }, PULL_COALESCE_MS);
  }
}
