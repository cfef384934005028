// Fakes for the services the staff interfaces read (tests only). Named unlike src/'s own
// fakes (src/capture/fake.ts FakeFrameSource, src/player/fake.ts FakePlayer): these only answer stats.
import type {
  BoothControl,
  ButtonName,
  CaptureStats,
  CommandResult,
  Face,
  Frame,
  FrameSource,
  GameEvent,
  GameState,
  InferStats,
  Off,
  PlayerStats,
  ResultTotals,
  RoundResult,
  ScoreSample,
} from '../../../src/types.js';

type Listener<T> = (v: T) => void;

class Hub<T> {
  private readonly cbs = new Set<Listener<T>>();
  on(cb: Listener<T>): Off {
    this.cbs.add(cb);
    return () => void this.cbs.delete(cb);
  }
  emit(v: T): void {
    for (const cb of this.cbs) cb(v);
  }
  get size(): number {
    return this.cbs.size;
  }
}

export class FakeBooth implements BoothControl {
  current: GameState = { phase: 'attract', mode: null, level: null, clip: null, since: 0 };
  score: ScoreSample | null = null;
  faces: { ts: number; width: number; height: number; faces: Face[] } | null = null;
  readonly calls: string[] = [];
  nextResult: CommandResult = { ok: true };
  readonly states = new Hub<GameState>();
  readonly events = new Hub<GameEvent>();
  readonly scores = new Hub<ScoreSample>();
  readonly results = new Hub<RoundResult>();
  private seq = 0;

  state(): GameState {
    return this.current;
  }
  lastScore(): ScoreSample | null {
    return this.score;
  }
  lastFaces(): { ts: number; width: number; height: number; faces: Face[] } | null {
    return this.faces;
  }
  onState(cb: (s: GameState) => void): Off {
    return this.states.on(cb);
  }
  onEvent(cb: (e: GameEvent) => void): Off {
    return this.events.on(cb);
  }
  onScore(cb: (s: ScoreSample) => void): Off {
    return this.scores.on(cb);
  }
  onResult(cb: (r: RoundResult) => void): Off {
    return this.results.on(cb);
  }
  press(name: ButtonName): CommandResult {
    this.calls.push(`press ${name}`);
    return this.nextResult;
  }
  start(opts?: { mode?: string; level?: number }): CommandResult {
    this.calls.push(`start ${JSON.stringify(opts ?? {})}`);
    return this.nextResult;
  }
  stop(): CommandResult {
    this.calls.push('stop');
    return this.nextResult;
  }

  setState(s: Partial<GameState>, ts = performance.now()): void {
    this.current = { ...this.current, since: ts, ...s };
    this.states.emit(this.current);
  }
  emitScore(value: number, ts = performance.now(), threshold = 0.7): ScoreSample {
    this.score = { ts, target: 'happy', value, smoothed: value, threshold, holdMs: 700, heldMs: value >= threshold ? 100 : 0, faces: 1 };
    this.scores.emit(this.score);
    return this.score;
  }
  emitEvent(type: GameEvent['type'] = 'round_start', extra: Partial<GameEvent> = {}): GameEvent {
    const e: GameEvent = {
      id: `ev-${++this.seq}`,
      type,
      ts: performance.now(),
      mode: 'funny',
      level: 1,
      clip: 'funny/1/a.mp4',
      peak: null,
      durationMs: null,
      outcome: null,
      ...extra,
    };
    this.events.emit(e);
    return e;
  }
}

export class StubFrameSource implements FrameSource {
  private cb: ((f: Frame) => void) | null = null;
  st: CaptureStats = { state: 'running', frames: 10, fps: 29.7, dropped: 3, reconnects: 1, stalls: 0, lastFrameAgeMs: 12 };
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  onFrame(cb: (f: Frame) => void): void {
    this.cb = cb;
  }
  stats(): CaptureStats {
    return this.st;
  }
  /** a grey bgr24 frame; data reused between calls, like a real source */
  private readonly buf = new Uint8Array(64 * 48 * 3).fill(128);
  emitFrame(seq = 1): void {
    this.cb?.({ seq, ts: performance.now(), width: 64, height: 48, format: 'bgr24', data: this.buf });
  }
}

export class FakeDetector {
  st: InferStats = { provider: 'cpu', frames: 100, msP50: 12.34, msP95: 20.5, workerRestarts: 0, timeouts: 0, lastAnswerAgeMs: 10, healthy: true };
  private readonly timing = new Hub<number>();
  async detect(): Promise<Face[]> {
    return [];
  }
  info(): { kind: 'two-stage'; provider: string; fallbacks: []; models: [] } {
    return { kind: 'two-stage', provider: this.st.provider, fallbacks: [], models: [] };
  }
  stats(): InferStats {
    return this.st;
  }
  async close(): Promise<void> {}
  onInference(cb: (ms: number) => void): Off {
    return this.timing.on(cb);
  }
  emitTiming(ms: number): void {
    this.timing.emit(ms);
  }
}

export class StubPlayer {
  st: PlayerStats = { healthy: true, restarts: 0, current: null };
  stats(): PlayerStats {
    return this.st;
  }
}

export class FakeResults {
  readonly rows: RoundResult[] = [];
  append(r: RoundResult): void {
    this.rows.unshift(r);
  }
  recent(limit: number): RoundResult[] {
    return this.rows.slice(0, limit);
  }
  totals(): ResultTotals[] {
    return [{ day: '2026-11-27', mode: 'funny', level: 1, rounds: this.rows.length, cracked: this.rows.filter((r) => r.outcome === 'cracked').length, survived: 0, aborted: 0 }];
  }
}
