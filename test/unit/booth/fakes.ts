// Fakes for the booth runner's tests: a scripted detector, a media picker, and one booth
// assembled from them (timers are test/test-timers.ts). The frame source, player and
// buttons are the other modules' own fakes.
import { BoothRunner, type BoothDeps } from '../../../src/booth/runner.js';
import { FakeFrameSource } from '../../../src/capture/fake.js';
import { ManualClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import { VirtualButtonSource } from '../../../src/controls/virtual.js';
import { silentLogger } from '../../../src/log.js';
import { FakePlayer } from '../../../src/player/fake.js';
import type { ButtonName, Detector, DetectorInfo, Face, Frame, InferStats, LightMode } from '../../../src/types.js';
import { TestTimers } from '../../test-timers.js';

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

/** A booth runner wired to the fakes on a manual clock; nothing runs before start(). */
export interface TestBooth {
  clock: ManualClock;
  timers: TestTimers;
  src: FakeFrameSource;
  detector: ScriptedDetector;
  player: FakePlayer;
  buttons: VirtualButtonSource;
  media: TestMedia;
  /** every button-light change the runner asked for */
  lights: Array<Partial<Record<ButtonName, LightMode>>>;
  runner: BoothRunner;
  /** start the source, player, buttons and runner, in the daemon's order */
  start(): Promise<void>;
  /** stop them in reverse */
  stopAll(): Promise<void>;
}

/**
 * `sync: false` is the daemon's camera hand-off (frames handed on from a setImmediate);
 * `deps` adds to or replaces what the runner is given (results, screen, ...).
 */
export function makeBooth(opts: { width: number; height: number; sync: boolean; deps?: Partial<BoothDeps> }): TestBooth {
  const clock = new ManualClock(10_000);
  const timers = new TestTimers(clock);
  const src = new FakeFrameSource({ width: opts.width, height: opts.height, clock, timers, sync: opts.sync });
  const detector = new ScriptedDetector();
  const player = new FakePlayer({ clock, timers, clipMs: null, playable: () => true, startDelayMs: 5 });
  const buttons = new VirtualButtonSource(clock, silentLogger);
  const lights: TestBooth['lights'] = [];
  buttons.setLights = (l) => void lights.push(l);
  const media = makeMedia();
  const runner = new BoothRunner({ config: defaultConfig(), log: silentLogger, clock, frameSource: src, detector, player, media, buttons, timers, tickMs: 50, idPrefix: 't', ...opts.deps });
  return {
    clock,
    timers,
    src,
    detector,
    player,
    buttons,
    media,
    lights,
    runner,
    async start() {
      await src.start();
      await player.start();
      await buttons.start();
      await runner.start();
    },
    async stopAll() {
      await runner.stop();
      await buttons.stop();
      await player.stop();
      await src.stop();
    },
  };
}
