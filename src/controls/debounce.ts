// Debounce and hold for one button, as pure logic: edges come in with their timestamps,
// time passes only through the injected clock and timers.
//
// A level counts only once the line has been quiet for debounceMs (both ways), so a
// bounce train of any length gives one press, and a noise spike shorter than debounceMs
// gives none. The press carries the timestamp of the train's first edge; it is reported
// debounceMs later. A hold fires holdMs after the press's first edge if the button is
// still down, at most once per press.
import type { Clock, MonoMs } from '../types.js';
import type { TimerHandle, Timers } from '../timers.js';

export interface DebounceOptions {
  debounceMs: number;
  holdMs: number;
  clock: Clock;
  timers: Timers;
}

export type DebouncedKind = 'press' | 'hold' | 'release';

export class Debouncer {
  private raw = false;
  private stable = false;
  private trainStart: MonoMs | null = null;
  private lastEdge = -Infinity;
  private pressTs: MonoMs = 0;
  private settleTimer: TimerHandle | null = null;
  private holdTimer: TimerHandle | null = null;

  constructor(
    private readonly opts: DebounceOptions,
    private readonly emit: (kind: DebouncedKind, ts: MonoMs) => void,
  ) {}

  /** the debounced state */
  get pressed(): boolean {
    return this.stable;
  }

  /** A raw edge: active = the line is now at its pressed level (active-low already applied). */
  edge(active: boolean, ts: MonoMs): void {
    // Clamp: timestamps converted from the kernel clock can jitter backwards by a hair.
    const t = Math.max(ts, this.lastEdge);
    this.lastEdge = t;
    this.raw = active;
    this.trainStart ??= t;
    if (this.settleTimer) this.opts.timers.clearTimeout(this.settleTimer);
    const wait = Math.max(0, t + this.opts.debounceMs - this.opts.clock.now());
    this.settleTimer = this.opts.timers.setTimeout(() => this.settle(), wait);
  }

  /** Forget the line's state (its monitor went away); cancels pending timers. */
  reset(): void {
    if (this.settleTimer) this.opts.timers.clearTimeout(this.settleTimer);
    if (this.holdTimer) this.opts.timers.clearTimeout(this.holdTimer);
    this.settleTimer = null;
    this.holdTimer = null;
    this.raw = false;
    this.stable = false;
    this.trainStart = null;
  }

  private settle(): void {
    this.settleTimer = null;
    const start = this.trainStart ?? this.opts.clock.now();
    this.trainStart = null;
    if (this.raw === this.stable) return;
    this.stable = this.raw;
    if (this.stable) {
      this.pressTs = start;
      this.emit('press', start);
      const wait = Math.max(0, start + this.opts.holdMs - this.opts.clock.now());
      this.holdTimer = this.opts.timers.setTimeout(() => this.fireHold(), wait);
    } else {
      if (this.holdTimer) this.opts.timers.clearTimeout(this.holdTimer);
      this.holdTimer = null;
      this.emit('release', start);
    }
  }

  private fireHold(): void {
    this.holdTimer = null;
    // A release train already under way means the player is letting go: no hold.
    if (!this.stable || !this.raw) return;
    this.emit('hold', this.pressTs + this.opts.holdMs);
  }
}
