// Event-loop lag of the daemon's main thread, sampled by a repeating timer: each tick
// records how late it fired. perf_hooks.monitorEventLoopDelay would do the same natively
// but only offers a resettable summary; per-sample values let /api/metrics keep a
// cumulative histogram that a scraper (the soak bench) can difference between two reads.
//
// One sampler serves every reader (the Prometheus histogram and the staff console's
// window): each subscribes with onLag(), so both see the same ticks and only one 20 ms
// timer runs. The timer runs while anyone listens: the first subscriber starts it, the
// last one's Off stops it.
import { performance } from 'node:perf_hooks';
import { Listeners, type ListenerErrorLog } from '../listeners.js';
import { silentLogger } from '../log.js';
import { unrefTimers, type IntervalTimers, type TimerHandle } from '../timers.js';
import type { Off } from '../types.js';

/** what a reader of the lag needs: the sampler fits */
export interface LoopLag {
  /** each sample in ms (how late the tick fired, never below 0); the Off ends the subscription */
  onLag(cb: (lagMs: number) => void): Off;
}

export interface LoopLagOptions {
  intervalMs?: number;
  now?: () => number;
  /** default unrefTimers: the sampler alone must never keep the daemon alive */
  timers?: IntervalTimers;
  log?: ListenerErrorLog;
}

export class LoopLagSampler implements LoopLag {
  private handle: TimerHandle | null = null;
  private last = 0;
  private readonly readers: Listeners<number>;
  private readonly intervalMs: number;

  constructor(private readonly o: LoopLagOptions = {}) {
    this.intervalMs = o.intervalMs ?? 20;
    this.readers = new Listeners(o.log ?? silentLogger, 'event-loop lag');
  }

  onLag(cb: (lagMs: number) => void): Off {
    const off = this.readers.add(cb);
    this.run();
    return () => {
      off();
      if (this.readers.size === 0) this.halt();
    };
  }

  /** true while the timer is set */
  get running(): boolean {
    return this.handle !== null;
  }

  private run(): void {
    if (this.handle !== null) return;
    this.last = this.now();
    this.handle = (this.o.timers ?? unrefTimers).setInterval(() => this.tick(), this.intervalMs);
  }

  private halt(): void {
    if (this.handle === null) return;
    (this.o.timers ?? unrefTimers).clearInterval(this.handle);
    this.handle = null;
  }

  private now(): number {
    return this.o.now ? this.o.now() : performance.now();
  }

  private tick(): void {
    const t = this.now();
    this.readers.emit(Math.max(0, t - this.last - this.intervalMs));
    this.last = t;
  }
}
