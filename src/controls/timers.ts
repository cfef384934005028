// Timer functions come in injected so debounce, hold and blink timing can be driven by a
// ManualClock in tests instead of waiting on real time.
import type { ManualClock } from '../clock.js';

export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
}

/** Timers that fire only when a test advances the ManualClock through them. */
export class ManualTimers implements Timers {
  private readonly pending = new Set<Pending>();
  private seq = 0;

  constructor(private readonly clock: ManualClock) {}

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: Pending = { due: this.clock.now() + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.add(t);
    return t;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as Pending);
  }

  /** timers not yet fired or cleared */
  get size(): number {
    return this.pending.size;
  }

  /** Move the clock forward by ms, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.clock.now() + ms;
    for (;;) {
      let next: Pending | null = null;
      for (const t of this.pending) {
        if (t.due <= target && (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.pending.delete(next);
      if (next.due > this.clock.now()) this.clock.advance(next.due - this.clock.now());
      next.fn();
    }
    if (target > this.clock.now()) this.clock.advance(target - this.clock.now());
  }
}
