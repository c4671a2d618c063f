/**
 * The webhook outbox and its delivery worker.
 *
 * A change writes its outbox item in its own transaction (`enqueue`): one row per endpoint and
 * subject (an SKU's ATP, an order), so a newer value replaces a waiting one (coalescing) and a
 * burst of changes is one delivery. Every API process runs a worker; a worker leases due rows
 * with `FOR UPDATE SKIP LOCKED` (no row is delivered by two processes at once), delivers them
 * outside any transaction, signed per Standard Webhooks, then deletes a row only if it still
 * holds the value that was delivered. Failures back off exponentially (full jitter, capped);
 * a 410 disables the endpoint; every attempt is logged. A worker that dies mid-delivery leaves
 * a lease that runs out, so the item goes out again: at least once.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Database, Sql } from '../db.ts';
import { TargetGuard } from './url-guard.ts';

export type OutboxItem = { channelId: string; kind: 'atp' | 'order'; subject: string; msgId: string; payload: unknown };

/** Writes items for every active endpoint of their channels and wakes the workers when the transaction commits. */
export async function enqueue(tx: Sql, items: readonly OutboxItem[], notifyChannel: string): Promise<number> {
  if (items.length === 0) return 0;
  const rows = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO webhook_outbox (endpoint_id, kind, subject, msg_id, payload, enqueued_at, next_attempt_at)
       SELECT e.id, x.kind, x.subject, x.msg_id, x.payload, now(), now()
       FROM jsonb_to_recordset($1::jsonb) AS x(channel_id text, kind text, subject text, msg_id text, payload jsonb)
       JOIN webhook_endpoints e ON e.channel_id = x.channel_id AND e.status = 'active'
       ORDER BY e.id, x.kind, x.subject
       ON CONFLICT (endpoint_id, kind, subject) DO UPDATE SET msg_id = excluded.msg_id, payload = excluded.payload, enqueued_at = excluded.enqueued_at,
         -- A failing endpoint keeps its backoff: a newer value does not make it hammered.
         next_attempt_at = CASE WHEN webhook_outbox.attempts = 0 THEN excluded.next_attempt_at ELSE webhook_outbox.next_attempt_at END
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [JSON.stringify(items.map((i) => ({ channel_id: i.channelId, kind: i.kind, subject: i.subject, msg_id: i.msgId, payload: i.payload })))],
  );
  const n = Number(rows[0]?.n ?? 0);
  if (n > 0) await tx.query('SELECT pg_notify($1, $2)', [notifyChannel, 'due']);
  return n;
}

export type Secret = { secret: string; createdAt: string; expiresAt: string | null };
/** A fresh signing secret in the Standard Webhooks form `whsec_<base64>`. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The `webhook-signature` header: one `v1,<sig>` per secret still signing, space-separated (rotation). */
export function signatures(secrets: readonly Secret[], msgId: string, at: Date, body: string): string {
  const live = secrets.filter((s) => s.expiresAt === null || new Date(s.expiresAt).getTime() > at.getTime());
  return live.map((s) => new Webhook(s.secret).sign(msgId, at, body)).join(' ');
}

export type WorkerOptions = {
  /** How often due retries are looked for besides wake-ups (ms). */
  pollMs?: number;
  /** First retry delay (ms); doubles per attempt up to `maxBackoffMs`, full jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long one delivery may take (ms). */
  timeoutMs?: number;
  /** How long a leased row is kept from other workers (ms); at least `timeoutMs` + 25 s. */
  leaseMs?: number;
  batch?: number;
  /** Told when a round fails (the database away, a bug): the next poll tries again. */
  onError?: (err: unknown) => void;
  /** How long the log keeps a delivered attempt (ms); failed attempts stay. 7 days by default. */
  retentionMs?: number;
  /** How often this worker prunes the log (ms). */
  pruneEveryMs?: number;
  /** The clock of the delivery log and its retention (tests move it). */
  now?: () => Date;
};

type Claimed = {
  id: number;
  endpoint_id: string;
  kind: string;
  subject: string;
  msg_id: string;
  payload: unknown;
  attempts: number;
  url: string;
  secrets: Secret[];
};

/** The delivery worker of one API process. */
export class WebhookWorker {
  private running = false;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private readonly opts: Required<WorkerOptions>;
  private idle: Promise<void> = Promise.resolve();
  private prunedAt = 0;
  private pruning: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly notifyChannel: string,
    opts: WorkerOptions = {},
    /** Where a delivery may go (checked again at each delivery, inside its DNS lookup). */
    private readonly guard: TargetGuard = new TargetGuard(),
  ) {
    const o = {
      pollMs: 1000,
      baseBackoffMs: 1000,
      maxBackoffMs: 300_000,
      timeoutMs: 5000,
      leaseMs: 30_000,
      batch: 50,
      onError: () => undefined,
      retentionMs: DELIVERY_RETENTION_MS,
      pruneEveryMs: 60_000,
      now: () => new Date(),
      ...opts,
    };
    // A lease must outlast a delivery and its bookkeeping by far, or another process takes the row and sends it again.
    this.opts = { ...o, leaseMs: Math.max(o.leaseMs, o.timeoutMs + 25_000) };
  }

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(this.notifyChannel, () => this.kick());
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      const t = this.opts.now().getTime();
      if (t - this.prunedAt >= this.opts.pruneEveryMs) {
        this.prunedAt = t;
        this.pruning = pruneDeliveries(this.db, this.opts.now(), this.opts.retentionMs).catch((err: unknown) => this.opts.onError(err));
      }
      this.timer = setTimeout(tick, this.opts.pollMs);
      this.timer.unref?.();
    };
    tick();
  }

  /** Runs a delivery round now (or right after the one in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = (async () => {
      try {
        do {
          this.again = false;
          // A full batch means more may be due: go round again.
          if ((await this.round()) >= this.opts.batch) this.again = true;
        } while (this.again && !this.stopped);
      } catch (err) {
        // The next poll tries again.
        this.opts.onError(err);
      } finally {
        this.running = false;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.unlisten?.();
    await this.idle;
    await this.pruning;
  }

  /** Leases due items and delivers them; answers how many it leased. */
  async round(): Promise<number> {
    const claimed = await this.db.query<Claimed>(
      `UPDATE webhook_outbox o SET lease_until = clock_timestamp() + make_interval(secs => $1::float8 / 1000), attempts = o.attempts + 1
       FROM webhook_endpoints e
       WHERE e.id = o.endpoint_id AND o.id IN (
         SELECT q.id FROM webhook_outbox q JOIN webhook_endpoints qe ON qe.id = q.endpoint_id AND qe.status = 'active'
         WHERE q.next_attempt_at <= clock_timestamp() AND (q.lease_until IS NULL OR q.lease_until < clock_timestamp())
         ORDER BY q.next_attempt_at, q.id LIMIT $2 FOR UPDATE OF q SKIP LOCKED)
       RETURNING o.id, o.endpoint_id, o.kind, o.subject, o.msg_id, o.payload, o.attempts, e.url, e.secrets`,
      [this.opts.leaseMs, this.opts.batch],
    );
    await Promise.all(claimed.map((c) => this.deliver(c)));
    return claimed.length;
  }

  private async deliver(c: Claimed): Promise<void> {
    const body = typeof c.payload === 'string' ? c.payload : JSON.stringify(c.payload);
    // Signatures use the wall clock (receivers check the timestamp against theirs); the log uses the worker's clock.
    const at = new Date();
    const secrets = (typeof c.secrets === 'string' ? JSON.parse(c.secrets) : c.secrets) as Secret[];
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await this.guard.post(
        c.url,
        {
          'content-type': 'application/json',
          'webhook-id': c.msg_id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signatures(secrets, c.msg_id, at, body),
        },
        body,
        this.opts.timeoutMs,
      );
      if (status >= 300 && status < 400) error = `redirect (${status}) not followed: register the final URL`;
    } catch (err) {
      const e = err as Error;
      error = (
        e.name === 'TimeoutError' ? `timed out after ${this.opts.timeoutMs} ms` : e.name === 'TargetRefused' ? `refused: ${e.message}` : e.message
      ).slice(0, 300);
    }
    const ms = Math.round(performance.now() - started);
    const ok = status !== null && status >= 200 && status < 300;
    let newer = false;
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO webhook_deliveries (endpoint_id, msg_id, kind, subject, attempt, status_code, error, duration_ms, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [c.endpoint_id, c.msg_id, c.kind, c.subject, c.attempts, status, error, ms, this.opts.now()],
      );
      if (ok) {
        // Delivered the value the row still holds: done. A newer value arrived meanwhile: it goes next, at once.
        const gone = await tx.query('DELETE FROM webhook_outbox WHERE id = $1 AND msg_id = $2 RETURNING 1', [c.id, c.msg_id]);
        if (gone.length === 0) {
          await tx.query('UPDATE webhook_outbox SET lease_until = NULL, attempts = 0, next_attempt_at = now() WHERE id = $1', [c.id]);
          newer = true;
        }
      } else if (status === 410) {
        await tx.query(`UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2 WHERE id = $1`, [
          c.endpoint_id,
          `the receiver answered 410 Gone to ${c.msg_id}`,
        ]);
        await tx.query('DELETE FROM webhook_outbox WHERE endpoint_id = $1', [c.endpoint_id]);
      } else {
        const cap = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** Math.min(20, c.attempts - 1));
        const delay = Math.max(10, Math.round(Math.random() * cap));
        await tx.query(
          'UPDATE webhook_outbox SET lease_until = NULL, next_attempt_at = clock_timestamp() + make_interval(secs => $2::float8 / 1000) WHERE id = $1',
          [c.id, delay],
        );
      }
    });
    if (newer) this.again = true;
  }
}

/** How long the delivery log keeps a delivered attempt by default: 7 days. */
export const DELIVERY_RETENTION_MS = 7 * 86_400_000;

/**
 * Deletes delivered attempts (2xx) logged before `now - retentionMs`, a bounded batch at a time;
 * failed attempts, everything still waiting in the outbox, and each endpoint's newest delivery
 * (the control room counts failures since it) stay. Answers how many it deleted.
 */
export async function pruneDeliveries(db: Sql, now: Date, retentionMs: number, batch = 10_000): Promise<number> {
  const before = new Date(now.getTime() - retentionMs);
  let total = 0;
  for (;;) {
    const rows = await db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM webhook_deliveries WHERE id IN (
           SELECT d.id FROM webhook_deliveries d WHERE d.status_code BETWEEN 200 AND 299 AND d.at < $1
             AND d.id < (SELECT max(x.id) FROM webhook_deliveries x WHERE x.endpoint_id = d.endpoint_id AND x.status_code BETWEEN 200 AND 299)
           ORDER BY d.at LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [before, batch],
    );
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n < batch) return total;
  }
}
