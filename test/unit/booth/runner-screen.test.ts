// The booth runner's hooks for the screen (services.screen): it hears the game's state,
// scores and results; on-screen text goes to it instead of the player; "Watch the
// screen!" goes to it (or, with no screen, to the player's text); and on a crack it gets
// the deciding frame itself while that frame is still valid, never a later one.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import type { BoothScreen, Face, Frame, GameState, RoundResult, ScoreSample } from '../../../src/types.js';
import { makeBooth } from './fakes.js';

const W = 160;
const H = 120;

class RecordingScreen implements BoothScreen {
  wantsFace = true;
  states: GameState[] = [];
  scores: ScoreSample[] = [];
  results: RoundResult[] = [];
  texts: string[] = [];
  aways: boolean[] = [];
  faces: Array<{ ts: number; seq: number; firstByte: number; box: readonly number[]; ms: number }> = [];
  state(s: GameState): void {
    this.states.push(s);
  }
  score(s: ScoreSample): void {
    this.scores.push(s);
  }
  result(r: RoundResult): void {
    this.results.push(r);
  }
  text(t: string): boolean {
    this.texts.push(t);
    return true;
  }
  attention(away: boolean): void {
    this.aways.push(away);
  }
  face(frame: Frame, box: readonly [number, number, number, number], ms: number): void {
    this.faces.push({ ts: frame.ts, seq: frame.seq, firstByte: frame.data[0] ?? -1, box: [...box], ms });
  }
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function rig(screen: BoothScreen | undefined) {
  const booth = makeBooth({ width: W, height: H, sync: true, deps: { screen } });
  await booth.start();
  stops.push(() => booth.stopAll());
  const { clock, timers, src, detector, player, runner } = booth;
  const face = (happy: number, yaw = 0): Face => ({ box: [60, 40, 40, 40], score: 0.9, emotions: { happy, neutral: 1 - happy }, pose: { yaw, pitch: 0 } });
  const play = async (ms: number, happy: number, yaw = 0): Promise<void> => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      detector.faces = [face(happy, yaw)];
      src.emit();
      await timers.advanceAsync(33);
    }
  };
  let crackedAt = -1;
  runner.control.onEvent((e) => {
    if (e.type === 'cracked') crackedAt = e.ts;
  });
  for (const b of ['funny', 'level1', 'start'] as const) runner.control.press(b);
  await play(3100, 0.02);
  return { runner, player, play, src, crackedAt: () => crackedAt };
}

describe('booth runner and the screen', () => {
  it('the screen gets state, scores, results and the text; the player gets no text', async () => {
    const screen = new RecordingScreen();
    const r = await rig(screen);
    await r.play(1000, 0.02);
    await r.play(2000, 0.98);
    expect(screen.states.map((s) => s.phase)).toEqual(expect.arrayContaining(['attract', 'select', 'countdown', 'playing', 'result']));
    expect(screen.scores.length).toBeGreaterThan(30);
    expect(screen.results).toMatchObject([{ outcome: 'cracked', mode: 'funny', level: 1 }]);
    expect(screen.texts).toEqual(expect.arrayContaining(['3', '2', '1', 'CRACKED!']));
    expect(r.player.texts).toEqual([]);
  });

  it('the crack cam gets the deciding frame during the call, with the face box and the result time', async () => {
    const screen = new RecordingScreen();
    const r = await rig(screen);
    await r.play(2000, 0.98);
    expect(screen.faces).toHaveLength(1);
    const cracked = screen.results[0]!;
    const f = screen.faces[0]!;
    expect(f.box).toEqual([60, 40, 40, 40]);
    expect(f.ms).toBe(defaultConfig().game.resultMs);
    expect(cracked.outcome).toBe('cracked');
    // the frame is the one captured at the deciding time, its pixels intact (the fake
    // camera writes byte i of frame k as (i + k) & 255, and reuses one buffer)
    expect(f.ts).toBe(r.crackedAt());
    expect(f.firstByte).toBe((f.seq - 1) & 255);
  });

  it('no face wanted: frames are not copied for it and face() is never called', async () => {
    const screen = new RecordingScreen();
    screen.wantsFace = false;
    const r = await rig(screen);
    await r.play(2000, 0.98);
    expect(screen.results).toMatchObject([{ outcome: 'cracked' }]);
    expect(screen.faces).toEqual([]);
  });

  it('looking away: the screen is told at once and when the player looks back', async () => {
    const screen = new RecordingScreen();
    const r = await rig(screen);
    await r.play(500, 0.02, 80);
    await r.play(500, 0.02, 0);
    expect(screen.aways).toEqual([true, false]);
  });

  it('without a screen the warning is the player text', async () => {
    const r = await rig(undefined);
    await r.play(500, 0.02, 80);
    expect(r.player.texts.map((t) => t.text)).toContain('WATCH THE SCREEN!');
    await r.play(3000, 0.02, 80);
    expect(r.runner.control.state().phase).toBe('result');
    expect(r.player.texts.map((t) => t.text)).toContain('YOU LOOKED AWAY · ROUND OVER');
  });
});
