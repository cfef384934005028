// Property-based tests (fast-check) for the hold rule and the judge's scoring.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HoldRule } from '../../../src/judge/score.js';
import { centreFace, decisionTime, eventTypes, face, frameTimes, H, harness, startRound, W } from './harness.js';

const frames = fc.array(fc.record({ dt: fc.integer({ min: 1, max: 250 }), value: fc.double({ min: 0, max: 1, noNaN: true }) }), {
  minLength: 1,
  maxLength: 200,
});
const levelRule = fc.record({
  threshold: fc.double({ min: 0.05, max: 1, noNaN: true }),
  holdMs: fc.integer({ min: 0, max: 2000 }),
  tau: fc.integer({ min: 0, max: 500 }),
});

/** From the smoothed series alone: index of the first frame where it has been at or over threshold for holdMs. */
function firstDecidable(ts: number[], smoothed: number[], threshold: number, holdMs: number): number {
  let runStart = -1;
  for (let i = 0; i < ts.length; i++) {
    if ((smoothed[i] as number) >= threshold) {
      if (runStart < 0) runStart = i;
      if ((ts[i] as number) - (ts[runStart] as number) >= holdMs) return i;
    } else runStart = -1;
  }
  return -1;
}

describe('hold rule properties', () => {
  it('cracks at exactly the first frame whose smoothed score has been over threshold for holdMs: never earlier, never later', () => {
    fc.assert(
      fc.property(levelRule, frames, ({ threshold, holdMs, tau }, seq) => {
        const rule = new HoldRule(threshold, holdMs, tau);
        rule.reset(0);
        const ts: number[] = [];
        const sm: number[] = [];
        let t = 0;
        let crackedAt = -1;
        for (let i = 0; i < seq.length; i++) {
          t += (seq[i] as { dt: number }).dt;
          const c = rule.update(t, (seq[i] as { value: number }).value);
          ts.push(t);
          sm.push(rule.smoothed);
          if (c) {
            crackedAt = i;
            break;
          }
        }
        expect(crackedAt).toBe(firstDecidable(ts, sm, threshold, holdMs));
        if (crackedAt >= 0) expect(rule.heldMs).toBeGreaterThanOrEqual(holdMs);
      }),
      { numRuns: 500 },
    );
  });

  it('never cracked before holdMs of frame time over threshold, through the whole judge', () => {
    fc.assert(
      fc.property(levelRule, frames, ({ threshold, holdMs, tau }, seq) => {
        const h = harness({ levels: [{ level: 1, threshold, holdMs, smoothingMs: tau }], countdownMs: 500 });
        const clipAt = startRound(h, { t: 0 });
        let t = clipAt;
        for (const f of seq) {
          t += f.dt;
          h.j.faces(t, [centreFace(f.value)], W, H);
          if (h.j.state().phase !== 'playing') break;
        }
        const s = h.rec.scores;
        const crackIdx = eventTypes(h.rec).includes('cracked') ? s.length - 1 : -1;
        const expected = firstDecidable(
          s.map((x) => x.ts),
          s.map((x) => x.smoothed),
          threshold,
          holdMs,
        );
        expect(crackIdx).toBe(expected);
        if (crackIdx >= 0) {
          // every sample in the last holdMs was at or over threshold
          const last = s[crackIdx] as { ts: number };
          for (const x of s) if (x.ts >= last.ts - holdMs) expect(x.smoothed).toBeGreaterThanOrEqual(threshold);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('flicker: runs over threshold shorter than holdMs never crack, whatever their number', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 1500 }),
        fc.array(fc.record({ over: fc.integer({ min: 1, max: 40 }), under: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 5, max: 60 }),
        (holdMs, runs, fps) => {
          const rule = new HoldRule(0.6, holdMs, 0);
          rule.reset(0);
          const dt = 1000 / fps;
          let t = 0;
          for (const r of runs) {
            const overFrames = Math.min(r.over, Math.floor(holdMs / dt)); // span (n-1)*dt < holdMs
            for (let i = 0; i < overFrames; i++) expect(rule.update((t += dt), 0.61)).toBe(false);
            for (let i = 0; i < r.under; i++) expect(rule.update((t += dt), 0.59)).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('judge properties', () => {
  it('10 fps and 30 fps give the same decision time within one frame (of the slower stream)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 800 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 33 }),
        fc.integer({ min: 1, max: 3 }),
        (onset, rampMs, p10, p30, level) => {
          const d10 = decisionTime(10, p10, onset, rampMs, 1, level);
          const d30 = decisionTime(30, p30, onset, rampMs, 1, level);
          expect(d10).not.toBeNull();
          expect(d30).not.toBeNull();
          expect(Math.abs((d10 as number) - (d30 as number))).toBeLessThanOrEqual(100);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a player resting at any smile up to baselineMax, with noise, never cracks', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.double({ min: -0.03, max: 0.03, noNaN: true }), { minLength: 90, maxLength: 90 }),
        (rest, level, noise) => {
          const h = harness();
          const clipAt = startRound(h, { level, restHappy: rest });
          let i = 0;
          for (const ts of frameTimes(clipAt + 1, clipAt + 6000, 30)) {
            const v = Math.max(0, Math.min(1, rest + (noise[i++ % noise.length] as number)));
            h.j.faces(ts, [centreFace(v)], W, H);
          }
          h.j.clipEnded('media/funny/1/a.mp4', clipAt + 6000);
          expect(eventTypes(h.rec)).toEqual(['round_start', 'survived']);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('spectators that do not overlap the player never change the scores', () => {
    const spectator = fc.record({
      cx: fc.oneof(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 490, max: 640 })),
      cy: fc.integer({ min: 0, max: 480 }),
      size: fc.integer({ min: 40, max: 150 }),
      happy: fc.double({ min: 0, max: 1, noNaN: true }),
      from: fc.integer({ min: 0, max: 80 }),
    });
    fc.assert(
      fc.property(fc.array(spectator, { maxLength: 3 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 80, maxLength: 80 }), (specs, player) => {
        const run = (withSpectators: boolean): number[] => {
          const h = harness();
          const clipAt = startRound(h, { t: 0 });
          frameTimes(clipAt + 1, clipAt + 80 * 33, 30).forEach((ts, k) => {
            const faces = [face(320, 240, 140, { happy: player[k] ?? 0 })];
            if (withSpectators) for (const s of specs) if (k >= s.from) faces.unshift(face(s.cx, s.cy, s.size, { happy: s.happy }));
            h.j.faces(ts, faces, W, H);
          });
          return h.rec.scores.map((s) => s.smoothed);
        };
        expect(run(true)).toEqual(run(false));
      }),
      { numRuns: 60 },
    );
  });
});
