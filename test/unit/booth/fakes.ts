// Fakes for the booth runner's tests: a scripted detector, a media picker (timers are
// test/test-timers.ts). The frame source, player and buttons are the other modules' own fakes.
import type { Detector, DetectorInfo, Face, Frame, InferStats } from '../../../src/types.js';

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
