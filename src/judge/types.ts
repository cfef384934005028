// What the judge hands out. The judge is pure: the booth runner turns effects into
// player commands and button lights, and feeds what happened back in as inputs.
import type { ButtonName, CommandResult, GameEvent, GameState, LightMode, MonoMs, RoundResult, ScoreSample } from '../types.js';

export type Lights = Partial<Record<ButtonName, LightMode>>;

export type Effect =
  /** loop the attract clip (the runner picks it from the media library) */
  | { type: 'playAttract' }
  /** play a random clip of media/<media>/<level>/, then report clipStarted(path) */
  | { type: 'playClip'; mode: string; media: string; level: number }
  | { type: 'stopClip' }
  /** on-screen text: countdown numbers, CRACKED!, SURVIVED, mode and level */
  | { type: 'showText'; text: string; ms: number }
  /** button lights: what can be pressed now is lit, the chosen mode/level blinks */
  | { type: 'lights'; lights: Lights }
  /** the player turned away from the screen (away) or back (not away) during the clip */
  | { type: 'attention'; away: boolean; ts: MonoMs; ms: number }
  /** the frame at ts decided a crack; box is the player's face in it (for the crack cam) */
  | { type: 'crackCam'; ts: MonoMs; box: readonly [number, number, number, number] };

/** Receives the judge's outputs synchronously, in the order they happen. */
export interface JudgeSink {
  state(s: GameState): void;
  event(e: GameEvent): void;
  score(s: ScoreSample): void;
  result(r: RoundResult): void;
  effect(e: Effect): void;
}

export interface JudgeOptions {
  /** makes event and round ids unique across daemon runs (e.g. boot time in base 36) */
  idPrefix?: string;
  /** added to a monotonic ts to give RoundResult.endedAt (wall - mono at start) */
  wallOffsetMs?: number;
}

export type { CommandResult };
