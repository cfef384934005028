// Timers come in as data like the clock does, so the supervisor's watchdog and backoff
// can be driven by hand in unit tests.
export type TimerHandle = object | number;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(h: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Timers a test fires by hand, in due-time order, against a ManualClock-like counter. */
export class ManualTimers implements Timers {
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  constructor(private readonly now: () => number) {}

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now() + ms, fn });
    return id;
  }

  clearTimeout(h: TimerHandle): void {
    this.pending.delete(h as number);
  }

  /** Run every timer due at or before the current time (including ones they schedule). */
  runDue(): number {
    let ran = 0;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.pending) if (e[1].at <= this.now() && (!next || e[1].at < next[1].at)) next = e;
      if (!next) return ran;
      this.pending.delete(next[0]);
      next[1].fn();
      ran++;
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
