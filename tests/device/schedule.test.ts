import { describe, expect, it } from 'vitest';
import { Backoff, TurnScheduler, backoffDelay } from '../../src/device/sync/schedule.ts';
import { ScriptedClock } from '../fixtures/clock.ts';
import { SHIFT_START } from './helpers.ts';

function scheduler() {
  const clock = new ScriptedClock(SHIFT_START);
  const turns: number[] = [];
  const s = new TurnScheduler(clock, () => turns.push(clock.now()));
  s.start();
  return { clock, turns, s, t0: clock.now() };
}

describe('turn scheduler', () => {
  it('runs one turn at the earliest time asked for; a later request never postpones it', () => {
    const { clock, turns, s, t0 } = scheduler();
    s.request(50);
    s.request(10);
    s.request(40);
    clock.advance(100);
    expect(turns).toEqual([t0 + 10]);
  });

  it('a backoff moves every turn to its end, and ending it lets the next request through at once', () => {
    const { clock, turns, s, t0 } = scheduler();
    s.request(0);
    const until = s.backOff(1000);
    expect(until).toBe(t0 + 1000);
    expect(s.backingOff()).toBe(true);
    s.request(0);
    clock.advance(999);
    expect(turns).toEqual([]);
    clock.advance(1);
    expect(turns).toEqual([t0 + 1000]);
    s.backOff(5000);
    s.endBackoff();
    s.request(0);
    clock.advance(0);
    expect(turns).toEqual([t0 + 1000, t0 + 1000]);
  });

  it('takes no turn after stop', () => {
    const { clock, turns, s } = scheduler();
    s.request(5);
    s.stop();
    s.request(0);
    clock.advance(100);
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
