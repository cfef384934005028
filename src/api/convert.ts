// Contract objects (monotonic times) → published payloads (wall-clock times, "v": 1).
// On MQTT each payload also names its booth and gives clip paths relative to the media
// folder (`PayloadContext`); the REST side, serving one booth, passes none.
import path from 'node:path';
import type { Clock, GameEvent, GameState, ScoreSample } from '../types.js';
import { PAYLOAD_VERSION, type EventPayload, type ScorePayload, type StatePayload } from './payloads.js';

export interface PayloadContext {
  boothId: string;
  /** the media folder clips are given relative to */
  mediaDir: string;
}

/** Monotonic ms from the clock's now() scale to epoch ms. */
export function toWall(clock: Clock, mono: number): number {
  return Math.round(clock.wall() - (clock.now() - mono));
}

/** `clip` relative to `mediaDir` with / separators; unchanged when it lies outside it. */
export function relativeClip(clip: string | null, mediaDir: string | undefined): string | null {
  if (clip === null || mediaDir === undefined || clip === '') return clip;
  const rel = path.relative(path.resolve(mediaDir), path.resolve(clip));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return clip;
  return rel.split(path.sep).join('/');
}

export function statePayload(s: GameState, clock: Clock, ctx?: PayloadContext): StatePayload {
  return {
    v: PAYLOAD_VERSION,
    ...(ctx ? { boothId: ctx.boothId } : {}),
    phase: s.phase,
    mode: s.mode,
    level: s.level,
    clip: relativeClip(s.clip, ctx?.mediaDir),
    since: toWall(clock, s.since),
  };
}

export function scorePayload(s: ScoreSample, clock: Clock, ctx?: PayloadContext): ScorePayload {
  return {
    v: PAYLOAD_VERSION,
    ...(ctx ? { boothId: ctx.boothId } : {}),
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

export function eventPayload(e: GameEvent, clock: Clock, ctx?: PayloadContext): EventPayload {
  const p: EventPayload = {
    v: PAYLOAD_VERSION,
    ...(ctx ? { boothId: ctx.boothId } : {}),
    id: e.id,
    type: e.type,
    ts: toWall(clock, e.ts),
    mode: e.mode,
    level: e.level,
    clip: relativeClip(e.clip, ctx?.mediaDir),
    peak: e.peak,
    durationMs: e.durationMs,
    outcome: e.outcome,
  };
  if (e.phase !== undefined) p.phase = e.phase;
  if (e.reason !== undefined) p.reason = e.reason;
  return p;
}
