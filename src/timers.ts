// Timers come in as data, like the clock: watchdogs, backoff, debounce, blink and ping
// logic take these interfaces so tests drive them by hand instead of waiting.
import type { ManualClock } from './clock.js';

/** Node returns a Timeout object; test timers return their own records. */
export type TimerHandle = object | number;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** null/undefined are accepted and ignored, as Node's clearTimeout does */
  clearTimeout(handle: TimerHandle | null | undefined): void;
}

export interface IntervalTimers {
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | null | undefined): void;
}

export const systemTimers: Timers & IntervalTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * Timers that fire only when a test says so: `runDue()` fires what is due at the
 * current time; `advance(ms)` (with a ManualClock) moves the clock through each due
 * timer in order. Timers scheduled by a firing timer are honoured too.
 */
export class ManualTimers implements Timers {
  private readonly pending = new Set<Pending>();
  private seq = 0;

  constructor(private readonly clock: ManualClock | (() => number)) {}

  private now(): number {
    return typeof this.clock === 'function' ? this.clock() : this.clock.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: Pending = { due: this.now() + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.add(t);
    return t;
  }

  clearTimeout(handle: TimerHandle | null | undefined): void {
    this.pending.delete(handle as Pending);
  }

  /** timers not yet fired or cleared */
  get size(): number {
    return this.pending.size;
  }

  private next(until: number): Pending | null {
    let next: Pending | null = null;
    for (const t of this.pending) {
      if (t.due <= until && (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
    }
    return next;
  }

  /** Fire every timer due at or before the current time; returns how many ran. */
  runDue(): number {
    let ran = 0;
    for (let t = this.next(this.now()); t; t = this.next(this.now())) {
      this.pending.delete(t);
      t.fn();
      ran++;
    }
    return ran;
  }

  /** Move the ManualClock forward by ms, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const clock = this.clock;
    if (typeof clock === 'function') throw new Error('ManualTimers.advance needs a ManualClock');
    const target = clock.now() + ms;
    for (let t = this.next(target); t; t = this.next(target)) {
      this.pending.delete(t);
      if (t.due > clock.now()) clock.advance(t.due - clock.now());
      t.fn();
    }
    if (target > clock.now()) clock.advance(target - clock.now());
  }
}
