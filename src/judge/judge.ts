// The game engine: attract → select → countdown → playing → result → attract.
// Pure: no I/O, no timers, no clock. Every input carries its monotonic time; the
// judge's "now" is the latest time it has seen, and timeouts fire when an input
// (usually a tick) carries a time past them.
import { BUTTONS } from '../types.js';
import type { ButtonEvent, ButtonName, CommandResult, Face, GameEvent, GameEventType, GameState, MonoMs, Outcome, Phase, RoundResult, ScoreSample } from '../types.js';
import type { JudgeRules, LevelRule, ModeRule } from './rules.js';
import { aboveBaseline, Baseline, HoldRule, targetScore } from './score.js';
import { choosePlayer, PlayerTrack } from './track.js';
import type { Effect, JudgeOptions, JudgeSink, Lights } from './types.js';

/** what the judge hands its sink, by the sink method that takes it */
type Outputs = { [K in keyof JudgeSink]: Parameters<JudgeSink[K]>[0] };
type OutKind = keyof Outputs;
/** one queued output: its kind names the sink method, its value has that method's type */
type Output = { [K in OutKind]: { kind: K; value: Outputs[K] } }[OutKind];

const LEVEL_BUTTONS: readonly ButtonName[] = ['level1', 'level2', 'level3'];
const CLIP_EARLY_MS = 1000;
const CLIP_EARLY_FRACTION = 0.1;

export type AbortReason =
  | 'staff'
  | 'face_lost'
  | 'no_face'
  | 'camera_lost'
  | 'player_restarted'
  | 'clip_failed'
  | 'looked_away'
  | 'timeout';

export class Judge {
  private phase: Phase = 'attract';
  private since: MonoMs = 0;
  private now: MonoMs = Number.NEGATIVE_INFINITY;
  private started = false;

  private mode: ModeRule | null = null;
  private level: number | null = null;
  private clip: string | null = null;

  private roundId: string | null = null;
  private roundSeq = 0;
  private eventSeq = 0;

  private selectTouched: MonoMs = 0;
  private countdownEnd: MonoMs = 0;
  private shownNumber = 0;
  private playingSince: MonoMs = 0;
  private live = false;
  private roundStart: MonoMs = 0;
  /** the round clip's probed length, when the runner knows it */
  private clipDurationMs: number | null = null;
  private resultUntil: MonoMs = 0;
  /** campaign: the level the next countdown plays, after the result screen */
  private nextLevel: number | null = null;

  /** frame time the player's head turned away, or null while they face the screen */
  private awaySince: MonoMs | null = null;
  /** time spent looking away this round, not counting the current spell */
  private awayTotalMs = 0;

  private cameraDown = false;
  private paused = false;

  private baselineValue = 0;
  private target = '';
  private readonly track: PlayerTrack;
  private readonly baseline = new Baseline();
  private readonly hold = new HoldRule(1, 0, 0);

  // outputs wait here until the input that made them is fully handled, so a sink that
  // feeds the judge again (synchronously) sees a consistent state and keeps the order.
  // The records are reused from input to input (outLen of them are queued).
  private readonly outbox: Output[] = [];
  private outLen = 0;
  private flushing = false;

  private readonly idPrefix: string;
  private readonly wallOffsetMs: number;
  private readonly modeByButton = new Map<ButtonName, ModeRule>();
  private readonly modeByName = new Map<string, ModeRule>();

  constructor(
    private readonly rules: JudgeRules,
    private readonly sink: JudgeSink,
    opts: JudgeOptions = {},
  ) {
    this.idPrefix = opts.idPrefix ?? 'pf';
    this.wallOffsetMs = opts.wallOffsetMs ?? 0;
    this.track = new PlayerTrack(rules.trackIou);
    for (const m of rules.modes) {
      this.modeByName.set(m.name, m);
      if (m.button) this.modeByButton.set(m.button, m);
    }
  }

  // ------------------------------------------------------------------ queries

  state(): GameState {
    return { phase: this.phase, mode: this.mode?.name ?? null, level: this.level, clip: this.clip, since: this.since };
  }

  /** The smoothed score and hold of the running round (for status pages). */
  holdState(): { smoothed: number; heldMs: number; baseline: number; live: boolean; paused: boolean; away: boolean } {
    return { smoothed: this.hold.smoothed, heldMs: this.hold.heldMs, baseline: this.baselineValue, live: this.live, paused: this.paused, away: this.awaySince !== null };
  }

  // ------------------------------------------------------------------ inputs

  /**
   * The tracked player's box (frame pixels) while one is locked, else null: the runner
   * hands it to the detector so the player's face is classified on every frame.
   */
  playerBox(): readonly [number, number, number, number] | null {
    return this.track.box();
  }

  /** Enter attract (the attract loop starts). Call once, before any other input. */
  start(ts: MonoMs): void {
    if (this.started) return;
    this.started = true;
    this.now = ts;
    this.toAttract(ts);
    this.flush();
  }

  /**
   * A button event. A `hold` of start is the hidden staff button: the controls emit it
   * only once start has been held controls.staffHoldMs (other holds are ignored).
   */
  button(e: ButtonEvent): void {
    if (!this.begin(e.ts)) return;
    if (e.kind === 'hold') {
      if (e.name === 'start') this.stopToAttract(this.now);
      this.flush();
      return;
    }
    const ts = this.now;
    if (this.phase === 'attract' || this.phase === 'select') {
      const mode = this.modeByButton.get(e.name);
      const levelIdx = LEVEL_BUTTONS.indexOf(e.name);
      if (mode) {
        this.mode = mode;
        this.toSelect(ts);
      } else if (levelIdx >= 0 && levelIdx < this.rules.levels.length) {
        this.level = levelIdx + 1;
        this.toSelect(ts);
      } else if (e.name === 'start') {
        if (this.phase === 'select' && this.mode) this.toCountdown(ts, this.mode, this.level ?? 1);
        else this.toSelect(ts);
      }
    }
    this.flush();
  }

  /** The faces detected in the frame captured at ts (frame pixels, width x height). */
  faces(ts: MonoMs, faces: readonly Face[], width: number, height: number): void {
    if (!this.begin(ts)) return;
    if (this.phase === 'countdown') this.countdownFrame(ts, faces, width, height);
    else if (this.phase === 'playing' && !this.paused) this.playingFrame(ts, faces, width, height);
    this.flush();
  }

  /** The round's clip started playing (the runner chose it from the media library; durationMs: its probed length, if known). */
  clipStarted(clip: string, ts: MonoMs, durationMs?: number | null): void {
    if (!this.begin(ts)) return;
    if (this.phase === 'playing' && !this.live) {
      this.live = true;
      this.clip = clip;
      this.roundStart = ts;
      this.clipDurationMs = durationMs !== undefined && durationMs !== null && durationMs > 0 ? durationMs : null;
      this.hold.reset(ts);
      this.awaySince = null;
      this.awayTotalMs = 0;
      // the face-lost clock starts no earlier than the clip
      if (this.track.lastSeen < ts) this.track.lastSeen = ts;
      this.pushEvent('round_start', ts, { peak: null, durationMs: null, outcome: null });
      this.pushState();
    }
    this.flush();
  }

  clipEnded(clip: string, ts: MonoMs): void {
    if (!this.begin(ts)) return;
    if (this.phase === 'playing' && this.live && clip === this.clip) {
      const early = this.endedEarly(ts);
      if (early) this.finish('aborted', ts, 'clip_failed', early);
      else if (this.paused) this.finish('aborted', ts, 'camera_lost');
      else if (this.lookedAway()) this.finish('aborted', ts, 'looked_away');
      else this.finish('survived', ts);
    }
    this.flush();
  }

  /**
   * A clip that stops well before its probed length (a truncated or damaged file: mpv
   * reports a normal end after decode errors) is a failed clip, never a win. "Well
   * before": more than 1 s and more than 10 % early, so player start-up jitter never
   * turns a real win into a failure.
   */
  private endedEarly(ts: MonoMs): string | null {
    const full = this.clipDurationMs;
    if (full === null) return null;
    const played = ts - this.roundStart;
    if (full - played <= Math.max(CLIP_EARLY_MS, full * CLIP_EARLY_FRACTION)) return null;
    return `clip ended after ${(played / 1000).toFixed(1)} s of its ${(full / 1000).toFixed(1)} s`;
  }

  clipFailed(clip: string, ts: MonoMs, reason: string): void {
    if (!this.begin(ts)) return;
    if (this.phase === 'playing' && (!this.live || clip === this.clip)) this.finish('aborted', ts, 'clip_failed', reason);
    this.flush();
  }

  /** The player process restarted: whatever it showed is gone. */
  playerRestarted(ts: MonoMs, reason: string): void {
    if (!this.begin(ts)) return;
    if (this.phase === 'countdown' || this.phase === 'playing') this.finish('aborted', ts, 'player_restarted', reason);
    else if (this.phase === 'attract' || this.phase === 'select') this.effect({ type: 'playAttract' });
    this.flush();
  }

  /** Frames stopped (stall) or the capture restarted. */
  cameraLost(ts: MonoMs, reason: string): void {
    if (!this.begin(ts)) return;
    this.cameraDown = true;
    if ((this.phase === 'countdown' || this.phase === 'playing') && !this.paused) {
      if (this.rules.onCameraLost === 'abort') this.finish('aborted', ts, 'camera_lost', reason);
      else this.paused = true;
    }
    this.flush();
  }

  cameraBack(ts: MonoMs): void {
    if (!this.begin(ts)) return;
    this.cameraDown = false;
    if (this.paused) {
      this.paused = false;
      if (this.phase === 'countdown') {
        // the baseline needs an unbroken look at the player: measure again from here
        this.track.reset();
        this.baseline.reset();
        this.countdownEnd = ts + this.rules.countdownMs;
        this.shownNumber = 0;
        this.checkTimers();
      } else if (this.phase === 'playing') {
        if (this.live) this.hold.reset(ts, true);
        this.track.lastSeen = ts;
      }
    }
    this.flush();
  }

  tick(ts: MonoMs): void {
    if (!this.begin(ts)) return;
    this.flush();
  }

  /** Staff start from any phase: a running round is aborted, a new countdown begins. */
  staffStart(ts: MonoMs, opts: { mode?: string | undefined; level?: number | undefined } = {}): CommandResult {
    const mode = opts.mode !== undefined ? this.modeByName.get(opts.mode) : (this.mode ?? this.rules.modes[0]);
    if (!mode) return { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: `unknown mode "${opts.mode}"` };
    const level = opts.level ?? this.level ?? 1;
    if (!Number.isInteger(level) || level < 1 || level > this.rules.levels.length) {
      return { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: `level must be 1..${this.rules.levels.length}` };
    }
    if (!this.begin(ts)) return { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'the game has not started' };
    if (this.phase === 'countdown' || this.phase === 'playing') this.abortQuietly(this.now, 'staff');
    this.toCountdown(this.now, mode, level);
    this.flush();
    return { ok: true };
  }

  /** Staff stop from any phase: back to attract; a running round is aborted. */
  staffStop(ts: MonoMs): CommandResult {
    if (!this.begin(ts)) return { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'the game has not started' };
    this.stopToAttract(this.now);
    this.flush();
    return { ok: true };
  }

  // ------------------------------------------------------------------ per frame

  private countdownFrame(ts: MonoMs, faces: readonly Face[], width: number, height: number): void {
    if (this.paused || ts < this.since) return;
    let idx = this.track.match(faces);
    if (idx < 0) {
      // no lock yet, or the lock was lost too long: choose again and measure afresh
      if (this.track.locked && ts - this.track.lastSeen <= this.rules.faceLostMs) return;
      idx = choosePlayer(faces, width, height);
      if (idx < 0) return;
      this.track.lock(faces[idx] as Face, ts);
      this.baseline.reset();
    } else {
      this.track.follow(faces[idx] as Face, ts);
    }
    if (this.mode) this.baseline.add(targetScore(faces[idx] as Face, this.mode.targets));
  }

  private playingFrame(ts: MonoMs, faces: readonly Face[], width: number, height: number): void {
    const mode = this.mode;
    if (!mode) return;
    let idx = this.track.match(faces);
    if (idx < 0 && !this.track.locked) {
      // only when nobody was seen during the countdown (onFaceLost: ignore)
      idx = choosePlayer(faces, width, height);
      if (idx >= 0) this.track.lock(faces[idx] as Face, ts);
    }
    if (!this.live) {
      if (idx >= 0) this.track.follow(faces[idx] as Face, ts);
      return;
    }
    if (!(ts > this.hold.lastTs)) return; // captured before the clip started, or out of order
    if (idx < 0) {
      if (this.rules.onFaceLost === 'abort' && ts - this.track.lastSeen > this.rules.faceLostMs) this.finish('aborted', ts, 'face_lost');
      return;
    }
    const face = faces[idx] as Face;
    this.track.follow(face, ts);
    const value = aboveBaseline(targetScore(face, mode.targets), this.baselineValue, this.rules.baselineRescale);
    const cracked = this.hold.update(ts, value);
    if (cracked) this.effect({ type: 'crackCam', ts, box: face.box });
    const sample: ScoreSample = {
      ts,
      target: this.target,
      value,
      smoothed: this.hold.smoothed,
      threshold: this.hold.threshold,
      holdMs: this.hold.holdMs,
      heldMs: this.hold.heldMs,
      faces: faces.length,
    };
    this.out('score', sample);
    // cracking while looking away is still cracking
    if (cracked) this.finish('cracked', ts);
    else this.attention(ts, face);
  }

  /** The attention check: a head turned away warns at once and, held lookAwayMs, aborts. */
  private attention(ts: MonoMs, face: Face): void {
    const r = this.rules;
    if (r.onLookAway === 'off') return;
    const pose = face.pose;
    // no pose (a detector without keypoints): nothing to judge by, so never away
    const away = pose !== undefined && (Math.abs(pose.yaw) > r.lookAwayYawDeg || Math.abs(pose.pitch) > r.lookAwayPitchDeg);
    if (away) {
      if (this.awaySince === null) {
        this.awaySince = ts;
        this.effect({ type: 'attention', away: true, ts, ms: r.lookAwayMs });
      }
      if (r.onLookAway === 'abort' && ts - this.awaySince >= r.lookAwayMs) this.finish('aborted', ts, 'looked_away');
    } else if (this.awaySince !== null) {
      this.awayTotalMs += ts - this.awaySince;
      this.awaySince = null;
      this.effect({ type: 'attention', away: false, ts, ms: 0 });
    }
  }

  /** At the clip's end: no win for a player looking away now, or (warn) away too long in all. */
  private lookedAway(): boolean {
    if (this.rules.onLookAway === 'off') return false;
    if (this.awaySince !== null) return true;
    return this.rules.onLookAway === 'warn' && this.awayTotalMs > this.rules.lookAwayMs;
  }

  // ------------------------------------------------------------------ transitions

  /** Move time forward and fire what is due. False before start(). */
  private begin(ts: MonoMs): boolean {
    if (!this.started) return false;
    if (ts > this.now) this.now = ts;
    this.checkTimers();
    return true;
  }

  private checkTimers(): void {
    // a transition can make the next one due at once (resultMs 0); bounded, never a loop
    for (let i = 0; i < 4; i++) {
      const now = this.now;
      const phase = this.phase;
      if (phase === 'select') {
        if (now - this.selectTouched >= this.rules.selectTimeoutMs) this.toAttract(now);
      } else if (phase === 'countdown') {
        if (this.paused) return;
        if (now >= this.countdownEnd) this.endCountdown(now);
        else this.showCountdownNumber(now);
      } else if (phase === 'playing') {
        if (now - this.playingSince >= this.rules.maxRoundMs) this.finish('aborted', now, 'timeout');
      } else if (phase === 'result') {
        if (now >= this.resultUntil) {
          const next = this.nextLevel;
          if (next !== null && this.mode) this.toCountdown(now, this.mode, next);
          else this.toAttract(now);
        }
      }
      if (this.phase === phase) return;
    }
  }

  private showCountdownNumber(now: MonoMs): void {
    const remaining = this.countdownEnd - now;
    const n = Math.ceil(remaining / 1000);
    if (n !== this.shownNumber && n > 0) {
      this.shownNumber = n;
      this.effect({ type: 'showText', text: String(n), ms: Math.max(1, Math.round(remaining - (n - 1) * 1000)) });
    }
  }

  private toAttract(ts: MonoMs): void {
    this.mode = null;
    this.level = null;
    this.clip = null;
    this.roundId = null;
    this.nextLevel = null;
    this.live = false;
    this.paused = false;
    this.setPhase('attract', ts);
    this.effect({ type: 'playAttract' });
    this.lights();
  }

  private toSelect(ts: MonoMs): void {
    this.selectTouched = ts;
    if (this.phase !== 'select') this.setPhase('select', ts);
    else this.pushState();
    const what = this.mode ? this.mode.name.toUpperCase() : 'PICK A MODE';
    const level = this.level ? ` · LEVEL ${this.level}` : '';
    const hint = this.mode ? ' · press START' : '';
    this.effect({ type: 'showText', text: `${what}${level}${hint}`, ms: this.rules.selectTimeoutMs });
    this.lights();
  }

  private toCountdown(ts: MonoMs, mode: ModeRule, level: number): void {
    const rule = this.rules.levels[level - 1] as LevelRule;
    this.mode = mode;
    this.level = level;
    this.clip = null;
    this.nextLevel = null;
    this.live = false;
    this.paused = this.cameraDown && this.rules.onCameraLost === 'pause';
    this.roundId = `${this.idPrefix}-r${++this.roundSeq}`;
    this.target = mode.targets.join('+');
    this.hold.configure(rule.threshold, rule.holdMs, rule.smoothingMs);
    this.hold.reset(ts);
    this.track.reset();
    this.baseline.reset();
    this.baselineValue = 0;
    this.countdownEnd = ts + this.rules.countdownMs;
    this.shownNumber = 0;
    this.setPhase('countdown', ts);
    this.effect({ type: 'stopClip' });
    this.lights();
    if (this.cameraDown && this.rules.onCameraLost === 'abort') {
      this.finish('aborted', ts, 'camera_lost');
      return;
    }
    this.showCountdownNumber(ts);
  }

  private endCountdown(ts: MonoMs): void {
    const mode = this.mode as ModeRule;
    if (!this.track.locked && this.rules.onFaceLost === 'abort') {
      this.finish('aborted', ts, 'no_face');
      return;
    }
    this.baselineValue = this.rules.baseline ? this.baseline.value(this.rules.baselineMax) : 0;
    this.playingSince = ts;
    this.live = false;
    this.setPhase('playing', ts);
    this.effect({ type: 'playClip', mode: mode.name, media: mode.media, level: this.level ?? 1 });
  }

  /** End the round: event, result record, result screen (or the next campaign level). */
  private finish(outcome: Outcome, ts: MonoMs, reason?: AbortReason, detail?: string): void {
    this.endRound(outcome, ts, reason, detail);
    const last = this.rules.levels.length;
    const level = this.level ?? 1;
    this.nextLevel = outcome === 'survived' && this.rules.campaign && level < last ? level + 1 : null;
    let text: string;
    if (outcome === 'cracked') text = 'CRACKED!';
    else if (outcome === 'survived') text = this.nextLevel ? `SURVIVED! · LEVEL ${this.nextLevel} NEXT` : this.rules.campaign && last > 1 ? 'SURVIVED! · ALL LEVELS' : 'SURVIVED!';
    else if (reason === 'looked_away') text = 'YOU LOOKED AWAY · ROUND OVER';
    else text = reason === 'face_lost' || reason === 'no_face' ? 'NO FACE · ROUND OVER' : 'ROUND OVER';
    this.resultUntil = ts + this.rules.resultMs;
    this.setPhase('result', ts);
    if (outcome !== 'survived') this.effect({ type: 'stopClip' });
    this.effect({ type: 'showText', text, ms: Math.max(1, this.rules.resultMs) });
    this.lights();
    this.checkTimers();
  }

  /** Abort without a result screen (staff). */
  private abortQuietly(ts: MonoMs, reason: AbortReason): void {
    this.endRound('aborted', ts, reason);
  }

  private stopToAttract(ts: MonoMs): void {
    if (this.phase === 'countdown' || this.phase === 'playing') this.abortQuietly(ts, 'staff');
    if (this.phase !== 'attract') this.toAttract(ts);
  }

  private endRound(outcome: Outcome, ts: MonoMs, reason?: AbortReason, detail?: string): void {
    const durationMs = this.live ? Math.max(0, ts - this.roundStart) : 0;
    const peak = this.live ? this.hold.peak : 0;
    const why = reason === undefined ? undefined : detail ? `${reason}: ${detail}` : reason;
    this.pushEvent(outcome, ts, { peak, durationMs, outcome, reason: why });
    const result: RoundResult = {
      id: this.roundId ?? `${this.idPrefix}-r${++this.roundSeq}`,
      endedAt: ts + this.wallOffsetMs,
      mode: this.mode?.name ?? '',
      level: this.level ?? 0,
      clip: this.clip,
      outcome,
      peak,
      durationMs,
    };
    if (why !== undefined) result.reason = why;
    this.out('result', result);
    if (this.awaySince !== null) this.effect({ type: 'attention', away: false, ts, ms: 0 });
    this.awaySince = null;
    this.awayTotalMs = 0;
    this.live = false;
    this.paused = false;
  }

  private setPhase(phase: Phase, ts: MonoMs): void {
    this.phase = phase;
    this.since = ts;
    this.pushEvent('phase', ts, { peak: null, durationMs: null, outcome: null, phase });
    this.pushState();
  }

  private lights(): void {
    const l: Lights = {};
    const phase = this.phase;
    for (const m of this.rules.modes) {
      if (!m.button) continue;
      if (phase === 'attract') l[m.button] = 'blink';
      else if (phase === 'select') l[m.button] = this.mode === m ? 'blink' : 'on';
      else l[m.button] = this.mode === m ? 'on' : 'off';
    }
    for (let i = 0; i < LEVEL_BUTTONS.length; i++) {
      const b = LEVEL_BUTTONS[i] as ButtonName;
      if (i >= this.rules.levels.length) l[b] = 'off';
      else if (phase === 'select') l[b] = this.level === i + 1 ? 'blink' : 'on';
      else if (phase === 'attract') l[b] = 'off';
      else l[b] = this.level === i + 1 ? 'on' : 'off';
    }
    l.start = phase === 'select' ? (this.mode ? 'blink' : 'off') : 'off';
    for (const b of BUTTONS) if (l[b] === undefined) l[b] = 'off';
    this.effect({ type: 'lights', lights: l });
  }

  // ------------------------------------------------------------------ outputs

  private pushEvent(
    type: GameEventType,
    ts: MonoMs,
    f: { peak: number | null; durationMs: number | null; outcome: Outcome | null; phase?: Phase; reason?: string | undefined },
  ): void {
    const e: GameEvent = {
      id: `${this.idPrefix}-e${++this.eventSeq}`,
      type,
      ts,
      mode: this.mode?.name ?? null,
      level: this.level,
      clip: this.clip,
      peak: f.peak,
      durationMs: f.durationMs,
      outcome: f.outcome,
    };
    if (f.phase !== undefined) e.phase = f.phase;
    if (f.reason !== undefined) e.reason = f.reason;
    this.out('event', e);
  }

  private pushState(): void {
    this.out('state', this.state());
  }

  private effect(e: Effect): void {
    this.out('effect', e);
  }

  private out<K extends OutKind>(kind: K, value: Outputs[K]): void {
    const slot = this.outbox[this.outLen] as { kind: OutKind; value: unknown } | undefined;
    if (slot) {
      slot.kind = kind;
      slot.value = value;
    } else {
      this.outbox.push({ kind, value } as Output);
    }
    this.outLen++;
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      // outLen is read on every pass: a sink that feeds the judge again appends behind i
      for (let i = 0; i < this.outLen; i++) {
        const o = this.outbox[i] as Output;
        switch (o.kind) {
          case 'state':
            this.sink.state(o.value);
            break;
          case 'event':
            this.sink.event(o.value);
            break;
          case 'score':
            this.sink.score(o.value);
            break;
          case 'result':
            this.sink.result(o.value);
            break;
          case 'effect':
            this.sink.effect(o.value);
            break;
        }
      }
    } finally {
      // drop the values (the records stay for the next input)
      for (let i = 0; i < this.outLen; i++) (this.outbox[i] as { value: unknown }).value = null;
      this.outLen = 0;
      this.flushing = false;
    }
  }
}
