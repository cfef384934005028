// Contract objects (monotonic times) → published payloads (wall-clock times, "v": 1).
import type { Clock, GameEvent, GameState, ScoreSample } from '../types.js';
import { PAYLOAD_VERSION, type EventPayload, type ScorePayload, type StatePayload } from './payloads.js';

/** Monotonic ms from the clock's now() scale to epoch ms. */
export function toWall(clock: Clock, mono: number): number {
  return Math.round(clock.wall() - (clock.now() - mono));
}

export function statePayload(s: GameState, clock: Clock): StatePayload {
  return { v: PAYLOAD_VERSION, phase: s.phase, mode: s.mode, level: s.level, clip: s.clip, since: toWall(clock, s.since) };
}

export function scorePayload(s: ScoreSample, clock: Clock): ScorePayload {
  return {
    v: PAYLOAD_VERSION,
    ts: toWall(clock, s.ts),
    target: s.target,
    value: s.value,
    smoothed: s.smoothed,
    threshold: s.threshold,
    holdMs: s.holdMs,
    heldMs: s.heldMs,
    faces: s.faces,
  };
}

export function eventPayload(e: GameEvent, clock: Clock): EventPayload {
  const p: EventPayload = {
    v: PAYLOAD_VERSION,
    id: e.id,
    type: e.type,
    ts: toWall(clock, e.ts),
    mode: e.mode,
    level: e.level,
    clip: e.clip,
    peak: e.peak,
    durationMs: e.durationMs,
    outcome: e.outcome,
  };
  if (e.phase !== undefined) p.phase = e.phase;
  if (e.reason !== undefined) p.reason = e.reason;
  return p;
}
