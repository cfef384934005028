// Test harness for the judge: a recording sink, synthetic faces and frame streams.
import { defaultConfig } from '../../../src/config/load.js';
import { Judge } from '../../../src/judge/judge.js';
import { judgeRules, type JudgeRules } from '../../../src/judge/rules.js';
import type { Effect } from '../../../src/judge/types.js';
import type { ButtonEvent, ButtonName, Emotion, Face, GameEvent, GameState, RoundResult, ScoreSample } from '../../../src/types.js';

export const W = 640;
export const H = 480;

export interface Recorder {
  states: GameState[];
  events: GameEvent[];
  scores: ScoreSample[];
  results: RoundResult[];
  effects: Effect[];
}

export interface Harness {
  j: Judge;
  rec: Recorder;
  rules: JudgeRules;
}

export function harness(over: Partial<JudgeRules> = {}, t0 = 0): Harness {
  const rec: Recorder = { states: [], events: [], scores: [], results: [], effects: [] };
  const rules = { ...judgeRules(defaultConfig()), ...over };
  const j = new Judge(
    rules,
    {
      state: (s) => rec.states.push(s),
      event: (e) => rec.events.push(e),
      score: (s) => rec.scores.push(s),
      result: (r) => rec.results.push(r),
      effect: (e) => rec.effects.push(e),
    },
    { idPrefix: 't', wallOffsetMs: 1_000_000 },
  );
  j.start(t0);
  return { j, rec, rules };
}

export function press(name: ButtonName, ts: number, kind: 'press' | 'hold' = 'press', source: ButtonEvent['source'] = 'gpio'): ButtonEvent {
  return { name, kind, ts, source };
}

/** A face box centred at (cx, cy) of size s, with the given emotions. */
export function face(cx: number, cy: number, s: number, emotions: Partial<Record<Emotion, number>>): Face {
  return { box: [cx - s / 2, cy - s / 2, s, s], score: 0.9, emotions };
}

export const centreFace = (happy: number, extra: Partial<Record<Emotion, number>> = {}): Face =>
  face(W / 2, H / 2, 160, { happy, neutral: Math.max(0, 1 - happy), ...extra });

/** Frame times from `from` (inclusive) to `to` (exclusive) at fps, shifted by phase ms. */
export function frameTimes(from: number, to: number, fps: number, phase = 0): number[] {
  const dt = 1000 / fps;
  const out: number[] = [];
  for (let k = Math.ceil((from - phase) / dt); phase + k * dt < to; k++) {
    const t = phase + k * dt;
    if (t >= from) out.push(t);
  }
  return out;
}

/**
 * Funny mode at `level`: buttons at t, a neutral centre face through the countdown at
 * fps, then the clip starts. Returns the clip start time.
 */
export function startRound(h: Harness, opts: { t?: number; level?: number; fps?: number; restHappy?: number; mode?: ButtonName } = {}): number {
  const t = opts.t ?? 1000;
  const level = opts.level ?? 1;
  const fps = opts.fps ?? 30;
  h.j.button(press(opts.mode ?? 'funny', t));
  h.j.button(press(`level${level}` as ButtonName, t + 100));
  h.j.button(press('start', t + 200));
  const cdStart = t + 200;
  const cdEnd = cdStart + h.rules.countdownMs;
  for (const ts of frameTimes(cdStart, cdEnd, fps)) h.j.faces(ts, [centreFace(opts.restHappy ?? 0.02)], W, H);
  h.j.tick(cdEnd);
  const clipAt = cdEnd + 50;
  h.j.clipStarted('media/funny/1/a.mp4', clipAt);
  return clipAt;
}

export const eventTypes = (rec: Recorder): string[] => rec.events.filter((e) => e.type !== 'phase').map((e) => e.type);
export const phases = (rec: Recorder): string[] => rec.events.filter((e) => e.type === 'phase').map((e) => e.phase ?? '');
export const lastPhase = (h: Harness): string => h.j.state().phase;

/** Decision time after clip start for a smile ramping 0 → peak from onset over rampMs. */
export function decisionTime(fps: number, phase: number, onset: number, rampMs: number, peak = 1, level = 1): number | null {
  const h = harness({ countdownMs: 1000 });
  const clipAt = startRound(h, { t: 0, fps, level });
  for (const ts of frameTimes(clipAt + 0.001, clipAt + onset + rampMs + 5000, fps, clipAt + phase)) {
    const rel = ts - clipAt;
    const v = rel < onset ? 0 : Math.min(peak, (peak * (rel - onset)) / Math.max(1, rampMs));
    h.j.faces(ts, [centreFace(v)], W, H);
    const cracked = h.rec.events.find((e) => e.type === 'cracked');
    if (cracked) return cracked.ts - clipAt;
  }
  return null;
}

