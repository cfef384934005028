// The scoring rule: target score above the player's baseline, smoothed on frame time,
// and the hold rule that decides a crack.
import type { Emotion, Face } from '../types.js';

/** Sum of the target emotions' probabilities, clamped to [0, 1]. */
export function targetScore(face: Face, targets: readonly Emotion[]): number {
  let s = 0;
  for (let i = 0; i < targets.length; i++) {
    const p = face.emotions[targets[i] as Emotion];
    if (p !== undefined && p > 0) s += p;
  }
  return s > 1 ? 1 : s;
}

/**
 * Score above the baseline, clamped at 0. With rescale the remainder is divided by
 * (1 - baseline): a resting smile of 0.3 must not make a 0.8 threshold unreachable.
 */
export function aboveBaseline(raw: number, baseline: number, rescale: boolean): number {
  const v = raw - baseline;
  if (!(v > 0)) return 0;
  if (!rescale || baseline <= 0) return v;
  const r = v / (1 - baseline);
  return r > 1 ? 1 : r;
}

/** Mean target score of the player while at rest (the countdown). */
export class Baseline {
  private sum = 0;
  private n = 0;
  reset(): void {
    this.sum = 0;
    this.n = 0;
  }
  add(raw: number): void {
    this.sum += raw;
    this.n++;
  }
  get samples(): number {
    return this.n;
  }
  value(max: number): number {
    if (this.n === 0) return 0;
    const m = this.sum / this.n;
    return m > max ? max : m;
  }
}

/**
 * EMA with alpha = 1 - exp(-dt/tau) on frame timestamps (so 10 and 30 fps agree), and
 * the hold rule: cracked at the first frame whose smoothed score has been at or over
 * the threshold, frame after frame, for at least holdMs of frame time. A frame under
 * the threshold resets the hold.
 */
export class HoldRule {
  smoothed = 0;
  /** ts of the first frame of the current run at or over threshold; NaN when none */
  overSince = Number.NaN;
  heldMs = 0;
  peak = 0;
  lastTs = Number.NaN;

  constructor(
    public threshold: number,
    public holdMs: number,
    public tauMs: number,
  ) {}

  configure(threshold: number, holdMs: number, tauMs: number): void {
    this.threshold = threshold;
    this.holdMs = holdMs;
    this.tauMs = tauMs;
  }

  /** Start a round (or resume after a pause) at ts: the score rests at 0, no hold. */
  reset(ts: number, keepPeak = false): void {
    this.smoothed = 0;
    this.overSince = Number.NaN;
    this.heldMs = 0;
    if (!keepPeak) this.peak = 0;
    this.lastTs = ts;
  }

  /** Frame ts at or before the previous one are ignored (false). True when cracked at this frame. */
  update(ts: number, value: number): boolean {
    const dt = ts - this.lastTs;
    if (!(dt > 0)) return false;
    this.lastTs = ts;
    if (this.tauMs > 0) this.smoothed += (1 - Math.exp(-dt / this.tauMs)) * (value - this.smoothed);
    else this.smoothed = value;
    if (this.smoothed > this.peak) this.peak = this.smoothed;
    if (this.smoothed >= this.threshold) {
      if (Number.isNaN(this.overSince)) this.overSince = ts;
      this.heldMs = ts - this.overSince;
      return this.heldMs >= this.holdMs;
    }
    this.overSince = Number.NaN;
    this.heldMs = 0;
    return false;
  }
}
