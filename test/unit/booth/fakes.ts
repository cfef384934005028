// Fakes for the booth runner's tests: timers on a ManualClock, a scripted detector,
// a media picker. The frame source, player and buttons are the other modules' own fakes.
import { ManualClock } from '../../../src/clock.js';
import type { Detector, DetectorInfo, Face, Frame, InferStats } from '../../../src/types.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  every: number;
}

/** setTimeout/setInterval that fire only when the test advances the clock through them. */
export class TestTimers {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  constructor(readonly clock: ManualClock) {}

  setTimeout = (fn: () => void, ms: number): NodeJS.Timeout => this.add(fn, ms, 0);
  setInterval = (fn: () => void, ms: number): NodeJS.Timeout => this.add(fn, ms, Math.max(1, ms));
  clearTimeout = (h: unknown): void => void this.pending.delete(h as number);
  clearInterval = (h: unknown): void => void this.pending.delete(h as number);

  get size(): number {
    return this.pending.size;
  }

  /** Move the clock forward by ms, firing due timers in order (microtasks drained between). */
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      let next: [number, Pending] | null = null;
      for (const e of this.pending) if (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq)) next = e;
      if (!next || next[1].at > end) break;
      const [id, p] = next;
      this.clock.advance(p.at - this.clock.now());
      if (p.every > 0) p.at += p.every;
      else this.pending.delete(id);
      p.fn();
      await settle();
    }
    this.clock.advance(end - this.clock.now());
    await settle();
  }

  private add(fn: () => void, ms: number, every: number): NodeJS.Timeout {
    const id = ++this.seq;
    this.pending.set(id, { at: this.clock.now() + Math.max(0, ms), seq: id, fn, every });
    return id as unknown as NodeJS.Timeout;
  }
}

/** Let promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** A detector whose answers a test scripts; `gate` holds answers until release(). */
export class ScriptedDetector implements Detector {
  faces: Face[] = [];
  gate = false;
  failWith: Error | null = null;
  readonly seen: number[] = [];
  /** the focus box handed in with each frame (copied), null when none */
  readonly focus: Array<[number, number, number, number] | null> = [];
  private held: Array<() => void> = [];
  private answered = 0;

  detect(f: Frame, focus: readonly [number, number, number, number] | null = null): Promise<Face[]> {
    this.seen.push(f.seq);
    this.focus.push(focus ? [focus[0], focus[1], focus[2], focus[3]] : null);
    if (this.failWith) return Promise.reject(this.failWith);
    const faces = this.faces;
    if (!this.gate) {
      this.answered++;
      return Promise.resolve(faces);
    }
    return new Promise((resolve) => this.held.push(() => resolve(faces)));
  }
  release(): void {
    const h = this.held;
    this.held = [];
    for (const r of h) {
      this.answered++;
      r();
    }
  }
  info(): DetectorInfo {
    return { kind: 'two-stage', provider: 'fake', fallbacks: [], models: [] };
  }
  stats(): InferStats {
    return { provider: 'fake', frames: this.answered, msP50: 0, msP95: 0, workerRestarts: 0, timeouts: 0, lastAnswerAgeMs: 0, healthy: true };
  }
  async close(): Promise<void> {}
}

export interface TestMedia {
  picks: Array<[string, number]>;
  empty: boolean;
  pick(mode: string, level: number): string | null;
  attract(): string | null;
}

export function makeMedia(): TestMedia {
  return {
    picks: [],
    empty: false,
    pick(mode, level) {
      this.picks.push([mode, level]);
      return this.empty ? null : `/media/${mode}/${level}/clip.mp4`;
    },
    attract() {
      return '/media/attract/loop.mp4';
    },
  };
}

export function face(cx: number, cy: number, s: number, happy: number): Face {
  return { box: [cx - s / 2, cy - s / 2, s, s], score: 0.9, emotions: { happy, neutral: 1 - happy } };
}
