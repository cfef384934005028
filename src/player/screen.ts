// The HUD, the attract screen and the crack cam, drawn by mpv itself (osd-overlay with
// ASS text and drawings; overlay-add for the face). The booth runner tells the screen
// what happens; the screen redraws on its own clock at most player.hud.hz times a
// second, renders only when something shown changed, sends only a string that differs
// from the last one sent, and keeps at most one overlay request in flight (a slow mpv
// gets the newest frame next, never a queue).
import { performance } from 'node:perf_hooks';
import type { FrozenConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { systemTimers, type IntervalTimers, type TimerHandle } from '../timers.js';
import type { BoothScreen, Clock, Frame, GameState, MonoMs, ResultTotals, RoundResult, ScoreSample } from '../types.js';
import { cropFaceBgra } from './face-crop.js';
import { localDay, renderHud, todayFigures, type HudView } from './hud.js';

export type HudConfig = FrozenConfig['player']['hud'];

/** What the screen needs of the player (MpvPlayer). */
export interface ScreenSurface {
  /** replace the HUD overlay (null: remove it) */
  overlay(ass: string | null): Promise<void>;
  /** show a BGRA image centred in the lower half of the screen (null: remove it) */
  image(img: { bgra: Uint8Array; width: number; height: number } | null): Promise<void>;
}

export interface ScreenOptions {
  config: HudConfig;
  surface: ScreenSurface;
  log: Logger;
  clock: Clock;
  timers?: IntervalTimers;
  /** a clip's length in ms, when known (the media library's probe) */
  durationOf?: (clip: string) => number | undefined;
  /** the results log's totals of the last day (attract figures); absent: no figures */
  totals?: () => ResultTotals[];
  /** told the main-thread µs of each update sent (benchmarks) */
  onUpdate?: (us: number) => void;
}

export interface ScreenStats {
  /** redraws that rendered a HUD string (something shown had changed) */
  renders: number;
  /** overlay requests sent to mpv */
  sent: number;
  /** main-thread time spent rendering and sending, µs in all */
  busyUs: number;
}

/** Crack cam picture size (pixels, square). */
export const FACE_SIZE = 240;

export class Screen implements BoothScreen {
  readonly name = 'screen';
  private timer: TimerHandle | null = null;
  private running = false;
  private dirty = true;
  private inFlight = false;
  private lastSent: string | null = null;
  private readonly counters: ScreenStats = { renders: 0, sent: 0, busyUs: 0 };

  private phase: GameState['phase'] = 'attract';
  private mode: string | null = null;
  private level: number | null = null;
  private clip: string | null = null;
  private clipStart: MonoMs = 0;
  private clipMs: number | null = null;
  private shownSecond = -1;
  private lastScore: ScoreSample | null = null;
  private big: { text: string; until: MonoMs } | null = null;
  private sub: string | null = null;
  private away = false;
  private figures: string | null = null;
  private faceUntil: MonoMs | null = null;
  private faceBuf: Uint8Array | null = null;

  constructor(private readonly opts: ScreenOptions) {}

  get wantsFace(): boolean {
    return this.opts.config.crackCam;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.dirty = true;
    this.lastSent = null;
    this.refreshFigures();
    const timers = this.opts.timers ?? systemTimers;
    this.timer = timers.setInterval(() => this.redraw(), Math.max(1, Math.round(1000 / this.opts.config.hz)));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    (this.opts.timers ?? systemTimers).clearInterval(this.timer);
    this.timer = null;
    this.dropFace();
    await this.opts.surface.overlay(null).catch(() => undefined);
    await this.opts.surface.image(null).catch(() => undefined);
  }

  stats(): ScreenStats {
    return { ...this.counters };
  }

  /** The player restarted: its overlays are gone, so draw everything again. */
  invalidate(): void {
    this.lastSent = null;
    this.dirty = true;
  }

  // ------------------------------------------------------------------ BoothScreen

  state(s: GameState): void {
    if (s.phase !== this.phase) {
      this.big = null;
      // the result line arrives just before the result phase does
      if (s.phase !== 'result') this.sub = null;
      if (s.phase !== 'playing') this.lastScore = null;
      if (s.phase === 'attract') this.refreshFigures();
      if (this.phase === 'result') this.dropFace();
    }
    if (s.clip !== this.clip) {
      this.clip = s.clip;
      this.clipStart = this.opts.clock.now();
      this.clipMs = s.clip ? (this.opts.durationOf?.(s.clip) ?? null) : null;
      this.shownSecond = -1;
    }
    this.phase = s.phase;
    this.mode = s.mode;
    this.level = s.level;
    if (s.phase !== 'playing') this.away = false;
    this.dirty = true;
  }

  score(s: ScoreSample): void {
    const old = this.lastScore;
    this.lastScore = s;
    // a change the eye can see: about 1 % of the bar
    if (!old || Math.abs(old.smoothed - s.smoothed) > 0.005 || old.heldMs !== s.heldMs || old.threshold !== s.threshold) this.dirty = true;
  }

  result(r: RoundResult): void {
    const secs = (r.durationMs / 1000).toFixed(1);
    const what = `level ${r.level} ${r.mode}`;
    if (r.outcome === 'cracked') this.sub = `after ${secs} s — ${what}`;
    else if (r.outcome === 'survived') this.sub = `${what} · ${secs} s`;
    else this.sub = what;
    this.refreshFigures();
    this.dirty = true;
  }

  text(text: string, ms: number): boolean {
    if (!this.opts.config.enabled) return false;
    const sub = this.phase === 'result' ? this.sub : null;
    this.big = text ? { text, until: this.opts.clock.now() + ms } : null;
    this.sub = sub;
    this.dirty = true;
    return true;
  }

  attention(away: boolean): void {
    if (this.away !== away) this.dirty = true;
    this.away = away;
  }

  face(frame: Frame, box: readonly [number, number, number, number], ms: number): void {
    if (!this.wantsFace || !this.running) return;
    const buf = new Uint8Array(FACE_SIZE * FACE_SIZE * 4);
    cropFaceBgra(frame, box, FACE_SIZE, buf);
    this.faceBuf = buf;
    this.faceUntil = this.opts.clock.now() + ms;
    this.opts.surface.image({ bgra: buf, width: FACE_SIZE, height: FACE_SIZE }).catch((e: unknown) => this.opts.log.warn({ err: e }, 'crack cam: mpv did not take the picture'));
  }

  // ------------------------------------------------------------------ drawing

  /** The view as it stands now (for tests and the harness). */
  view(): HudView {
    const now = this.opts.clock.now();
    const big = this.big && now < this.big.until ? this.big.text : null;
    let secondsLeft: number | null = null;
    if (this.phase === 'playing' && this.clip && this.clipMs !== null) secondsLeft = Math.max(0, (this.clipMs - (now - this.clipStart)) / 1000);
    const s = this.lastScore;
    return {
      phase: this.phase,
      mode: this.mode,
      level: this.level,
      big,
      sub: big ? this.sub : null,
      secondsLeft,
      // no meter before the first score: the threshold comes with it
      meter: this.phase === 'playing' && this.clip && s ? { smoothed: s.smoothed, threshold: s.threshold, heldMs: s.heldMs, holdMs: s.holdMs } : null,
      away: this.away,
      figures: this.figures,
      position: this.opts.config.position,
    };
  }

  /** One tick: render and send if anything shown changed. */
  redraw(): void {
    if (!this.running) return;
    const t0 = performance.now();
    const now = this.opts.clock.now();
    if (this.big && now >= this.big.until) {
      this.big = null;
      this.dirty = true;
    }
    if (this.faceUntil !== null && now >= this.faceUntil) this.dropFace();
    if (this.phase === 'playing' && this.clipMs !== null) {
      const sec = Math.ceil((this.clipMs - (now - this.clipStart)) / 1000);
      if (sec !== this.shownSecond) {
        this.shownSecond = sec;
        this.dirty = true;
      }
    }
    if (!this.dirty || this.inFlight) return;
    this.dirty = false;
    const ass = this.opts.config.enabled ? renderHud(this.view()) : '';
    this.counters.renders++;
    if (ass !== this.lastSent) {
      this.lastSent = ass;
      this.inFlight = true;
      this.counters.sent++;
      this.opts.surface
        .overlay(ass === '' ? null : ass)
        .catch((e: unknown) => {
          this.lastSent = null; // try again next tick
          this.opts.log.debug({ err: e }, 'HUD overlay failed');
        })
        .finally(() => {
          this.inFlight = false;
        })
        .catch(() => undefined);
    }
    const us = (performance.now() - t0) * 1000;
    this.counters.busyUs += us;
    this.opts.onUpdate?.(us);
  }

  /** The crack cam's picture is dropped: off the screen, and the buffer zeroed. */
  private dropFace(): void {
    if (this.faceUntil === null && this.faceBuf === null) return;
    this.faceUntil = null;
    this.faceBuf?.fill(0);
    this.faceBuf = null;
    this.opts.surface.image(null).catch(() => undefined);
  }

  private refreshFigures(): void {
    const totals = this.opts.totals;
    if (!totals) return;
    try {
      this.figures = todayFigures(totals(), localDay(this.opts.clock.wall()));
    } catch (e) {
      this.opts.log.debug({ err: e }, 'attract figures unavailable');
    }
  }
}
