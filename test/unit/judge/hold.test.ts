// The hold rule, table-driven: smiles shorter and just longer than the hold time,
// flicker around the threshold, smoothing, and 10 fps against 30 fps.
import { describe, expect, it } from 'vitest';
import { HoldRule } from '../../../src/judge/score.js';
import { centreFace, decisionTime, eventTypes, frameTimes, H, harness, startRound, W } from './harness.js';

interface Row {
  name: string;
  threshold: number;
  holdMs: number;
  smoothingMs: number;
  fps: number;
  /** smile (happy 1.0) from clip start + smileFrom for smileMs; neutral otherwise */
  smileFrom: number;
  smileMs: number;
  /** ms after clip start of the cracking frame, or null for survived */
  crackAt: number | null;
}

// 25 fps: a frame every 40 ms from the clip start, so times are exact.
const rows: Row[] = [
  { name: 'smile shorter than the hold does not lose', threshold: 0.8, holdMs: 1000, smoothingMs: 0, fps: 25, smileFrom: 400, smileMs: 900, crackAt: null },
  { name: 'a smile exactly as long as the hold, frame to frame, does not lose', threshold: 0.8, holdMs: 1000, smoothingMs: 0, fps: 25, smileFrom: 400, smileMs: 1000, crackAt: null },
  { name: 'one frame longer loses, at the frame the hold is reached', threshold: 0.8, holdMs: 1000, smoothingMs: 0, fps: 25, smileFrom: 400, smileMs: 1040, crackAt: 1400 },
  { name: 'a long smile loses at the same frame', threshold: 0.8, holdMs: 1000, smoothingMs: 0, fps: 25, smileFrom: 400, smileMs: 5000, crackAt: 1400 },
  { name: 'level 3: short hold', threshold: 0.6, holdMs: 400, smoothingMs: 0, fps: 25, smileFrom: 200, smileMs: 440, crackAt: 600 },
  { name: 'level 3: just short', threshold: 0.6, holdMs: 400, smoothingMs: 0, fps: 25, smileFrom: 200, smileMs: 400, crackAt: null },
  { name: 'hold 0: the first frame over loses', threshold: 0.6, holdMs: 0, smoothingMs: 0, fps: 25, smileFrom: 200, smileMs: 40, crackAt: 200 },
  // with smoothing: over threshold once 1 - exp(-(t+40)/150) >= 0.8, i.e. at +240; then 1000 ms
  { name: 'smoothing delays the start of the hold', threshold: 0.8, holdMs: 1000, smoothingMs: 150, fps: 25, smileFrom: 400, smileMs: 3000, crackAt: 400 + 240 + 1000 },
  { name: 'smoothing: a smile just too short for smoothing plus hold survives', threshold: 0.8, holdMs: 1000, smoothingMs: 150, fps: 25, smileFrom: 400, smileMs: 1200, crackAt: null },
];

function runRow(r: Row): { crackAt: number | null; types: string[] } {
  const h = harness({ levels: [{ level: 1, threshold: r.threshold, holdMs: r.holdMs, smoothingMs: r.smoothingMs }], countdownMs: 1000 });
  const clipAt = startRound(h, { t: 0, fps: r.fps });
  const clipMs = 8000;
  for (const ts of frameTimes(clipAt + 1, clipAt + clipMs, r.fps, clipAt)) {
    const rel = ts - clipAt;
    const smiling = rel >= r.smileFrom && rel < r.smileFrom + r.smileMs;
    h.j.faces(ts, [centreFace(smiling ? 1 : 0)], W, H);
    if (h.j.state().phase !== 'playing') break;
  }
  h.j.clipEnded('media/funny/1/a.mp4', clipAt + clipMs);
  const cracked = h.rec.events.find((e) => e.type === 'cracked');
  return { crackAt: cracked ? Math.round(cracked.ts - clipAt) : null, types: eventTypes(h.rec) };
}

describe('hold rule (table)', () => {
  it.each(rows)('$name', (r) => {
    const { crackAt, types } = runRow(r);
    expect(crackAt).toBe(r.crackAt);
    expect(types).toEqual(['round_start', r.crackAt === null ? 'survived' : 'cracked']);
  });

  it('flicker around the threshold never adds up to a hold', () => {
    const rule = new HoldRule(0.7, 300, 0);
    rule.reset(0);
    let cracked = false;
    // 30 fps, over for 9 frames (267 ms), under for one, for 10 s
    for (let k = 1; k < 300; k++) {
      const over = k % 10 !== 0;
      cracked ||= rule.update(k * 33.3, over ? 0.71 : 0.69);
    }
    expect(cracked).toBe(false);
    expect(rule.peak).toBeCloseTo(0.71);
  });

  it('a dip resets the hold; the hold then starts again', () => {
    const rule = new HoldRule(0.5, 200, 0);
    rule.reset(0);
    const seq: Array<[number, number]> = [
      [50, 0.6],
      [100, 0.6],
      [150, 0.6],
      [200, 0.4], // dip at 150 ms held
      [250, 0.6],
      [300, 0.6],
      [350, 0.6],
      [400, 0.6],
      [450, 0.6],
    ];
    const out = seq.map(([t, v]) => [rule.update(t, v), rule.heldMs] as const);
    expect(out.map((o) => o[1])).toEqual([0, 50, 100, 0, 0, 50, 100, 150, 200]);
    expect(out.findIndex((o) => o[0])).toBe(8);
  });

  it('smoothing depends on frame time only: one 100 ms step equals three 33.3 ms steps', () => {
    const a = new HoldRule(1, 0, 150);
    const b = new HoldRule(1, 0, 150);
    a.reset(0);
    b.reset(0);
    a.update(100, 0.9);
    b.update(100 / 3, 0.9);
    b.update(200 / 3, 0.9);
    b.update(100, 0.9);
    expect(a.smoothed).toBeCloseTo(b.smoothed, 12);
  });

  it('frames out of order or repeated are ignored', () => {
    const rule = new HoldRule(0.5, 0, 0);
    rule.reset(100);
    expect(rule.update(100, 0.9)).toBe(false);
    expect(rule.update(90, 0.9)).toBe(false);
    expect(rule.smoothed).toBe(0);
    expect(rule.update(110, 0.9)).toBe(true);
  });
});

describe('frame rate independence', () => {
  it.each([
    { onset: 500, rampMs: 0, level: 1 },
    { onset: 500, rampMs: 300, level: 1 },
    { onset: 1234, rampMs: 600, level: 2 },
    { onset: 777, rampMs: 150, level: 3 },
  ])('10 fps and 30 fps decide within one frame (onset $onset, ramp $rampMs, level $level)', ({ onset, rampMs, level }) => {
    for (const p10 of [0, 37, 71]) {
      for (const p30 of [0, 11, 23]) {
        const d10 = decisionTime(10, p10, onset, rampMs, 1, level);
        const d30 = decisionTime(30, p30, onset, rampMs, 1, level);
        expect(d10).not.toBeNull();
        expect(d30).not.toBeNull();
        expect(Math.abs((d10 as number) - (d30 as number))).toBeLessThanOrEqual(100);
      }
    }
  });
});
