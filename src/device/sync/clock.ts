/** The sync engine's clock: wall time (`Date.now()`), since its times are stamped on records and shown. */
import type { Clock } from '../../domain/clock.ts';

export const wallClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
