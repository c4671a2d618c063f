import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/device/api/client.ts';
import { LiveFeed, PULL_COALESCE_MS } from '../../src/device/sync/live-feed.ts';
import { Backoff } from '../../src/device/sync/schedule.ts';
import type { StreamHandlers } from '../../src/device/sync/stream.ts';
import type { StreamTicket } from '../../src/domain/protocol.ts';
import { ScriptedClock } from '../fixtures/clock.ts';
import { SHIFT_START, until } from './helpers.ts';

function feed(tickets: Answer<StreamTicket>[]) {
  const clock = new ScriptedClock(SHIFT_START);
  const opened: { path: string; h: StreamHandlers; closed: boolean }[] = [];
  const log: string[] = [];
  const f = new LiveFeed({
    factory: (path, h) => {
      const s = { path, h, closed: false };
      opened.push(s);
      return { close: () => void (s.closed = true) };
    },
    clock,
    backoff: new Backoff(100, 1000, () => 0.5),
    ticket: async (token) => {
      log.push(`ticket ${token}`);
      return tickets.shift() ?? { ok: true, value: { ticket: 'tk-2', expiresAt: '' } };
    },
    wantPull: () => log.push('pull'),
    onLive: (live) => log.push(live ? 'live' : 'down'),
    onRetryDue: () => log.push('retry due'),
  });
  return { clock, opened, log, f };
}

describe('live feed', () => {
  it('opens with a ticket (never the token), pulls on open, coalesces work changes into one pull', async () => {
    const { clock, opened, log, f } = feed([{ ok: true, value: { ticket: 'tk-1', expiresAt: '' } }]);
    f.ensure('token-a');
    f.ensure('token-a');
    await until(() => opened.length === 1, 'stream opened');
    expect(opened[0]!.path).toBe('/api/v1/stream?ticket=tk-1');
    expect(opened[0]!.path).not.toContain('token-a');
    opened[0]!.h.onOpen();
    expect(log).toEqual(['ticket token-a', 'live', 'pull']);
    opened[0]!.h.onChange({ kind: 'work' });
    opened[0]!.h.onChange({ kind: 'work' });
    opened[0]!.h.onChange({ kind: 'stock', sku: 'S' });
    clock.advance(PULL_COALESCE_MS);
    expect(log.filter((l) => l === 'pull')).toHaveLength(2);
  });

  it('retries a refused ticket or a lost feed with backoff, and reopens for a new token', async () => {
    const { clock, opened, log, f } = feed([{ ok: false, failure: { kind: 'retry', message: 'down' } }]);
    f.ensure('token-a');
    await until(() => clock.pending().length === 1, 'retry timer');
    // attempt 1: 0.5 * min(1000, 100 * 2^1)
    expect(clock.pending()).toEqual([100]);
    clock.advance(100);
    expect(log).toContain('retry due');
    f.ensure('token-a');
    await until(() => opened.length === 1, 'stream opened');
    opened[0]!.h.onOpen();
    opened[0]!.h.onClose('gone');
    expect(log.slice(-1)).toEqual(['down']);
    // Open again resets the attempts: the first retry after a loss waits attempt 1's jitter.
    expect(clock.pending()).toEqual([100]);
    clock.advance(100);
    f.ensure('token-b');
    await until(() => opened.length === 2, 'reopened for the new token');
    expect(log).toContain('ticket token-b');
    f.stop();
    expect(opened[1]!.closed).toBe(true);
  });
});
