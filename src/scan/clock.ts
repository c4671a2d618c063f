/** The scan pipeline's clock: monotonic (`performance.now()`), for durations and windows. */
import type { Clock } from '../domain/clock.ts';

export type { Clock } from '../domain/clock.ts';

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};
