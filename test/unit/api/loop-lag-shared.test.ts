// One event-loop lag sampler for /api/metrics and the staff console: both read the same
// ticks from one timer, and the timer is gone once neither reads.
import { describe, expect, it } from 'vitest';
import { LoopLagSampler } from '../../../src/api/loop-lag.js';
import { Metrics } from '../../../src/api/metrics.js';
import { StaffConsole } from '../../../src/api/routes-console.js';
import type { ProcessInfo } from '../../../src/api/stats.js';
import { ManualClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import { TestTimers } from '../../test-timers.js';

const proc: ProcessInfo = { rssBytes: () => 0, uptimeS: () => 0 };

describe('the shared LoopLagSampler', () => {
  it('metrics and console read the same samples from one timer; stopping both leaves no timer', async () => {
    let t = 0;
    const timers = new TestTimers();
    const loopLag = new LoopLagSampler({ intervalMs: 20, now: () => t, timers });
    const metrics = new Metrics({}, { version: '0.0.0', boothId: 'b', loopLag });
    const console = new StaffConsole({ config: defaultConfig(), services: {}, clock: new ManualClock(), proc, loopLag });
    metrics.start();
    console.start();
    expect(timers.size).toBe(1);
    expect(loopLag.running).toBe(true);
    for (const at of [20, 55, 80]) {
      t = at;
      timers.interval(0)?.fire();
    }
    // lags 0, 15 and 5 ms, in both places
    expect(console.system().loopLagMs).toEqual({ meanMs: 6.7, maxMs: 15 });
    const text = await metrics.text();
    expect(text).toMatch(/^pokerface_event_loop_lag_seconds_count 3$/m);
    expect(Number(/^pokerface_event_loop_lag_seconds_sum (\S+)$/m.exec(text)?.[1])).toBeCloseTo(0.02, 9);

    metrics.stop();
    expect(loopLag.running).toBe(true); // the console still reads it
    console.stop();
    expect(loopLag.running).toBe(false);
    expect(timers.size).toBe(0);
    // a restart subscribes again
    console.start();
    expect(timers.size).toBe(1);
    console.stop();
    expect(timers.size).toBe(0);
  });
});
