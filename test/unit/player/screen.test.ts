// The screen (HUD, attract, crack cam) on a manual clock with a recording surface: it
// redraws at most hz times a second, only sends what changed, never has two overlay
// requests in flight, draws the game's text itself, and drops the crack cam's picture
// (zeroed) when the result time is over.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { cropFaceBgra } from '../../../src/player/face-crop.js';
import { escapeAss, renderHud, todayFigures, localDay, type HudView } from '../../../src/player/hud.js';
import { FACE_SIZE, Screen, type ScreenSurface } from '../../../src/player/screen.js';
import type { Frame, GameState, ScoreSample } from '../../../src/types.js';
import { TestTimers } from '../../test-timers.js';

class Surface implements ScreenSurface {
  overlays: Array<string | null> = [];
  images: Array<{ bgra: Uint8Array; width: number; height: number } | null> = [];
  hold = false;
  private release: Array<() => void> = [];
  overlay(ass: string | null): Promise<void> {
    this.overlays.push(ass);
    if (!this.hold) return Promise.resolve();
    return new Promise((r) => this.release.push(r));
  }
  image(img: { bgra: Uint8Array; width: number; height: number } | null): Promise<void> {
    this.images.push(img);
    return Promise.resolve();
  }
  releaseAll(): void {
    for (const r of this.release.splice(0)) r();
  }
}

const HUD = { ...defaultConfig().player.hud, hz: 10 };
const st = (phase: GameState['phase'], clip: string | null = null): GameState => ({ phase, mode: 'funny', level: 2, clip, since: 0 });
const score = (smoothed: number, heldMs = 0): ScoreSample => ({ ts: 0, target: 'happy', value: smoothed, smoothed, threshold: 0.7, holdMs: 700, heldMs, faces: 1 });

function rig(over: Partial<typeof HUD> = {}) {
  const clock = new ManualClock(0, new Date(2026, 10, 30, 12).getTime());
  const timers = new TestTimers(clock);
  const surface = new Surface();
  const screen = new Screen({
    config: { ...HUD, ...over },
    surface,
    log: silentLogger,
    clock,
    timers,
    durationOf: () => 20_000,
    totals: () => [{ day: '2026-11-30', mode: 'funny', level: 1, rounds: 128, cracked: 80, survived: 44, aborted: 4 }],
  });
  return { clock, timers, surface, screen };
}

describe('screen', () => {
  it('redraws at most hz times a second, and sends only what changed', async () => {
    const { timers, surface, screen } = rig();
    await screen.start();
    await timers.advanceAsync(100);
    expect(surface.overlays).toHaveLength(1); // the attract screen
    expect(surface.overlays[0]).toContain('KEEP A STRAIGHT FACE');
    expect(surface.overlays[0]).toContain('128 players today · 34 % survived funny level 1');
    await timers.advanceAsync(1000);
    expect(surface.overlays).toHaveLength(1); // nothing changed

    screen.state(st('playing', 'clip.mp4'));
    // 30 score samples a second for 2 s: at most 10 redraws a second go out
    for (let i = 0; i < 60; i++) {
      screen.score(score(i / 60));
      await timers.advanceAsync(1000 / 30);
    }
    const sent = surface.overlays.length - 1;
    expect(sent).toBeGreaterThanOrEqual(15);
    expect(sent).toBeLessThanOrEqual(21);
    expect(screen.stats().sent).toBe(surface.overlays.length);
    await screen.stop();
    expect(surface.overlays.at(-1)).toBeNull();
    expect(timers.size).toBe(0);
  });

  it('never has two overlay requests in flight: a slow mpv gets the newest view next', async () => {
    const { timers, surface, screen } = rig();
    await screen.start();
    screen.state(st('playing', 'clip.mp4'));
    surface.hold = true;
    await timers.advanceAsync(100);
    const n = surface.overlays.length;
    for (let i = 0; i < 20; i++) {
      screen.score(score(i / 20));
      await timers.advanceAsync(100);
    }
    expect(surface.overlays.length).toBe(n); // still waiting on the first
    surface.hold = false;
    surface.releaseAll();
    await timers.advanceAsync(200);
    expect(surface.overlays.length).toBe(n + 1);
    expect(surface.overlays.at(-1)).toContain('136%'); // the newest score: 0.95 against 0.7
    await screen.stop();
  });

  it('draws the countdown, the result line and "Watch the screen!" itself', async () => {
    const { clock, timers, surface, screen } = rig();
    await screen.start();
    screen.state(st('countdown'));
    expect(screen.text('3', 1000)).toBe(true);
    await timers.advanceAsync(100);
    expect(surface.overlays.at(-1)).toContain('}3');
    screen.state(st('playing', 'clip.mp4'));
    screen.score(score(0.3));
    screen.attention(true);
    await timers.advanceAsync(100);
    expect(surface.overlays.at(-1)).toContain('WATCH THE SCREEN!');
    expect(surface.overlays.at(-1)).toContain('0:20 left');
    screen.attention(false);
    await timers.advanceAsync(100);
    expect(surface.overlays.at(-1)).not.toContain('WATCH THE SCREEN!');
    screen.result({ id: 'r', endedAt: clock.wall(), mode: 'funny', level: 2, clip: 'clip.mp4', outcome: 'cracked', peak: 0.9, durationMs: 3200 });
    screen.state(st('result', 'clip.mp4'));
    screen.text('CRACKED!', 5000);
    await timers.advanceAsync(100);
    expect(surface.overlays.at(-1)).toContain('CRACKED!');
    expect(surface.overlays.at(-1)).toContain('after 3.2 s — level 2 funny');
    await timers.advanceAsync(5000);
    expect(surface.overlays.at(-1)).toBeNull(); // the result screen is over: nothing left to draw
    await screen.stop();
  });

  it('with the HUD off it draws no text (the player shows it) and sends nothing', async () => {
    const { timers, surface, screen } = rig({ enabled: false, crackCam: true });
    await screen.start();
    expect(screen.text('3', 1000)).toBe(false);
    await timers.advanceAsync(500);
    expect(surface.overlays.every((o) => o === null)).toBe(true);
    await screen.stop();
  });

  it('crack cam: shows the face for the result time, then takes it down and zeroes it', async () => {
    const { timers, surface, screen } = rig({ crackCam: true });
    await screen.start();
    const frame: Frame = { seq: 1, ts: 0, width: 4, height: 4, format: 'rgb24', data: new Uint8Array(48).fill(200) };
    screen.face(frame, [0, 0, 4, 4], 3000);
    const img = surface.images.at(-1);
    expect(img).toMatchObject({ width: FACE_SIZE, height: FACE_SIZE });
    expect(img!.bgra.some((v) => v === 200)).toBe(true);
    await timers.advanceAsync(2900);
    expect(surface.images.at(-1)).not.toBeNull();
    await timers.advanceAsync(200);
    expect(surface.images.at(-1)).toBeNull();
    expect(img!.bgra.every((v) => v === 0)).toBe(true);
    await screen.stop();
  });

  it('crack cam off: face() shows nothing', async () => {
    const { surface, screen } = rig({ crackCam: false });
    await screen.start();
    expect(screen.wantsFace).toBe(false);
    screen.face({ seq: 1, ts: 0, width: 2, height: 2, format: 'gray8', data: new Uint8Array(4) }, [0, 0, 2, 2], 1000);
    expect(surface.images.filter((i) => i !== null)).toEqual([]);
    await screen.stop();
  });
});

describe('HUD rendering', () => {
  const view = (over: Partial<HudView> = {}): HudView => ({ phase: 'playing', mode: 'funny', level: 1, big: null, sub: null, secondsLeft: 12.2, meter: { smoothed: 0.4, threshold: 0.8, heldMs: 0, holdMs: 1000 }, away: false, figures: null, position: 'bottom', ...over });

  it('the meter fill follows the smoothed score and the hold bar the hold', () => {
    const bar = (ass: string): number[] => [...ass.matchAll(/m (\d+) (\d+) l (\d+) \d+/g)].map((m) => Number(m[3]) - Number(m[1]));
    const low = bar(renderHud(view()));
    const high = bar(renderHud(view({ meter: { smoothed: 0.8, threshold: 0.8, heldMs: 500, holdMs: 1000 } })));
    // background, track, fill, threshold mark, hold
    expect(high[2]! - low[2]!).toBeCloseTo(0.4 * 1000, -1);
    expect(low[4]).toBe(0);
    expect(high[4]).toBeCloseTo(500, -1);
    expect(renderHud(view())).toContain('0:13 left');
    expect(renderHud(view())).toContain('FUNNY · LEVEL 1');
  });

  it('top or bottom', () => {
    const y = (ass: string): number => Number(/m \d+ (\d+) l/.exec(ass)?.[1]);
    expect(y(renderHud(view({ position: 'top' })))).toBeLessThan(200);
    expect(y(renderHud(view({ position: 'bottom' })))).toBeGreaterThan(500);
  });

  it('text cannot open ASS override blocks', () => {
    expect(escapeAss('a{\\p1}b\nc')).not.toMatch(/[{}\\\n]/);
    expect(renderHud(view({ phase: 'result', big: '{\\fs400}x', meter: null }))).not.toContain('{\\fs400}');
  });

  it("today's figures: the most played mode and level, only today's rows", () => {
    const t = (day: string, mode: string, level: number, rounds: number, survived: number) => ({ day, mode, level, rounds, cracked: rounds - survived, survived, aborted: 0 });
    expect(todayFigures([t('2026-11-30', 'funny', 1, 100, 34), t('2026-11-30', 'scary', 2, 28, 10), t('2026-11-29', 'funny', 1, 999, 0)], '2026-11-30')).toBe('128 players today · 34 % survived funny level 1');
    expect(todayFigures([t('2026-11-29', 'funny', 1, 5, 1)], '2026-11-30')).toBeNull();
    expect(localDay(new Date(2026, 0, 2, 23, 59).getTime())).toBe('2026-01-02');
  });

  it('the crack cam crop is BGRA, opaque, in the right colour order', () => {
    const f = (format: Frame['format'], px: number[]): Frame => ({ seq: 0, ts: 0, width: 1, height: 1, format, data: new Uint8Array(px) });
    const out = new Uint8Array(4 * 4 * 4);
    cropFaceBgra(f('rgb24', [10, 20, 30]), [0, 0, 1, 1], 4, out, 0);
    expect([...out.subarray(0, 4)]).toEqual([30, 20, 10, 255]);
    cropFaceBgra(f('bgr24', [10, 20, 30]), [0, 0, 1, 1], 4, out, 0);
    expect([...out.subarray(0, 4)]).toEqual([10, 20, 30, 255]);
    cropFaceBgra(f('gray8', [77]), [0, 0, 1, 1], 4, out, 0);
    expect([...out.subarray(0, 4)]).toEqual([77, 77, 77, 255]);
    // outside the frame: black
    cropFaceBgra(f('gray8', [77]), [0, 0, 1, 1], 4, out, 1);
    expect([...out.subarray(0, 4)]).toEqual([0, 0, 0, 255]);
  });
});
