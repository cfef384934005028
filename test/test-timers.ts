// The one set of timers the tests drive by hand: timeouts and intervals on a ManualClock
// that fire only when a test moves time on, so watchdogs, backoff, debounce and redraw
// ticks are tested without waiting.
import { ManualClock } from '../src/clock.js';
import type { IntervalTimers, TimerHandle, Timers } from '../src/timers.js';

interface Pending {
  due: number;
  seq: number;
  fn: () => void;
  /** 0 for a timeout, the period for an interval */
  every: number;
}

export class TestTimers implements Timers, IntervalTimers {
  private readonly pending = new Set<Pending>();
  /** every interval ever set, in order, for tests that fire one out of turn */
  private readonly intervals: Pending[] = [];
  private seq = 0;

  constructor(readonly clock: ManualClock = new ManualClock()) {}

  now(): number {
    return this.clock.now();
  }

  // Fields, not methods: code under test may keep `timers.setTimeout` apart from `timers`.
  setTimeout = (fn: () => void, ms: number): TimerHandle => this.add(fn, ms, 0);
  setInterval = (fn: () => void, ms: number): TimerHandle => {
    const t = this.add(fn, ms, Math.max(1, ms));
    this.intervals.push(t);
    return t;
  };
  clearTimeout = (handle: TimerHandle | null | undefined): void => void this.pending.delete(handle as Pending);
  clearInterval = (handle: TimerHandle | null | undefined): void => void this.pending.delete(handle as Pending);

  /** timeouts not yet fired and intervals not cleared */
  get size(): number {
    return this.pending.size;
  }

  /**
   * The i-th interval set (0 = the first), null once cleared; `fire()` runs it now, out of
   * turn, as a late or early tick would, without moving the clock or its next due time.
   */
  interval(i: number): { every: number; fire(): void } | null {
    const t = this.intervals[i];
    if (!t || !this.pending.has(t)) return null;
    return { every: t.every, fire: t.fn };
  }

  /** Fire every timer due at or before the clock's current time, in order; returns how many ran. */
  runDue(): number {
    let ran = 0;
    for (let t = this.next(this.clock.now()); t; t = this.next(this.clock.now())) {
      this.fire(t);
      ran++;
    }
    return ran;
  }

  /** Move the clock forward by ms, firing each timer that falls due on the way, in order. */
  advance(ms: number): void {
    const target = this.clock.now() + ms;
    for (let t = this.next(target); t; t = this.next(target)) {
      this.moveTo(t.due);
      this.fire(t);
    }
    this.moveTo(target);
  }

  /** advance(), letting promise callbacks run after each timer and at the end. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    for (let t = this.next(target); t; t = this.next(target)) {
      this.moveTo(t.due);
      this.fire(t);
      await settle();
    }
    this.moveTo(target);
    await settle();
  }

  private add(fn: () => void, ms: number, every: number): Pending {
    const t: Pending = { due: this.clock.now() + Math.max(0, ms), seq: this.seq++, fn, every };
    this.pending.add(t);
    return t;
  }

  private next(until: number): Pending | null {
    let next: Pending | null = null;
    for (const t of this.pending) {
      if (t.due <= until && (!next || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
    }
    return next;
  }

  private fire(t: Pending): void {
    // re-armed before it runs, so the callback may clear its own interval
    if (t.every > 0) t.due += t.every;
    else this.pending.delete(t);
    t.fn();
  }

  private moveTo(at: number): void {
    if (at > this.clock.now()) this.clock.advance(at - this.clock.now());
  }
}

/** Let pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
