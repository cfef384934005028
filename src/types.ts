// Shared contracts between modules (DESIGN.md "Contracts"). Plain data and small
// interfaces only: modules depend on these, never on each other's files.

/** Monotonic milliseconds (performance.now() scale) unless a field says otherwise. */
export type MonoMs = number;

export interface Clock {
  /** Monotonic ms, for durations and frame timestamps. */
  now(): MonoMs;
  /** Wall-clock epoch ms, for records people read. */
  wall(): number;
}

// ---------------------------------------------------------------- capture

export type PixelFormat = 'bgr24' | 'rgb24' | 'gray8';

export interface Frame {
  seq: number;
  /** ms, monotonic, stamped at capture */
  ts: MonoMs;
  width: number;
  height: number;
  format: PixelFormat;
  /** width*height*channels bytes, row-major, no padding. May be reused by the source after the callback returns. */
  data: Uint8Array;
}

export type SourceState = 'idle' | 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface CaptureStats {
  state: SourceState;
  frames: number;
  fps: number;
  dropped: number;
  reconnects: number;
  stalls: number;
  /** ms since the last frame, or null before the first one */
  lastFrameAgeMs: number | null;
  lastError?: { code: string; message: string } | undefined;
}

export interface FrameSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  onFrame(cb: (f: Frame) => void): void;
  stats(): CaptureStats;
}

// ---------------------------------------------------------------- inference

export const EMOTIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export interface Face {
  /** frame pixels: x, y, width, height */
  box: [x: number, y: number, w: number, h: number];
  score: number;
  emotions: Partial<Record<Emotion, number>>;
  /** optional landmarks in frame pixels (BlazeFace: right eye, left eye, nose, mouth, right ear, left ear) */
  keypoints?: Array<[number, number]>;
  /** head pose estimated from the keypoints (degrees), where the detector gives them */
  pose?: HeadPose | undefined;
}

/** Degrees. yaw > 0: the nose points to the image's right; pitch > 0: looking down. */
export interface HeadPose {
  yaw: number;
  pitch: number;
}

export interface DetectorInfo {
  kind: 'two-stage' | 'yolo';
  provider: string;
  /** providers that were tried and failed before the one in use, with reasons */
  fallbacks: Array<{ provider: string; error: string }>;
  models: Array<{ file: string; sha256: string }>;
}

export interface InferStats {
  provider: string;
  frames: number;
  msP50: number;
  msP95: number;
  /** over the same recent window as p50/p95, where the detector reports it */
  msP99?: number | undefined;
  workerRestarts: number;
  timeouts: number;
  /** ms since inference last answered, or null before the first answer */
  lastAnswerAgeMs: number | null;
  healthy: boolean;
}

export interface Detector {
  /**
   * Faces in a frame. `focus` is the tracked player's box (frame pixels): the face that
   * overlaps it is classified on this frame whatever else is in view; without one, the
   * face the judge would pick as the player (src/geometry.ts).
   */
  detect(f: Frame, focus?: readonly [number, number, number, number] | null): Promise<Face[]>;
  info(): DetectorInfo;
  stats(): InferStats;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- controls

export const BUTTONS = ['funny', 'scary', 'level1', 'level2', 'level3', 'start'] as const;
export type ButtonName = (typeof BUTTONS)[number];

export interface ButtonEvent {
  name: ButtonName;
  kind: 'press' | 'hold';
  /** monotonic ms of the (first, debounced) edge */
  ts: MonoMs;
  source: 'gpio' | 'keyboard' | 'virtual';
}

export type LightMode = 'off' | 'on' | 'blink';

export interface ControlsHealth {
  healthy: boolean;
  backends: Array<{ name: string; state: 'ok' | 'degraded' | 'failed'; error?: string | undefined }>;
}

export interface ButtonSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  onButton(cb: (e: ButtonEvent) => void): void;
  setLights(lights: Partial<Record<ButtonName, LightMode>>): void;
  health(): ControlsHealth;
}

// ---------------------------------------------------------------- player

export type PlayerEvent =
  | { type: 'started'; clip: string; ts: MonoMs }
  | { type: 'ended'; clip: string; ts: MonoMs }
  | { type: 'failed'; clip: string; ts: MonoMs; reason: string }
  | { type: 'restarted'; ts: MonoMs; restarts: number; reason: string };

export interface PlayerStats {
  healthy: boolean;
  restarts: number;
  current: string | null;
}

export interface Player {
  start(): Promise<void>;
  stop(): Promise<void>;
  play(clip: string): Promise<void>;
  playAttract(clip: string): Promise<void>;
  stopClip(): Promise<void>;
  showText(text: string, ms: number): Promise<void>;
  setVolume(volume: number): Promise<void>;
  onEvent(cb: (e: PlayerEvent) => void): void;
  stats(): PlayerStats;
}

// ---------------------------------------------------------------- game

export type Phase = 'attract' | 'select' | 'countdown' | 'playing' | 'result';
export type Outcome = 'cracked' | 'survived' | 'aborted';

export interface ScoreSample {
  ts: MonoMs;
  target: string;
  /** raw target score minus baseline, clamped at 0 */
  value: number;
  smoothed: number;
  threshold: number;
  holdMs: number;
  heldMs: number;
  faces: number;
}

export type GameEventType = 'round_start' | 'cracked' | 'survived' | 'aborted' | 'phase';

export interface GameEvent {
  id: string;
  type: GameEventType;
  ts: MonoMs;
  mode: string | null;
  level: number | null;
  clip: string | null;
  peak: number | null;
  durationMs: number | null;
  outcome: Outcome | null;
  /** for type 'phase': the new phase; for 'aborted': why */
  phase?: Phase | undefined;
  reason?: string | undefined;
}

export interface GameState {
  phase: Phase;
  mode: string | null;
  level: number | null;
  clip: string | null;
  /** monotonic ms the phase began */
  since: MonoMs;
}

/** A round's result record: what the results log stores and MQTT publishes. */
export interface RoundResult {
  id: string;
  /** wall-clock epoch ms of the round end */
  endedAt: number;
  mode: string;
  level: number;
  clip: string | null;
  outcome: Outcome;
  peak: number;
  durationMs: number;
  reason?: string | undefined;
}

// ---------------------------------------------------------------- lifecycle

export interface ModuleHealth {
  name: string;
  healthy: boolean;
  reasons: string[];
}

/** Anything the daemon starts and stops. Constructors only assign; start/stop do the work. */
export interface Lifecycle {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health?(): ModuleHealth;
}

// ---------------------------------------------------------------- services between modules

/** Unsubscribe from a listener. */
export type Off = () => void;

export type CommandResult = { ok: true } | { ok: false; code: string; message: string };

/** Virtual presses (REST, MQTT, HIL scripts) take the same path as a real button. */
export interface VirtualButtons {
  pressVirtual(name: ButtonName, kind?: 'press' | 'hold'): void;
}

/** The running game as staff interfaces see it (services.booth). */
export interface BoothControl {
  state(): GameState;
  lastScore(): ScoreSample | null;
  lastFaces(): { ts: MonoMs; width: number; height: number; faces: Face[] } | null;
  onState(cb: (s: GameState) => void): Off;
  onEvent(cb: (e: GameEvent) => void): Off;
  onScore(cb: (s: ScoreSample) => void): Off;
  onResult(cb: (r: RoundResult) => void): Off;
  /** a virtual button press through the controls path */
  press(name: ButtonName): CommandResult;
  /** staff start: from any phase, optionally choosing mode and level */
  start(opts?: { mode?: string; level?: number }): CommandResult;
  /** staff stop: back to attract from any phase (a running round is aborted) */
  stop(): CommandResult;
}

export interface ResultTotals {
  day: string; // YYYY-MM-DD, local time
  mode: string;
  level: number;
  rounds: number;
  cracked: number;
  survived: number;
  aborted: number;
}

/** The results log (services.results). */
export interface ResultsStore {
  append(r: RoundResult): void;
  recent(limit: number): RoundResult[];
  totals(opts?: { sinceDays?: number }): ResultTotals[];
}

/**
 * What the player sees over the clips besides the clips (services.screen): the HUD,
 * the attract screen, the crack cam. The booth runner feeds it what the game does;
 * every method returns at once (drawing happens on the screen's own clock).
 */
export interface BoothScreen {
  state(s: GameState): void;
  score(s: ScoreSample): void;
  result(r: RoundResult): void;
  /** the game's on-screen text; false: this screen draws no text (the player shows it) */
  text(text: string, ms: number): boolean;
  /** the player turned away from the screen (true) or back (false) */
  attention(away: boolean, ms: number): void;
  /** whether face() is wanted (the crack cam is on): the runner then keeps each frame until it is judged */
  readonly wantsFace: boolean;
  /** the deciding frame of a crack and the player's face box in it: shown for ms, then discarded; frame is only valid during the call */
  face(frame: Frame, box: readonly [number, number, number, number], ms: number): void;
}
