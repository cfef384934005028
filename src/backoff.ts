// The one retry schedule: every part that retries by itself (camera, MQTT reconnect, GPIO
// lines, inference worker, mpv) asks one of these for its next delay, so all of them grow,
// cap and reset the same way.

export interface BackoffOptions {
  /** the first delay (after the immediate one, with immediateFirst) */
  initialMs: number;
  /** no delay is ever longer */
  maxMs: number;
  /** growth per attempt (default 2) */
  factor?: number;
  /**
   * up to this fraction is added at random (0.2: up to +20 %, still capped at maxMs), so a
   * fleet of booths does not retry in lockstep; default 0
   */
  jitter?: number;
  /** 0..1, injected so tests pin the jitter (default Math.random) */
  random?: () => number;
  /** the first delay is 0 (retry at once); initialMs follows */
  immediateFirst?: boolean;
}

/** an exponent past which any sane schedule is long capped, so the power never overflows */
const MAX_STEP = 30;

export class Backoff {
  private n = 0;
  private lastMs = 0;

  constructor(private readonly o: BackoffOptions) {}

  /** The delay before the next attempt; each call is one more attempt. */
  next(): number {
    let step = this.n;
    this.n = Math.min(this.n + 1, MAX_STEP + 1);
    if (this.o.immediateFirst) {
      if (step === 0) return (this.lastMs = 0);
      step--;
    }
    const base = Math.min(this.o.maxMs, this.o.initialMs * (this.o.factor ?? 2) ** Math.min(step, MAX_STEP));
    const jitter = this.o.jitter ?? 0;
    const ms = jitter > 0 ? Math.min(this.o.maxMs, base * (1 + jitter * (this.o.random ?? Math.random)())) : base;
    return (this.lastMs = Math.round(ms));
  }

  /** After a success: the next delay is the first one again. */
  reset(): void {
    this.n = 0;
    this.lastMs = 0;
  }

  /** delays handed out since the last reset */
  get attempts(): number {
    return this.n;
  }

  /** the delay last handed out (0 before any, or after a reset) */
  get last(): number {
    return this.lastMs;
  }
}
