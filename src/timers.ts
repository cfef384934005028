// Timers come in as data, like the clock: watchdogs, backoff, debounce, blink and ping
// logic take these interfaces so tests drive them by hand instead of waiting
// (test/test-timers.ts is the one hand-driven implementation).

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

/** systemTimers whose timers never keep the process alive on their own (a shutdown deadline, a lag sampler) */
export const unrefTimers: Timers & IntervalTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};
