// Event-loop lag of the daemon's main thread, sampled by a repeating timer: each tick
// records how late it fired. perf_hooks.monitorEventLoopDelay would do the same natively
// but only offers a resettable summary; per-sample values let /api/metrics keep a
// cumulative histogram that a scraper (the soak bench) can difference between two reads.
import { performance } from 'node:perf_hooks';
import type { IntervalTimers, TimerHandle } from '../timers.js';

const realTimers: IntervalTimers = {
  // unref: the sampler alone must never keep the daemon alive
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export class LoopLagSampler {
  private handle: TimerHandle | null = null;
  private last = 0;

  constructor(
    private readonly observe: (lagMs: number) => void,
    private readonly intervalMs = 20,
    private readonly now: () => number = () => performance.now(),
    private readonly timers: IntervalTimers = realTimers,
  ) {}

  start(): void {
    if (this.handle !== null) return;
    this.last = this.now();
    this.handle = this.timers.setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    if (this.handle === null) return;
    this.timers.clearInterval(this.handle);
    this.handle = null;
  }

  private tick(): void {
    const t = this.now();
    this.observe(Math.max(0, t - this.last - this.intervalMs));
    this.last = t;
  }
}
