// Whole-game scenarios with synthetic face streams: the state machine, the player
// track, the baseline, face and camera loss, timeouts and staff commands.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import { Judge } from '../../../src/judge/judge.js';
import { judgeRules } from '../../../src/judge/rules.js';
import { centreFace, eventTypes, face, frameTimes, H, harness, phases, press, startRound, W } from './harness.js';

const CLIP = 'media/funny/1/a.mp4';

describe('a round from the buttons to the result', () => {
  it('attract → select → countdown → playing → cracked → result → attract', () => {
    const h = harness();
    expect(h.j.state().phase).toBe('attract');
    expect(h.rec.effects[0]).toEqual({ type: 'playAttract' });

    h.j.button(press('funny', 1000));
    expect(h.j.state()).toMatchObject({ phase: 'select', mode: 'funny', level: null });
    h.j.button(press('level2', 1100));
    expect(h.j.state()).toMatchObject({ phase: 'select', mode: 'funny', level: 2 });
    const lights = h.rec.effects.filter((e) => e.type === 'lights').at(-1);
    expect(lights).toMatchObject({ lights: { funny: 'blink', scary: 'on', level2: 'blink', level1: 'on', start: 'blink' } });

    h.rec.effects.length = 0;
    h.j.button(press('start', 1200));
    expect(h.j.state()).toMatchObject({ phase: 'countdown', mode: 'funny', level: 2, since: 1200 });
    for (const ts of frameTimes(1200, 4200, 30)) {
      h.j.faces(ts, [centreFace(0.05)], W, H);
      h.j.tick(ts);
    }
    const texts = h.rec.effects.filter((e) => e.type === 'showText').map((e) => (e.type === 'showText' ? e.text : ''));
    expect(texts).toEqual(['3', '2', '1']);
    expect(h.rec.effects[0]).toEqual({ type: 'stopClip' });

    h.j.tick(4200);
    expect(h.j.state().phase).toBe('playing');
    expect(h.rec.effects.at(-1)).toEqual({ type: 'playClip', mode: 'funny', media: 'funny', level: 2 });

    h.j.clipStarted(CLIP, 4300);
    expect(h.j.state()).toMatchObject({ phase: 'playing', clip: CLIP });
    // level 2: 0.7 / 700 ms / 120 ms smoothing
    let t = 4300;
    for (; t < 6000; t += 33) h.j.faces(t, [centreFace(0.05)], W, H);
    for (; h.j.state().phase === 'playing' && t < 9000; t += 33) h.j.faces(t, [centreFace(0.95)], W, H);
    expect(h.j.state().phase).toBe('result');
    const cracked = h.rec.events.find((e) => e.type === 'cracked');
    expect(cracked).toMatchObject({ mode: 'funny', level: 2, clip: CLIP, outcome: 'cracked' });
    expect(cracked?.durationMs).toBeGreaterThan(1700 + 700);
    expect(cracked?.durationMs).toBeLessThan(1700 + 700 + 400);
    expect(cracked?.peak).toBeGreaterThanOrEqual(0.7);
    expect(h.rec.results).toEqual([
      { id: 't-r1', endedAt: (cracked?.ts ?? 0) + 1_000_000, mode: 'funny', level: 2, clip: CLIP, outcome: 'cracked', peak: cracked?.peak, durationMs: cracked?.durationMs },
    ]);
    expect(h.rec.effects).toContainEqual({ type: 'showText', text: 'CRACKED!', ms: 5000 });

    // the last sample is the deciding one
    const last = h.rec.scores.at(-1);
    expect(last).toMatchObject({ target: 'happy', threshold: 0.7, holdMs: 700, faces: 1 });
    expect(last?.heldMs).toBeGreaterThanOrEqual(700);

    h.j.tick((cracked?.ts ?? 0) + 4999);
    expect(h.j.state().phase).toBe('result');
    h.j.tick((cracked?.ts ?? 0) + 5000);
    expect(h.j.state()).toMatchObject({ phase: 'attract', mode: null, level: null, clip: null });
    expect(h.rec.effects.at(-2)).toEqual({ type: 'playAttract' });
    expect(phases(h.rec)).toEqual(['attract', 'select', 'countdown', 'playing', 'result', 'attract']);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'cracked']);
    // ids are unique
    expect(new Set(h.rec.events.map((e) => e.id)).size).toBe(h.rec.events.length);
  });

  it('survives when the clip ends first', () => {
    const h = harness();
    const clipAt = startRound(h);
    for (const ts of frameTimes(clipAt + 1, clipAt + 5000, 30)) h.j.faces(ts, [centreFace(0.3)], W, H);
    h.j.clipEnded('media/other.mp4', clipAt + 5000); // not ours: ignored
    expect(h.j.state().phase).toBe('playing');
    h.j.clipEnded(CLIP, clipAt + 5000);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'survived']);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'survived', durationMs: 5000, level: 1 });
    expect(h.rec.effects).toContainEqual({ type: 'showText', text: 'SURVIVED!', ms: 5000 });
    expect(h.rec.effects.filter((e) => e.type === 'stopClip')).toHaveLength(1); // only at countdown
  });

  it('mode and level can be picked in any order; start with no level plays level 1', () => {
    const h = harness();
    h.j.button(press('level3', 10));
    expect(h.j.state()).toMatchObject({ phase: 'select', mode: null, level: 3 });
    h.j.button(press('start', 20)); // no mode yet: stays in select
    expect(h.j.state().phase).toBe('select');
    h.j.button(press('scary', 30));
    h.j.button(press('funny', 40));
    h.j.button(press('start', 50));
    expect(h.j.state()).toMatchObject({ phase: 'countdown', mode: 'funny', level: 3 });

    const h2 = harness();
    h2.j.button(press('scary', 10));
    h2.j.button(press('start', 20));
    expect(h2.j.state()).toMatchObject({ phase: 'countdown', mode: 'scary', level: 1 });
  });

  it('scary mode sums surprised and fearful', () => {
    const h = harness({ levels: [{ level: 1, threshold: 0.6, holdMs: 0, smoothingMs: 0 }] });
    const clipAt = startRound(h, { mode: 'scary' });
    h.j.faces(clipAt + 10, [centreFace(0, { surprised: 0.35, fearful: 0.2 })], W, H);
    expect(h.rec.scores.at(-1)).toMatchObject({ target: 'surprised+fearful' });
    expect(h.rec.scores.at(-1)?.value).toBeCloseTo(0.55);
    h.j.faces(clipAt + 20, [centreFace(0.9, { surprised: 0.35, fearful: 0.3 })], W, H);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'cracked']);
  });

  it('campaign: surviving a level counts down into the next one', () => {
    const h = harness({ campaign: true });
    const clipAt = startRound(h, { level: 2 });
    h.j.clipEnded(CLIP, clipAt + 3000);
    expect(h.rec.effects).toContainEqual({ type: 'showText', text: 'SURVIVED! · LEVEL 3 NEXT', ms: 5000 });
    h.j.tick(clipAt + 8000);
    expect(h.j.state()).toMatchObject({ phase: 'countdown', mode: 'funny', level: 3 });
    for (const ts of frameTimes(clipAt + 8000, clipAt + 11_000, 30)) h.j.faces(ts, [centreFace(0)], W, H);
    h.j.tick(clipAt + 11_000);
    expect(h.rec.effects.at(-1)).toEqual({ type: 'playClip', mode: 'funny', media: 'funny', level: 3 });
    h.j.clipStarted('media/funny/3/b.mp4', clipAt + 11_100);
    h.j.clipEnded('media/funny/3/b.mp4', clipAt + 14_000);
    expect(h.rec.effects).toContainEqual({ type: 'showText', text: 'SURVIVED! · ALL LEVELS', ms: 5000 });
    h.j.tick(clipAt + 19_000);
    expect(h.j.state().phase).toBe('attract');
    expect(h.rec.results.map((r) => [r.level, r.outcome])).toEqual([
      [2, 'survived'],
      [3, 'survived'],
    ]);
    expect(new Set(h.rec.results.map((r) => r.id)).size).toBe(2);
  });
});

describe('baseline', () => {
  it('a person with a resting smile can still play, and still loses to a real laugh', () => {
    // resting happy 0.75 at level 2 (threshold 0.7): without a baseline they lose at once
    const without = harness({ baseline: false });
    let clipAt = startRound(without, { level: 2, restHappy: 0.75 });
    for (const ts of frameTimes(clipAt + 1, clipAt + 3000, 30)) without.j.faces(ts, [centreFace(0.75)], W, H);
    expect(eventTypes(without.rec)).toEqual(['round_start', 'cracked']);

    const h = harness();
    clipAt = startRound(h, { level: 2, restHappy: 0.75 });
    for (const ts of frameTimes(clipAt + 1, clipAt + 3000, 30)) h.j.faces(ts, [centreFace(0.75)], W, H);
    expect(eventTypes(h.rec)).toEqual(['round_start']);
    // baseline is capped at 0.5: 0.75 rest scores (0.75-0.5)/0.5 = 0.5 < 0.7
    expect(h.j.holdState().baseline).toBeCloseTo(0.5);
    expect(h.rec.scores.at(-1)?.value).toBeCloseTo(0.5);
    for (const ts of frameTimes(clipAt + 3000, clipAt + 5000, 30)) h.j.faces(ts, [centreFace(1)], W, H);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'cracked']);
  });

  it('subtracts the measured rest score and clamps at 0', () => {
    const h = harness({ baselineRescale: false });
    const clipAt = startRound(h, { restHappy: 0.3 });
    expect(h.j.holdState().baseline).toBeCloseTo(0.3);
    h.j.faces(clipAt + 33, [centreFace(0.1)], W, H);
    h.j.faces(clipAt + 66, [centreFace(0.5)], W, H);
    expect(h.rec.scores.map((s) => s.value)).toEqual([0, expect.closeTo(0.2) as number]);
  });
});

describe('player tracking', () => {
  it('a laughing spectator entering the picture is ignored', () => {
    const h = harness({ levels: [{ level: 1, threshold: 0.6, holdMs: 300, smoothingMs: 100 }] });
    const clipAt = startRound(h);
    let x = 320;
    for (const ts of frameTimes(clipAt + 1, clipAt + 4000, 30)) {
      x += 0.5; // the player sways a little
      const player = face(x, 240, 160, { neutral: 0.9, happy: 0.05 });
      const spectator = face(580, 120, 200, { happy: 0.99 }); // bigger, off centre, laughing
      h.j.faces(ts, ts > clipAt + 1000 ? [spectator, player] : [player], W, H);
    }
    expect(h.j.state().phase).toBe('playing');
    expect(Math.max(...h.rec.scores.map((s) => s.value))).toBeLessThan(0.1);
    expect(h.rec.scores.at(-1)?.faces).toBe(2);
  });

  it('the player is the largest face near the centre at countdown, not the biggest at the edge', () => {
    const h = harness({ levels: [{ level: 1, threshold: 0.6, holdMs: 0, smoothingMs: 0 }] });
    h.j.button(press('funny', 0));
    h.j.button(press('start', 10));
    const player = face(330, 250, 150, { happy: 0.0 });
    const edge = face(80, 80, 170, { happy: 0.0 });
    for (const ts of frameTimes(10, 3010, 30)) h.j.faces(ts, [edge, player], W, H);
    h.j.tick(3010);
    h.j.clipStarted(CLIP, 3050);
    h.j.faces(3100, [face(80, 80, 170, { happy: 1 }), face(332, 250, 150, { happy: 0.1 })], W, H);
    expect(h.j.state().phase).toBe('playing');
    h.j.faces(3133, [face(80, 80, 170, { happy: 0 }), face(334, 250, 150, { happy: 0.9 })], W, H);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'cracked']);
  });

  it('face missing longer than faceLostMs → aborted (hiding is not winning)', () => {
    const h = harness({ faceLostMs: 1500 });
    const clipAt = startRound(h);
    for (const ts of frameTimes(clipAt + 1, clipAt + 1000, 30)) h.j.faces(ts, [centreFace(0.1)], W, H);
    const lastSeen = frameTimes(clipAt + 1, clipAt + 1000, 30).at(-1) ?? 0;
    for (const ts of frameTimes(clipAt + 1000, clipAt + 4000, 30)) {
      h.j.faces(ts, [], W, H);
      if (h.j.state().phase !== 'playing') break;
    }
    const aborted = h.rec.events.find((e) => e.type === 'aborted');
    expect(aborted).toMatchObject({ reason: 'face_lost', outcome: 'aborted' });
    expect((aborted?.ts ?? 0) - lastSeen).toBeGreaterThan(1500);
    expect((aborted?.ts ?? 0) - lastSeen).toBeLessThan(1500 + 34);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'face_lost' });
  });

  it('a face missing for less than faceLostMs is fine; onFaceLost ignore never aborts', () => {
    for (const onFaceLost of ['abort', 'ignore'] as const) {
      const h = harness({ onFaceLost, faceLostMs: 1500 });
      const clipAt = startRound(h);
      for (const ts of frameTimes(clipAt + 1, clipAt + 10_000, 30)) {
        const gap = onFaceLost === 'abort' ? ts % 2000 < 1400 : ts > clipAt + 2000;
        h.j.faces(ts, gap ? [] : [centreFace(0.1)], W, H);
      }
      expect(h.j.state().phase).toBe('playing');
    }
  });

  it('no face at all during the countdown → aborted (no_face), no clip played', () => {
    const h = harness();
    h.j.button(press('funny', 0));
    h.j.button(press('start', 10));
    h.j.tick(3010);
    expect(h.j.state().phase).toBe('result');
    expect(h.rec.events.find((e) => e.type === 'aborted')).toMatchObject({ reason: 'no_face', clip: null, durationMs: 0 });
    expect(h.rec.effects.some((e) => e.type === 'playClip')).toBe(false);
  });
});

describe('timeouts and staff', () => {
  it('selection times out back to attract; each press restarts the timer', () => {
    const h = harness({ selectTimeoutMs: 20_000 });
    h.j.button(press('funny', 1000));
    h.j.tick(20_000);
    h.j.button(press('level2', 20_500));
    h.j.tick(40_499);
    expect(h.j.state().phase).toBe('select');
    h.j.tick(40_500);
    expect(h.j.state()).toMatchObject({ phase: 'attract', mode: null, level: null, since: 40_500 });
    expect(h.rec.results).toEqual([]);
  });

  it('staff stop from any phase returns to attract; a running round is aborted', () => {
    const h = harness();
    const clipAt = startRound(h);
    h.j.faces(clipAt + 30, [centreFace(0.1)], W, H);
    expect(h.j.staffStop(clipAt + 100)).toEqual({ ok: true });
    expect(h.j.state().phase).toBe('attract');
    expect(h.rec.events.find((e) => e.type === 'aborted')).toMatchObject({ reason: 'staff', durationMs: 100, clip: CLIP });
    expect(phases(h.rec).slice(-2)).toEqual(['playing', 'attract']); // no result screen
    for (const setup of [(): void => undefined, (): void => h.j.button(press('scary', clipAt + 200))]) {
      setup();
      expect(h.j.staffStop(clipAt + 300)).toEqual({ ok: true });
      expect(h.j.state().phase).toBe('attract');
    }
    expect(h.rec.results).toHaveLength(1);
  });

  it('staff start from any phase, with mode and level; bad choices are refused', () => {
    const h = harness();
    expect(h.j.staffStart(100, { mode: 'scary', level: 3 })).toEqual({ ok: true });
    expect(h.j.state()).toMatchObject({ phase: 'countdown', mode: 'scary', level: 3 });
    expect(h.j.staffStart(200, { mode: 'nope' })).toMatchObject({ ok: false, code: 'POKERFACE_ERR_GAME_STATE' });
    expect(h.j.staffStart(200, { level: 4 })).toMatchObject({ ok: false });
    expect(h.j.state()).toMatchObject({ phase: 'countdown', since: 100 });
    // restarting mid-countdown aborts that round and begins a fresh one
    expect(h.j.staffStart(300)).toEqual({ ok: true });
    expect(h.j.state()).toMatchObject({ phase: 'countdown', mode: 'scary', level: 3, since: 300 });
    expect(h.rec.results.map((r) => [r.id, r.reason])).toEqual([['t-r1', 'staff']]);
  });

  it('a hold of start (sent by the controls after staffHoldMs) is the hidden staff button', () => {
    const h = harness();
    startRound(h, { t: 0 });
    h.j.button(press('funny', 5000, 'hold')); // other holds: nothing
    expect(h.j.state().phase).toBe('playing');
    h.j.button(press('start', 8000, 'hold'));
    expect(h.j.state().phase).toBe('attract');
    startRound(h, { t: 9000 });
    h.j.button(press('start', 13_000, 'hold', 'virtual'));
    expect(h.j.state().phase).toBe('attract');
    h.j.button(press('funny', 14_000));
    h.j.button(press('start', 15_000, 'hold', 'keyboard'));
    expect(h.j.state().phase).toBe('attract');
    expect(h.rec.results.map((r) => r.reason)).toEqual(['staff', 'staff']);
  });

  it('buttons during a round do nothing', () => {
    const h = harness();
    const clipAt = startRound(h);
    for (const b of ['funny', 'scary', 'level1', 'start'] as const) h.j.button(press(b, clipAt + 10));
    expect(h.j.state()).toMatchObject({ phase: 'playing', mode: 'funny', level: 1 });
  });

  it('a round that never ends is aborted after maxRoundMs', () => {
    const h = harness({ maxRoundMs: 60_000 });
    startRound(h, { t: 0 });
    h.j.tick(3200 + 60_000);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'timeout' });
  });
});

describe('player and camera trouble', () => {
  it('player restarted mid-round → aborted, never won', () => {
    const h = harness();
    const clipAt = startRound(h);
    h.j.playerRestarted(clipAt + 500, 'mpv died');
    h.j.clipEnded(CLIP, clipAt + 600);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'aborted']);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'player_restarted: mpv died' });
  });

  it('player restarted while idle plays the attract loop again', () => {
    const h = harness();
    h.rec.effects.length = 0;
    h.j.playerRestarted(100, 'mpv died');
    expect(h.rec.effects).toEqual([{ type: 'playAttract' }]);
  });

  it('a clip that fails to play aborts the round', () => {
    const h = harness();
    h.j.button(press('funny', 0));
    h.j.button(press('start', 10));
    for (const ts of frameTimes(10, 3010, 30)) h.j.faces(ts, [centreFace(0)], W, H);
    h.j.tick(3010);
    h.j.clipFailed('', 3020, 'no clips');
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'clip_failed: no clips' });
  });

  it('a clip that ends well before its probed length is a failed clip, never survived', () => {
    const clip = 'media/funny/1/cut.mp4';
    const round = (endAfterMs: number, durationMs: number | null | undefined): ReturnType<typeof harness> => {
      const h = harness();
      const at = startRound(h);
      // the clip that startRound started had no length; this round's clip is told with its probed one
      h.j.staffStop(at + 1);
      h.j.tick(at + 10_000);
      const t = at + 20_000;
      h.j.staffStart(t);
      for (const ts of frameTimes(t, t + h.rules.countdownMs, 30)) h.j.faces(ts, [centreFace(0.02)], W, H);
      h.j.tick(t + h.rules.countdownMs);
      const clipAt = t + h.rules.countdownMs + 50;
      h.j.clipStarted(clip, clipAt, durationMs);
      for (const ts of frameTimes(clipAt, clipAt + endAfterMs, 30)) h.j.faces(ts, [centreFace(0.02)], W, H);
      h.j.clipEnded(clip, clipAt + endAfterMs);
      return h;
    };
    // 6 s clip stopping after 2.8 s (a file cut at half its bytes): aborted
    const cut = round(2800, 6000);
    expect(cut.rec.results[1]).toMatchObject({ outcome: 'aborted', reason: 'clip_failed: clip ended after 2.8 s of its 6.0 s', clip });
    expect(cut.rec.events.some((e) => e.type === 'survived')).toBe(false);
    // within 1 s (or 10 % of a long clip) of its length: a normal end
    expect(round(5100, 6000).rec.results[1]).toMatchObject({ outcome: 'survived' });
    expect(round(55_000, 60_000).rec.results[1]).toMatchObject({ outcome: 'survived' });
    expect(round(50_000, 60_000).rec.results[1]).toMatchObject({ outcome: 'aborted', reason: 'clip_failed: clip ended after 50.0 s of its 60.0 s' });
    // no probed length: the end is taken as it comes
    expect(round(2800, null).rec.results[1]).toMatchObject({ outcome: 'survived' });
    expect(round(2800, undefined).rec.results[1]).toMatchObject({ outcome: 'survived' });
  });

  it('camera lost mid-round aborts (onCameraLost: abort)', () => {
    const h = harness({ onCameraLost: 'abort' });
    const clipAt = startRound(h);
    h.j.cameraLost(clipAt + 500, 'stall');
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'camera_lost: stall' });
    // while the camera is down a new round aborts at once
    h.j.tick(clipAt + 6000);
    expect(h.j.staffStart(clipAt + 6100)).toEqual({ ok: true });
    expect(h.rec.results[1]).toMatchObject({ reason: 'camera_lost' });
    h.j.cameraBack(clipAt + 7000);
    expect(h.j.staffStart(clipAt + 12_000)).toEqual({ ok: true });
    expect(h.j.state().phase).toBe('countdown');
  });

  it('camera lost mid-round pauses scoring (onCameraLost: pause); the hold restarts after', () => {
    const h = harness({ onCameraLost: 'pause', levels: [{ level: 1, threshold: 0.6, holdMs: 500, smoothingMs: 0 }] });
    const clipAt = startRound(h);
    for (const ts of frameTimes(clipAt + 1, clipAt + 400, 30)) h.j.faces(ts, [centreFace(0.9)], W, H);
    h.j.cameraLost(clipAt + 400, 'capture restarted');
    h.j.faces(clipAt + 450, [centreFace(0.9)], W, H); // ignored while paused
    h.j.cameraBack(clipAt + 3000);
    expect(h.j.state().phase).toBe('playing');
    for (const ts of frameTimes(clipAt + 3001, clipAt + 3400, 30)) h.j.faces(ts, [centreFace(0.9)], W, H);
    expect(h.j.state().phase).toBe('playing'); // 400 ms since back < 500 ms
    for (const ts of frameTimes(clipAt + 3400, clipAt + 3600, 30)) h.j.faces(ts, [centreFace(0.9)], W, H);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'cracked']);
  });

  it('clip ending while the camera is paused is not a win', () => {
    const h = harness({ onCameraLost: 'pause' });
    const clipAt = startRound(h);
    h.j.cameraLost(clipAt + 400, 'stall');
    h.j.clipEnded(CLIP, clipAt + 3000);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'camera_lost' });
  });
});

describe('robustness', () => {
  it('inputs before start() are ignored', () => {
    const rec: string[] = [];
    const j = new Judge(judgeRules(defaultConfig()), {
      state: () => rec.push('state'),
      event: () => rec.push('event'),
      score: () => rec.push('score'),
      result: () => rec.push('result'),
      effect: () => rec.push('effect'),
    });
    j.button(press('funny', 0));
    j.tick(100);
    expect(j.staffStop(100)).toMatchObject({ ok: false });
    expect(rec).toEqual([]);
    expect(j.state().phase).toBe('attract');
  });

  it('a sink may feed the judge again from inside a callback; outputs keep their order', () => {
    const log: string[] = [];
    const j: Judge = new Judge(judgeRules(defaultConfig()), {
      state: (s) => log.push(`state ${s.phase}`),
      event: (e) => log.push(`event ${e.type}${e.phase ? ` ${e.phase}` : ''}`),
      score: () => log.push('score'),
      result: (r) => log.push(`result ${r.outcome}`),
      effect: (e) => {
        log.push(`effect ${e.type}`);
        // the runner finds no clip and says so at once
        if (e.type === 'playClip') j.clipFailed('', 3020, 'no clips');
      },
    });
    j.start(0);
    j.button(press('funny', 10));
    j.button(press('start', 20));
    for (const ts of frameTimes(20, 3020, 30)) j.faces(ts, [centreFace(0)], W, H);
    log.length = 0;
    j.tick(3020);
    expect(log).toEqual([
      'event phase playing',
      'state playing',
      'effect playClip',
      'event aborted',
      'result aborted',
      'event phase result',
      'state result',
      'effect stopClip',
      'effect showText',
      'effect lights',
    ]);
    expect(j.state().phase).toBe('result');
  });
});
