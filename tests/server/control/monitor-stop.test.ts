/**
 * The monitor rests four times as long as its last evaluation took before the next one. A
 * shutdown must not wait for that rest: after a 2,000-order flash sale an evaluation took about
 * 25 s, and closing the API then waited 100 s more.
 */
import { describe, expect, it } from 'vitest';
import { ControlMonitor, type Scope } from '../../../src/server/control/monitor.ts';
import type { AlertChanges } from '../../../src/server/control/storage.ts';
import type { Database } from '../../../src/server/db.ts';

const EVALUATION_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const scope: Scope = { skus: new Set(['SKU-1001']), devices: false, shown: 'none' };

/** A monitor whose evaluations take EVALUATION_MS and always leave another one wanted. */
class SlowMonitor extends ControlMonitor {
  evaluations = 0;
  override async run(): Promise<AlertChanges> {
    this.evaluations += 1;
    await sleep(EVALUATION_MS);
    this.want(scope);
    return { opened: 0, cleared: 0, kept: 0 };
  }
}

describe('control monitor', () => {
  it('stops at once while it rests after a long evaluation', async () => {
    // The database is never reached: `run` is the slow part here.
    const monitor = new SlowMonitor({} as Database, () => new Date(), 'hooks', { tickMs: false, coalesceMs: 0 });
    monitor.want(scope);
    await expect.poll(() => monitor.evaluations).toBe(1);
    // Let the evaluation finish: the monitor now rests 4 x 500 ms before the next one.
    await sleep(EVALUATION_MS + 200);
    const t0 = performance.now();
    await monitor.stop();
    expect(performance.now() - t0).toBeLessThan(EVALUATION_MS);
    expect(monitor.evaluations).toBe(1);
  });
});
