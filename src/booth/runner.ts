// The booth runner: connects the pure judge to the camera, the detector, the player,
// the buttons and the results log, and offers BoothControl to the staff interfaces.
//
// Frames go to the detector "latest wins" through a LatestSlot: at most one detect() in
// flight; a frame arriving meanwhile waits, and a newer one replaces it and counts as
// dropped. Nothing queues.
//
// The one copy of a camera frame: the source's buffer is only valid during its callback
// (the capture backend refills it with the next frame), so each frame is copied once, in
// the callback, into a slot buffer in shared memory. The detector posts that buffer to
// its worker as it is (a lent frame, see infer/detector.ts), so the pixels are not copied
// again; the slot keeps the buffer untouched until the answer has been judged, which is
// also what lets the crack cam show the deciding frame. Three buffers at most exist (one
// being filled, one waiting, one in the worker), made once and reused.
//
// The dropped-frames figure (stats().dropped, reported by MQTT stats, /api/metrics and the
// console as the camera's `dropped`) is counted here, where camera frames meet inference:
// frames the camera completed but inference never took, because a newer one replaced them
// first, either in the camera's own hand-off (seen here as gaps in the frames' seq) or in
// this slot.
import { PokerfaceError, isPokerfaceError } from '../errors.js';
import { LatestSlot } from '../latest-slot.js';
import { Judge } from '../judge/judge.js';
import { judgeRules } from '../judge/rules.js';
import type { Effect, JudgeSink } from '../judge/types.js';
import type { Logger } from '../log.js';
import type { FrozenConfig } from '../config/schema.js';
import { BUTTONS } from '../types.js';
import { systemTimers, type IntervalTimers } from '../timers.js';
import { Listeners } from '../listeners.js';
import { copyInto, sharedBytes } from '../shared-bytes.js';
import type {
  BoothControl,
  BoothScreen,
  ButtonEvent,
  ButtonName,
  ButtonSource,
  Clock,
  CommandResult,
  Detector,
  Face,
  Frame,
  FrameSource,
  GameEvent,
  GameState,
  Lifecycle,
  ModuleHealth,
  MonoMs,
  Player,
  PlayerEvent,
  ResultsStore,
  RoundResult,
  ScoreSample,
  VirtualButtons,
} from '../types.js';

/** The part of the media library (services.media) the booth uses. */
export interface MediaPicker {
  /** a random clip of media/<mode or folder>/<level>/, or null when there is none */
  pick(mode: string, level: number): string | null;
  /** the idle loop clip, or null */
  attract(): string | null;
  /** the probed length of a clip it offered; a clip that ends well before it is a failed clip */
  durationMs?(clip: string): number | undefined;
}


export interface BoothDeps {
  config: Pick<FrozenConfig, 'game' | 'camera'>;
  log: Logger;
  clock: Clock;
  frameSource?: FrameSource | undefined;
  detector?: Detector | undefined;
  player?: Player | undefined;
  media?: MediaPicker | undefined;
  buttons?: (ButtonSource & VirtualButtons) | undefined;
  results?: ResultsStore | undefined;
  /** the HUD and crack cam (services.screen); absent: the player's own on-screen text */
  screen?: BoothScreen | undefined;
  timers?: IntervalTimers;
  /** how often timeouts are checked (ms); default 50 */
  tickMs?: number;
  /** event and round id prefix; default: start time in base 36 */
  idPrefix?: string;
}

export interface BoothStats {
  /** frames handed to us by the source */
  frames: number;
  /** frames the detector answered */
  detected: number;
  /**
   * camera frames inference never took because a newer one replaced them first (in the
   * camera's hand-off, or in the booth's waiting slot): the one dropped-frames figure
   */
  dropped: number;
  detectErrors: number;
  /** times the judge was told the camera (or inference) went away */
  cameraLost: number;
  cameraDown: boolean;
}

/** A slot buffer (shared memory, lent to the detector) and the frame in it. */
interface Held {
  frame: Frame;
  buf: Buffer;
}

const NO_PIXELS = Buffer.alloc(0);

function newHeld(): Held {
  return { buf: NO_PIXELS, frame: { seq: 0, ts: 0, width: 0, height: 0, format: 'bgr24', data: NO_PIXELS } };
}

const REQUIRED = ['frameSource', 'detector', 'player', 'media', 'buttons'] as const;

export class BoothRunner implements Lifecycle {
  readonly name = 'booth';
  /** services.booth: what the staff interfaces use (start/stop here are staff commands), plus stats and health */
  readonly control: BoothControl & { stats(): BoothStats; health(): ModuleHealth; reloadGame(config: FrozenConfig): CommandResult };

  private judge: Judge | null = null;
  private running = false;
  private rulesGeneration = 0;
  private subscribed = false;
  private timer: unknown = null;

  private readonly stateCbs: Listeners<GameState>;
  private readonly eventCbs: Listeners<GameEvent>;
  private readonly scoreCbs: Listeners<ScoreSample>;
  private readonly resultCbs: Listeners<RoundResult>;

  private score: ScoreSample | null = null;
  private faces: { ts: MonoMs; width: number; height: number; faces: Face[] } | null = null;

  // latest-wins hand-off to the detector: at most one frame waits, one is in flight
  private readonly slot = new LatestSlot<Held>(newHeld);
  /** seq of the last camera frame seen; gaps are frames dropped before they got here */
  private lastSeq: number | null = null;
  /** camera frames that never reached us (seq gaps) */
  private gaps = 0;

  // camera/inference watchdog
  private lastFrameAt: MonoMs = 0;
  private lastAnswerAt: MonoMs = 0;
  private reconnects = 0;
  private cameraDown = false;

  /** the frame whose faces the judge is handling now (crack cam), else null */
  private judging: Frame | null = null;

  /** the clip the booth asked the player for this round (to tell it from the attract loop) */
  private roundClip: string | null = null;

  private readonly counters: Omit<BoothStats, 'cameraDown' | 'dropped'> = { frames: 0, detected: 0, detectErrors: 0, cameraLost: 0 };

  constructor(private readonly deps: BoothDeps) {
    this.stateCbs = new Listeners(deps.log, 'booth');
    this.eventCbs = new Listeners(deps.log, 'booth');
    this.scoreCbs = new Listeners(deps.log, 'booth');
    this.resultCbs = new Listeners(deps.log, 'booth');
    this.control = {
      state: () => this.state(),
      lastScore: () => this.score,
      lastFaces: () => this.faces,
      onState: (cb) => this.stateCbs.add(cb),
      onEvent: (cb) => this.eventCbs.add(cb),
      onScore: (cb) => this.scoreCbs.add(cb),
      onResult: (cb) => this.resultCbs.add(cb),
      press: (name) => this.press(name),
      start: (opts) => this.staffStart(opts),
      stop: () => this.staffStop(),
      stats: () => this.stats(),
      health: () => this.health(),
      reloadGame: (config) => this.reloadGame(config),
    };
  }

  /**
   * New game rules from a re-read config (request/reload), taken between rounds only: a
   * fresh judge in attract, its event ids under a new prefix so none repeats.
   */
  reloadGame(config: FrozenConfig): CommandResult {
    const judge = this.judge;
    if (!judge || !this.running) return { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'the booth is not running' };
    const phase = judge.state().phase;
    if (phase !== 'attract') return { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: `the booth is in ${phase}; reload the game between rounds` };
    const { deps } = this;
    this.judge = new Judge(judgeRules(config), this.sink, {
      idPrefix: `${deps.idPrefix ?? Math.round(deps.clock.wall()).toString(36)}g${++this.rulesGeneration}`,
      wallOffsetMs: deps.clock.wall() - deps.clock.now(),
    });
    this.judge.start(deps.clock.now());
    deps.log.info({ levels: config.game.levels.length }, 'game rules reloaded');
    return { ok: true };
  }

  // ------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    if (this.running) return;
    const { deps } = this;
    const now = deps.clock.now();
    const missing = this.missing();
    if (missing.length > 0) deps.log.error({ missing }, `booth cannot play: missing ${missing.join(', ')}`);
    this.judge = new Judge(judgeRules(deps.config), this.sink, {
      idPrefix: deps.idPrefix ?? Math.round(deps.clock.wall()).toString(36),
      wallOffsetMs: deps.clock.wall() - now,
    });
    this.lastFrameAt = now;
    this.lastAnswerAt = now;
    this.reconnects = deps.frameSource?.stats().reconnects ?? 0;
    this.cameraDown = false;
    // frames while stopped are not drops; a frame still in flight from before releases its slot when answered
    this.lastSeq = null;
    this.slot.clear();
    this.running = true;
    if (!this.subscribed) {
      // the sources have no unsubscribe: subscribe once, and ignore them while stopped
      this.subscribed = true;
      deps.frameSource?.onFrame((f) => this.onFrame(f));
      deps.player?.onEvent((e) => this.onPlayerEvent(e));
      deps.buttons?.onButton((e) => this.onButton(e));
    }
    this.judge.start(now);
    const timers = deps.timers ?? systemTimers;
    this.timer = timers.setInterval(() => this.tick(), deps.tickMs ?? 50);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) (this.deps.timers ?? systemTimers).clearInterval(this.timer);
    this.timer = null;
    this.slot.clear();
    const off: Partial<Record<ButtonName, 'off'>> = {};
    for (const b of BUTTONS) off[b] = 'off';
    this.safely('lights off', () => this.deps.buttons?.setLights(off));
  }

  health(): ModuleHealth {
    const reasons: string[] = [];
    for (const m of this.missing()) reasons.push(`service ${m} is missing`);
    if (!this.running) reasons.push('booth is not running');
    const { frameSource, detector, player } = this.deps;
    const cam = frameSource?.stats();
    if (cam?.state === 'failed') reasons.push(`camera failed${cam.lastError ? `: ${cam.lastError.message}` : ''}`);
    if (detector && !detector.stats().healthy) reasons.push('detector unhealthy');
    if (player && !player.stats().healthy) reasons.push('player unhealthy');
    if (this.cameraDown) reasons.push('no faces from the camera and detector lately');
    return { name: this.name, healthy: reasons.length === 0, reasons };
  }

  stats(): BoothStats {
    return { ...this.counters, dropped: this.gaps + this.slot.dropped, cameraDown: this.cameraDown };
  }

  // ------------------------------------------------------------------ staff control (services.booth)

  state(): GameState {
    return this.judge?.state() ?? { phase: 'attract', mode: null, level: null, clip: null, since: 0 };
  }

  press(name: ButtonName): CommandResult {
    if (!(BUTTONS as readonly string[]).includes(name)) return fail('POKERFACE_ERR_UNKNOWN_BUTTON', `${String(name)} (known: ${BUTTONS.join(', ')})`);
    const buttons = this.deps.buttons;
    if (!this.running || !buttons) return fail('POKERFACE_ERR_BOOTH_NOT_READY', buttons ? 'booth is not running' : 'no buttons service');
    try {
      // the same path as a real button: the event comes back through onButton
      buttons.pressVirtual(name, 'press');
      return { ok: true };
    } catch (e) {
      return failFrom(e);
    }
  }

  staffStart(opts: { mode?: string; level?: number } = {}): CommandResult {
    const judge = this.judge;
    if (!this.running || !judge) return fail('POKERFACE_ERR_BOOTH_NOT_READY', 'booth is not running');
    return judge.staffStart(this.deps.clock.now(), opts);
  }

  staffStop(): CommandResult {
    const judge = this.judge;
    if (!this.running || !judge) return fail('POKERFACE_ERR_BOOTH_NOT_READY', 'booth is not running');
    return judge.staffStop(this.deps.clock.now());
  }

  // ------------------------------------------------------------------ inputs

  private onButton(e: ButtonEvent): void {
    if (!this.running) return;
    this.safely('button', () => this.judge?.button(e));
  }

  private onFrame(f: Frame): void {
    if (!this.running) return;
    this.counters.frames++;
    this.lastFrameAt = this.deps.clock.now();
    // a seq that goes back is a restarted source: a new count, no gap
    if (this.lastSeq !== null && f.seq > this.lastSeq + 1) this.gaps += f.seq - this.lastSeq - 1;
    this.lastSeq = f.seq;
    if (!this.deps.detector) return;
    this.keep(f);
    // a frame still waiting is replaced (the slot counts it)
    this.slot.publish();
    if (!this.slot.taken) this.detectNext();
  }

  /** Copy a frame into the slot's free buffer (the source reuses its own after this call). */
  private keep(f: Frame): void {
    const held = this.slot.claim();
    const n = f.data.byteLength;
    // shared memory, so the detector can hand it to its worker without a second copy
    if (held.buf.byteLength < n) held.buf = sharedBytes(n);
    if (n > 0) copyInto(held.buf, f.data, n);
    const fr = held.frame;
    fr.seq = f.seq;
    fr.ts = f.ts;
    fr.width = f.width;
    fr.height = f.height;
    fr.format = f.format;
    if (fr.data.buffer !== held.buf.buffer || fr.data.byteLength !== n) fr.data = held.buf.byteLength === n ? held.buf : held.buf.subarray(0, n);
  }

  /** Hand the waiting frame to the detector; its slot buffer stays untouched until the answer is judged. */
  private detectNext(): void {
    const detector = this.deps.detector;
    const held = this.slot.take();
    if (!detector || !held) return;
    const f = held.frame;
    const { ts, width, height } = f;
    let p: Promise<Face[]>;
    try {
      // the judge's tracked player is classified on every frame, whoever else is in view
      p = detector.detect(f, this.judge?.playerBox() ?? null);
    } catch (e) {
      p = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    p.then(
      (faces) => this.onFaces(ts, width, height, faces, this.deps.screen?.wantsFace ? f : null),
      (e: unknown) => this.onDetectError(e),
    ).finally(() => {
      this.slot.release();
      if (this.running) this.detectNext();
    }).catch((e: unknown) => this.deps.log.error({ err: e }, 'booth frame hand-off failed'));
  }

  private onFaces(ts: MonoMs, width: number, height: number, faces: Face[], frame: Frame | null = null): void {
    if (!this.running) return;
    this.counters.detected++;
    this.lastAnswerAt = this.deps.clock.now();
    this.faces = { ts, width, height, faces };
    if (this.cameraDown) {
      const st = this.deps.frameSource?.stats().state;
      if (st === undefined || st === 'running') {
        this.cameraDown = false;
        this.safely('camera back', () => this.judge?.cameraBack(ts));
      }
    }
    this.judging = frame;
    try {
      this.safely('faces', () => this.judge?.faces(ts, faces, width, height));
    } finally {
      this.judging = null;
    }
  }

  private onDetectError(e: unknown): void {
    if (isPokerfaceError(e, 'POKERFACE_ERR_INFER_DROPPED')) return;
    const n = ++this.counters.detectErrors;
    // a failing detector fails every frame: log the first few, then every 100th
    if (n <= 3 || n % 100 === 0) this.deps.log.warn({ err: e, count: n }, 'face detection failed');
  }

  private onPlayerEvent(e: PlayerEvent): void {
    if (!this.running) return;
    const judge = this.judge;
    if (!judge) return;
    this.safely(`player ${e.type}`, () => {
      switch (e.type) {
        case 'started':
          // the probed length goes in as data: the judge tells an early end from a win by it
          if (e.clip === this.roundClip) judge.clipStarted(e.clip, e.ts, this.deps.media?.durationMs?.(e.clip));
          break;
        case 'ended':
          if (e.clip === this.roundClip) judge.clipEnded(e.clip, e.ts);
          break;
        case 'failed':
          if (e.clip === this.roundClip) judge.clipFailed(e.clip, e.ts, e.reason);
          else this.deps.log.warn({ clip: e.clip, reason: e.reason }, 'clip failed to play');
          break;
        case 'restarted':
          this.deps.log.warn({ reason: e.reason, restarts: e.restarts }, 'player restarted');
          judge.playerRestarted(e.ts, e.reason);
          break;
      }
    });
  }

  private tick(): void {
    if (!this.running) return;
    const now = this.deps.clock.now();
    this.watchCamera(now);
    this.safely('tick', () => this.judge?.tick(now));
  }

  /** Stalls, capture restarts and inference that stopped answering all read as "camera lost". */
  private watchCamera(now: MonoMs): void {
    const src = this.deps.frameSource;
    if (!src || !this.deps.detector) return;
    const st = src.stats();
    const stallMs = this.deps.config.camera.stallMs;
    let reason: string | null = null;
    if (st.reconnects > this.reconnects) reason = `capture restarted (${st.reconnects} restarts)`;
    else if (st.state === 'restarting' || st.state === 'failed') reason = `capture ${st.state}`;
    else if (now - this.lastFrameAt > stallMs) reason = `no camera frame for ${Math.round(now - this.lastFrameAt)} ms`;
    else if (now - this.lastAnswerAt > stallMs) reason = `no detector answer for ${Math.round(now - this.lastAnswerAt)} ms`;
    this.reconnects = st.reconnects;
    if (reason && !this.cameraDown) {
      this.cameraDown = true;
      this.counters.cameraLost++;
      this.deps.log.warn({ reason }, 'camera lost');
      this.safely('camera lost', () => this.judge?.cameraLost(now, reason));
    }
  }

  // ------------------------------------------------------------------ outputs

  private readonly sink: JudgeSink = {
    state: (s) => {
      this.safely('screen state', () => this.deps.screen?.state(s));
      this.stateCbs.emit(s);
    },
    event: (e) => {
      this.deps.log.info({ event: e.type, phase: e.phase, mode: e.mode, level: e.level, clip: e.clip, outcome: e.outcome, reason: e.reason }, `game ${e.type}`);
      this.eventCbs.emit(e);
    },
    score: (s) => {
      this.score = s;
      this.safely('screen score', () => this.deps.screen?.score(s));
      this.scoreCbs.emit(s);
    },
    result: (r) => {
      const rec: RoundResult = { ...r, endedAt: this.deps.clock.wall() };
      this.safely('results log', () => this.deps.results?.append(rec));
      this.safely('screen result', () => this.deps.screen?.result(rec));
      this.resultCbs.emit(rec);
    },
    effect: (e) => this.effect(e),
  };

  private effect(e: Effect): void {
    const { player, media, buttons, log } = this.deps;
    switch (e.type) {
      case 'playAttract': {
        this.roundClip = null;
        const clip = media?.attract() ?? null;
        if (!player) return;
        if (clip) this.later('play attract', player.playAttract(clip));
        else this.later('stop clip', player.stopClip());
        return;
      }
      case 'playClip': {
        const clip = media?.pick(e.media, e.level) ?? null;
        this.roundClip = clip;
        const now = this.deps.clock.now();
        if (!clip || !player) {
          const why = !player ? 'no player' : !media ? 'no media library' : `no clip in ${e.media}/${e.level}`;
          log.error({ mode: e.mode, level: e.level }, `cannot play a round clip: ${why}`);
          this.judge?.clipFailed(clip ?? '', now, why);
          return;
        }
        player.play(clip).catch((err: unknown) => {
          // the player usually reports a failed event too; the judge ignores the second
          log.warn({ clip, err }, 'play failed');
          if (this.running && this.roundClip === clip) this.safely('clip failed', () => this.judge?.clipFailed(clip, this.deps.clock.now(), (err as Error).message));
        });
        return;
      }
      case 'stopClip':
        this.roundClip = null;
        if (player) this.later('stop clip', player.stopClip());
        return;
      case 'showText':
        if (this.deps.screen?.text(e.text, e.ms)) return;
        if (player) this.later('show text', player.showText(e.text, e.ms));
        return;
      case 'attention':
        if (this.deps.screen) this.safely('screen attention', () => this.deps.screen?.attention(e.away, e.ms));
        else if (player) this.later('show text', player.showText(e.away ? 'WATCH THE SCREEN!' : '', e.away ? Math.max(1, e.ms) : 1));
        return;
      case 'crackCam': {
        const frame = this.judging;
        const screen = this.deps.screen;
        if (screen?.wantsFace && frame && frame.ts === e.ts) this.safely('crack cam', () => screen.face(frame, e.box, this.deps.config.game.resultMs));
        return;
      }
      case 'lights':
        this.safely('lights', () => buttons?.setLights(e.lights));
        return;
    }
  }

  private missing(): string[] {
    return REQUIRED.filter((k) => this.deps[k] === undefined);
  }

  private later(what: string, p: Promise<void>): void {
    p.catch((err: unknown) => this.deps.log.warn({ err }, `${what} failed`));
  }

  /** A throw from the judge or a service must not take the frame loop down; it is a bug, logged loudly. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.deps.log.error({ err: e }, `booth: ${what} failed`);
    }
  }
}

function fail(code: 'POKERFACE_ERR_UNKNOWN_BUTTON' | 'POKERFACE_ERR_BOOTH_NOT_READY', message: string): CommandResult {
  return { ok: false, code, message: new PokerfaceError(code, message).message };
}

function failFrom(e: unknown): CommandResult {
  if (isPokerfaceError(e)) return { ok: false, code: e.code, message: e.message };
  return { ok: false, code: 'POKERFACE_ERR_BOOTH_NOT_READY', message: (e as Error).message };
}
