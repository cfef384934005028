// The attention check in the pure judge: a head turned past the configured angles warns
// at once, aborts the round after lookAwayMs of frame time (or only warns, by config),
// and a clip never ends in a win for a player looking away.
import { describe, expect, it } from 'vitest';
import type { Face } from '../../../src/types.js';
import { centreFace, eventTypes, frameTimes, H, harness, startRound, W } from './harness.js';

const CLIP = 'media/funny/1/a.mp4';

/** A centre face with a head pose. */
const posed = (yaw: number, pitch = 0, happy = 0.02): Face => ({ ...centreFace(happy), pose: { yaw, pitch } });

const attention = (h: ReturnType<typeof harness>): Array<{ away: boolean; ts: number }> =>
  h.rec.effects.flatMap((e) => (e.type === 'attention' ? [{ away: e.away, ts: e.ts }] : []));

describe('attention check', () => {
  it('warns at the first frame turned away and aborts with looked_away after lookAwayMs (frame time)', () => {
    const h = harness({ lookAwayMs: 2000, lookAwayYawDeg: 45 });
    const clipAt = startRound(h);
    for (const ts of frameTimes(clipAt + 1, clipAt + 1000, 30)) h.j.faces(ts, [posed(10)], W, H);
    const turnAt = frameTimes(clipAt + 1000, clipAt + 1100, 30)[0] as number;
    let t = turnAt;
    for (; h.j.state().phase === 'playing' && t < clipAt + 6000; t += 1000 / 30) {
      h.j.faces(t, [posed(-70)], W, H);
      if (t < turnAt + 1990) expect(h.j.state().phase).toBe('playing');
    }
    expect(attention(h)[0]).toEqual({ away: true, ts: turnAt });
    expect(eventTypes(h.rec)).toEqual(['round_start', 'aborted']);
    const aborted = h.rec.events.find((e) => e.type === 'aborted');
    expect(aborted?.reason).toBe('looked_away');
    expect(aborted!.ts - turnAt).toBeGreaterThanOrEqual(2000);
    expect(aborted!.ts - turnAt).toBeLessThan(2000 + 34);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'looked_away' });
    expect(h.rec.effects).toContainEqual({ type: 'showText', text: 'YOU LOOKED AWAY · ROUND OVER', ms: 5000 });
    // the warning is taken down with the round
    expect(attention(h).at(-1)?.away).toBe(false);
  });

  it('looking back within lookAwayMs clears the warning and restarts the clock', () => {
    const h = harness({ lookAwayMs: 1500 });
    const clipAt = startRound(h);
    let t = clipAt + 1;
    // three glances of 1 s each, 1 s apart: never 1.5 s in a row
    for (let g = 0; g < 3; g++) {
      for (const ts of frameTimes(t, t + 1000, 30)) h.j.faces(ts, [posed(0, 60)], W, H); // looking down
      for (const ts of frameTimes(t + 1000, t + 2000, 30)) h.j.faces(ts, [posed(5, 5)], W, H);
      t += 2000;
    }
    expect(h.j.state().phase).toBe('playing');
    expect(attention(h).map((a) => a.away)).toEqual([true, false, true, false, true, false]);
    h.j.clipEnded(CLIP, t);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'survived']);
  });

  it('a clip that ends while the player looks away is no win', () => {
    const h = harness({ lookAwayMs: 5000 });
    const clipAt = startRound(h);
    for (const ts of frameTimes(clipAt + 1, clipAt + 3000, 30)) h.j.faces(ts, [posed(0)], W, H);
    for (const ts of frameTimes(clipAt + 3000, clipAt + 4000, 30)) h.j.faces(ts, [posed(80)], W, H);
    h.j.clipEnded(CLIP, clipAt + 4000);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'aborted']);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'looked_away' });
  });

  it('warn: the round goes on while looking away, but more than lookAwayMs away in all is no win', () => {
    const h = harness({ lookAwayMs: 1000, onLookAway: 'warn' });
    const clipAt = startRound(h);
    for (const ts of frameTimes(clipAt + 1, clipAt + 3000, 30)) h.j.faces(ts, [posed(90)], W, H);
    expect(h.j.state().phase).toBe('playing');
    expect(attention(h).map((a) => a.away)).toEqual([true]);
    for (const ts of frameTimes(clipAt + 3000, clipAt + 5000, 30)) h.j.faces(ts, [posed(0)], W, H);
    expect(attention(h).map((a) => a.away)).toEqual([true, false]);
    h.j.clipEnded(CLIP, clipAt + 5000);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'looked_away' });
  });

  it('warn: a short glance away still lets the player survive', () => {
    const h = harness({ lookAwayMs: 1000, onLookAway: 'warn' });
    const clipAt = startRound(h);
    for (const ts of frameTimes(clipAt + 1, clipAt + 500, 30)) h.j.faces(ts, [posed(90)], W, H);
    for (const ts of frameTimes(clipAt + 500, clipAt + 3000, 30)) h.j.faces(ts, [posed(0)], W, H);
    h.j.clipEnded(CLIP, clipAt + 3000);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'survived' });
  });

  it('cracking while looking away is still a crack, and the crack cam gets the deciding face box', () => {
    const h = harness({ lookAwayMs: 10_000 });
    const clipAt = startRound(h);
    let t = clipAt + 1;
    for (; h.j.state().phase === 'playing' && t < clipAt + 5000; t += 1000 / 30) h.j.faces(t, [posed(70, 0, 0.99)], W, H);
    expect(eventTypes(h.rec)).toEqual(['round_start', 'cracked']);
    const cam = h.rec.effects.find((e) => e.type === 'crackCam');
    const cracked = h.rec.events.find((e) => e.type === 'cracked');
    expect(cam).toEqual({ type: 'crackCam', ts: cracked?.ts, box: centreFace(0).box });
  });

  it('off: no check; faces without a pose are never away', () => {
    const off = harness({ onLookAway: 'off', lookAwayMs: 0 });
    let clipAt = startRound(off);
    for (const ts of frameTimes(clipAt + 1, clipAt + 3000, 30)) off.j.faces(ts, [posed(90, 90)], W, H);
    off.j.clipEnded(CLIP, clipAt + 3000);
    expect(off.rec.results[0]).toMatchObject({ outcome: 'survived' });
    expect(attention(off)).toEqual([]);

    const noPose = harness({ lookAwayMs: 0 });
    clipAt = startRound(noPose);
    for (const ts of frameTimes(clipAt + 1, clipAt + 3000, 30)) noPose.j.faces(ts, [centreFace(0.02)], W, H);
    noPose.j.clipEnded(CLIP, clipAt + 3000);
    expect(noPose.rec.results[0]).toMatchObject({ outcome: 'survived' });
  });

  it('frames before the clip starts do not count, and the next round starts facing', () => {
    const h = harness({ lookAwayMs: 1000 });
    let clipAt = startRound(h);
    for (const ts of frameTimes(clipAt + 1, clipAt + 600, 30)) h.j.faces(ts, [posed(90)], W, H);
    h.j.staffStop(clipAt + 600);
    expect(h.rec.results[0]).toMatchObject({ outcome: 'aborted', reason: 'staff' });
    clipAt = startRound(h, { t: clipAt + 1000 });
    for (const ts of frameTimes(clipAt + 1, clipAt + 800, 30)) h.j.faces(ts, [posed(90)], W, H);
    expect(h.j.state().phase).toBe('playing');
    expect(h.j.holdState().away).toBe(true);
  });
});
