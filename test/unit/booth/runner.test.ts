// The booth runner with the other modules' fakes (frame source, player, virtual
// buttons), a scripted detector and timers on a manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { BoothDeps } from '../../../src/booth/runner.js';
import { defaultConfig } from '../../../src/config/load.js';
import type { ButtonName, Frame, GameEvent, RoundResult, ScoreSample } from '../../../src/types.js';
import { face, makeMedia, type TestBooth, makeBooth } from './fakes.js';

const W = 160;
const H = 120;
const CLIP = '/media/funny/1/clip.mp4';

interface Rig extends TestBooth {
  results: RoundResult[];
  events: GameEvent[];
  scores: ScoreSample[];
  /** frames every 33 ms for ms, the player's face showing `happy` */
  play(ms: number, happy: number, faces?: boolean): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stopAll();
});

async function rig(over: Partial<BoothDeps> = {}): Promise<Rig> {
  const results: RoundResult[] = [];
  const booth = makeBooth({ width: W, height: H, sync: true, deps: { results: { append: (r) => void results.push(r), recent: () => results, totals: () => [] }, ...over } });
  const { clock, timers, src, detector, runner } = booth;
  const events: GameEvent[] = [];
  const scores: ScoreSample[] = [];
  runner.control.onEvent((e) => events.push(e));
  runner.control.onScore((s) => scores.push(s));
  await booth.start();
  const r: Rig = {
    ...booth,
    results,
    events,
    scores,
    async play(ms, happy, faces = true) {
      const end = clock.now() + ms;
      while (clock.now() < end) {
        detector.faces = faces ? [face(W / 2, H / 2, 40, happy)] : [];
        src.emit();
        await timers.advanceAsync(33);
      }
    },
  };
  rigs.push(r);
  return r;
}

const types = (events: GameEvent[]): string[] => events.map((e) => (e.type === 'phase' ? `phase:${e.phase}` : e.type));

describe('booth runner', () => {
  it('hands the judge\'s tracked player box to the detector with every frame once the player is locked', async () => {
    const r = await rig();
    await r.play(300, 0.02);
    expect(r.detector.focus.every((f) => f === null)).toBe(true); // attract: nobody tracked
    for (const b of ['funny', 'level1', 'start'] as const) r.runner.control.press(b);
    const before = r.detector.focus.length;
    // a larger spectator off to the side joins the player (40 px, centred)
    const end = r.clock.now() + 3500;
    while (r.clock.now() < end) {
      r.detector.faces = [face(W / 2, H / 2, 40, 0.02), face(30, 30, 56, 0.02)];
      r.src.emit();
      await r.timers.advanceAsync(33);
    }
    const during = r.detector.focus.slice(before).filter((f) => f !== null);
    expect(during.length).toBeGreaterThan(50);
    for (const f of during) expect(f).toEqual([W / 2 - 20, H / 2 - 20, 40, 40]);
  });

  it('a full round: buttons → countdown → clip → smile → cracked → result → attract', async () => {
    const r = await rig();
    expect(r.player.played).toEqual([{ clip: '/media/attract/loop.mp4', kind: 'attract' }]);
    expect(r.lights.at(-1)).toMatchObject({ funny: 'blink', scary: 'blink', start: 'off' });

    for (const b of ['funny', 'level1', 'start'] as const) expect(r.runner.control.press(b)).toEqual({ ok: true });
    expect(r.runner.control.state()).toMatchObject({ phase: 'countdown', mode: 'funny', level: 1 });

    await r.play(3100, 0.02);
    expect(r.media.picks).toEqual([['funny', 1]]);
    expect(r.player.played.at(-1)).toEqual({ clip: CLIP, kind: 'clip' });
    expect(r.runner.control.state()).toMatchObject({ phase: 'playing', clip: CLIP });

    await r.play(2000, 0.02);
    expect(r.runner.control.lastScore()).toMatchObject({ target: 'happy', threshold: 0.8 });
    expect(r.runner.control.lastFaces()).toMatchObject({ width: W, height: H, faces: [{ score: 0.9 }] });
    await r.play(2000, 0.98);
    expect(r.runner.control.state().phase).toBe('result');
    expect(types(r.events)).toEqual(['phase:attract', 'phase:select', 'phase:countdown', 'phase:playing', 'round_start', 'cracked', 'phase:result']);
    const cracked = r.events.find((e) => e.type === 'cracked');
    expect(cracked?.durationMs).toBeGreaterThan(2000 + 1000);
    expect(cracked?.durationMs).toBeLessThan(2000 + 1000 + 400);
    expect(r.results).toHaveLength(1);
    expect(r.results[0]).toMatchObject({ id: 't-r1', mode: 'funny', level: 1, clip: CLIP, outcome: 'cracked' });
    expect(r.player.texts.map((t) => t.text)).toEqual(expect.arrayContaining(['3', '2', '1', 'CRACKED!']));
    expect(r.player.stats().current).toBeNull(); // the clip was stopped

    await r.timers.advanceAsync(5000);
    expect(r.runner.control.state().phase).toBe('attract');
    expect(r.player.played.at(-1)).toEqual({ clip: '/media/attract/loop.mp4', kind: 'attract' });
  });

  it('survived when the clip ends first; results reach the store and onResult', async () => {
    const r = await rig();
    const seen: RoundResult[] = [];
    const off = r.runner.control.onResult((x) => seen.push(x));
    r.runner.control.press('scary');
    r.runner.control.press('level3');
    r.runner.control.press('start');
    await r.play(3100, 0);
    await r.play(1000, 0.2);
    r.player.finish();
    expect(types(r.events).slice(-2)).toEqual(['survived', 'phase:result']);
    expect(seen).toEqual(r.results);
    expect(seen[0]).toMatchObject({ outcome: 'survived', mode: 'scary', level: 3, endedAt: r.clock.wall() });
    off();
    expect(r.runner.control.start({ mode: 'funny', level: 1 })).toEqual({ ok: true });
    expect(r.runner.control.stop()).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(r.results).toHaveLength(2);
  });

  it('the probed length of the clip goes to the judge: a clip that ends far too early is clip_failed, not survived', async () => {
    const media = { ...makeMedia(), durationMs: (clip: string) => (clip.endsWith('clip.mp4') ? 6000 : undefined) };
    const r = await rig({ media });
    r.runner.control.start({ mode: 'funny', level: 1 });
    await r.play(3100, 0);
    await r.play(2800, 0);
    r.player.finish();
    expect(r.results).toHaveLength(1);
    expect(r.results[0]).toMatchObject({ outcome: 'aborted', reason: expect.stringMatching(/^clip_failed: clip ended after 2\.\d s of its 6\.0 s$/) as unknown });
    expect(types(r.events)).not.toContain('survived');
  });

  it('player restarted mid-round → aborted, never won', async () => {
    const r = await rig();
    r.runner.control.start({ mode: 'funny', level: 2 });
    await r.play(3100, 0);
    await r.play(500, 0);
    r.player.crash('killed');
    await r.play(200, 0);
    r.player.finish();
    expect(r.results).toHaveLength(1);
    expect(r.results[0]?.outcome).toBe('aborted');
    expect(r.results[0]?.reason).toMatch(/mpv died/);
    expect(types(r.events)).not.toContain('survived');
  });

  it('a camera stall mid-round is reported to the judge (aborted: camera_lost)', async () => {
    const r = await rig();
    r.runner.control.start();
    await r.play(3100, 0);
    await r.play(500, 0);
    await r.timers.advanceAsync(3200); // no frames
    expect(r.results[0]).toMatchObject({ outcome: 'aborted' });
    expect(r.results[0]?.reason).toMatch(/^camera_lost: no camera frame/);
    expect(r.runner.stats()).toMatchObject({ cameraDown: true, cameraLost: 1 });
    expect(r.runner.health().reasons).toContain('no faces from the camera and detector lately');
    await r.play(200, 0);
    expect(r.runner.stats().cameraDown).toBe(false);
  });

  it('a capture restart mid-round counts as camera lost', async () => {
    const r = await rig();
    r.runner.control.start();
    await r.play(3100, 0);
    r.src.restart('test');
    await r.timers.advanceAsync(100);
    await r.play(200, 0);
    expect(r.results[0]?.reason).toMatch(/^camera_lost: capture/);
  });

  it('latest wins: one detect in flight, one frame waiting (a copy), newer frames replace it', async () => {
    const r = await rig();
    const sourceBuffers = new Set<Uint8Array>();
    r.src.onFrame((f: Frame) => sourceBuffers.add(f.data));
    const detected: Array<{ seq: number; data: Uint8Array }> = [];
    const inner = r.detector.detect.bind(r.detector);
    r.detector.detect = (f: Frame) => {
      detected.push({ seq: f.seq, data: f.data });
      return inner(f);
    };
    r.detector.gate = true;
    for (let i = 0; i < 5; i++) r.src.emit();
    expect(detected).toHaveLength(1);
    expect(r.runner.stats()).toMatchObject({ frames: 5, dropped: 3, detected: 0 });
    r.detector.release();
    await r.timers.advanceAsync(1);
    expect(detected).toHaveLength(2);
    expect(detected[1]?.seq).toBe((detected[0]?.seq ?? 0) + 4);
    expect(sourceBuffers.has(detected[1]?.data as Uint8Array)).toBe(false);
    r.detector.release();
    await r.timers.advanceAsync(1);
    expect(r.runner.stats()).toMatchObject({ frames: 5, dropped: 3, detected: 2 });
  });

  it('detector errors are counted and do not stop the loop', async () => {
    const r = await rig();
    r.detector.failWith = new Error('boom');
    await r.play(300, 0);
    r.detector.failWith = null;
    await r.play(100, 0);
    expect(r.runner.stats().detectErrors).toBeGreaterThan(5);
    expect(r.runner.stats().detected).toBeGreaterThan(0);
  });

  it('no clip for the mode and level → the round is aborted', async () => {
    const r = await rig();
    r.media.empty = true;
    r.runner.control.start();
    await r.play(3100, 0);
    expect(r.results[0]).toMatchObject({ outcome: 'aborted', reason: 'clip_failed: no clip in funny/1' });
  });

  it('press rejects unknown buttons; hold of start through the buttons is the staff stop', async () => {
    const r = await rig();
    expect(r.runner.control.press('nope' as ButtonName)).toMatchObject({ ok: false, code: 'POKERFACE_ERR_UNKNOWN_BUTTON' });
    r.runner.control.start();
    r.buttons.pressVirtual('start', 'hold');
    expect(r.runner.control.state().phase).toBe('attract');
    expect(r.results[0]).toMatchObject({ reason: 'staff' });
  });

  it('stop leaves no timer running and ignores late inputs; commands answer not ready', async () => {
    const r = await rig();
    await r.runner.stop();
    expect(r.lights.at(-1)).toEqual({ funny: 'off', scary: 'off', level1: 'off', level2: 'off', level3: 'off', start: 'off' });
    await r.play(100, 0);
    expect(r.runner.stats().frames).toBe(0);
    expect(r.runner.control.start()).toMatchObject({ ok: false, code: 'POKERFACE_ERR_BOOTH_NOT_READY' });
    expect(r.runner.control.press('funny')).toMatchObject({ ok: false, code: 'POKERFACE_ERR_BOOTH_NOT_READY' });
    await r.stopAll();
    expect(r.timers.size).toBe(0);
  });

  it('missing required services: unhealthy with reasons, staff start still runs the judge', async () => {
    const r = await rig({ player: undefined, buttons: undefined });
    const h = r.runner.health();
    expect(h.healthy).toBe(false);
    expect(h.reasons).toEqual(expect.arrayContaining(['service player is missing', 'service buttons is missing']));
    expect(r.runner.control.press('funny')).toMatchObject({ ok: false, code: 'POKERFACE_ERR_BOOTH_NOT_READY' });
    expect(r.runner.control.start()).toEqual({ ok: true });
    await r.play(3100, 0);
    expect(r.results[0]).toMatchObject({ outcome: 'aborted', reason: 'clip_failed: no player' });
  });

  it('healthy with every service present and running', async () => {
    const r = await rig();
    await r.play(100, 0);
    expect(r.runner.health()).toEqual({ name: 'booth', healthy: true, reasons: [] });
  });
});

describe('booth runner: game rules reloaded without a restart', () => {
  it('takes new rules in attract (new thresholds apply to the next round, event ids stay unique) and refuses them mid-round', async () => {
    const r = await rig();
    const base = defaultConfig();
    const strict = { ...base, game: { ...base.game, levels: base.game.levels.map((l) => ({ ...l, threshold: 0.99 })) } };
    expect(r.runner.control.reloadGame(strict)).toEqual({ ok: true });
    const before = r.events.length;
    // a big smile no longer cracks: 0.99 is out of reach
    for (const b of ['funny', 'level1', 'start'] as const) expect(r.runner.control.press(b)).toEqual({ ok: true });
    await r.play(3100, 0.02);
    await r.play(2000, 0.02);
    expect(r.runner.control.state(), JSON.stringify(types(r.events.slice(before)))).toMatchObject({ phase: 'playing' });
    expect(r.runner.control.lastScore()).toMatchObject({ threshold: 0.99 });
    await r.play(2000, 0.98);
    expect(types(r.events.slice(before))).not.toContain('cracked');
    expect(r.runner.control.state().phase).toBe('playing');
    expect(r.runner.control.reloadGame(base)).toMatchObject({ ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: expect.stringContaining('playing') as string });
    const ids = r.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(r.events.slice(before).every((e) => e.id.startsWith('tg1'))).toBe(true);
  });
});
