import { describe, expect, it } from 'vitest';
import { Backoff, TurnScheduler, backoffDelay } from '../../src/device/sync/schedule.ts';
import { ManualTimers } from './helpers.ts';

function scheduler() {
  const timers = new ManualTimers();
  const turns: number[] = [];
  const s = new TurnScheduler(timers, () => turns.push(timers.now()));
  s.start();
  return { timers, turns, s, t0: timers.now() };
}

describe('turn scheduler', () => {
  it('runs one turn at the earliest time asked for; a later request never postpones it', () => {
    const { timers, turns, s, t0 } = scheduler();
    s.request(50);
    s.request(10);
    s.request(40);
    timers.advance(100);
    expect(turns).toEqual([t0 + 10]);
  });

  it('a hold moves every turn to its end, and a release lets the next request through at once', () => {
    const { timers, turns, s, t0 } = scheduler();
    s.request(0);
    const until = s.hold(1000);
    expect(until).toBe(t0 + 1000);
    expect(s.held()).toBe(true);
    s.request(0);
    timers.advance(999);
    expect(turns).toEqual([]);
    timers.advance(1);
    expect(turns).toEqual([t0 + 1000]);
    s.hold(5000);
    s.release();
    s.request(0);
    timers.advance(0);
    expect(turns).toEqual([t0 + 1000, t0 + 1000]);
  });

  it('takes no turn after stop', () => {
    const { timers, turns, s } = scheduler();
    s.request(5);
    s.stop();
    s.request(0);
    timers.advance(100);
    expect(turns).toEqual([]);
  });
});

describe('backoff', () => {
  it('is full jitter below an exponential cap', () => {
    const b = new Backoff(100, 1000, () => 0.999);
    expect([1, 2, 3, 4, 10].map((n) => b.delay(n))).toEqual([199, 399, 799, 999, 999]);
    expect(backoffDelay(3, 0, 100, 1000)).toBe(0);
  });
});
