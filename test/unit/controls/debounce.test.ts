import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Debouncer, type DebouncedKind } from '../../../src/controls/debounce.js';
import { manualTime } from './helpers.js';

function setup(debounceMs = 40, holdMs = 1000) {
  const { clock, timers } = manualTime();
  const out: Array<{ kind: DebouncedKind; ts: number }> = [];
  const d = new Debouncer({ debounceMs, holdMs, clock, timers }, (kind, ts) => out.push({ kind, ts }));
  /** feed edges with the given gaps (ms) between them, starting with `first` */
  const train = (gaps: number[], first: boolean): boolean => {
    let level = first;
    d.edge(level, clock.now());
    for (const gap of gaps) {
      timers.advance(gap);
      level = !level;
      d.edge(level, clock.now());
    }
    return level;
  };
  return { clock, timers, d, out, train };
}

describe('Debouncer', () => {
  it('turns a bounce train on press and on release into one press and one release', () => {
    const { timers, out, train, clock } = setup();
    const t0 = clock.now();
    train([1, 3, 20, 2, 15, 1], true); // 7 edges, ends pressed
    timers.advance(100);
    train([2, 19, 1, 4], false); // ends released
    timers.advance(100);
    expect(out.map((e) => e.kind)).toEqual(['press', 'release']);
    expect(out[0]?.ts).toBe(t0);
  });

  it('reports the press debounceMs after the last bounce, stamped with the first edge', () => {
    const { timers, out, d, clock } = setup(40);
    const t0 = clock.now();
    d.edge(true, t0);
    timers.advance(39);
    expect(out).toEqual([]);
    timers.advance(1);
    expect(out).toEqual([{ kind: 'press', ts: t0 }]);
  });

  it('ignores a spike shorter than debounceMs', () => {
    const { timers, out, train } = setup(40);
    train([5], true); // down 5 ms, back up
    timers.advance(500);
    expect(out).toEqual([]);
  });

  it('fires one hold holdMs after the press while held, none after release', () => {
    const { timers, out, d, clock } = setup(40, 1000);
    const t0 = clock.now();
    d.edge(true, t0);
    timers.advance(5000);
    expect(out).toEqual([
      { kind: 'press', ts: t0 },
      { kind: 'hold', ts: t0 + 1000 },
    ]);
    d.edge(false, clock.now());
    timers.advance(50);
    d.edge(true, clock.now());
    timers.advance(500);
    d.edge(false, clock.now());
    timers.advance(5000);
    expect(out.map((e) => e.kind)).toEqual(['press', 'hold', 'release', 'press', 'release']);
  });

  it('gives no hold when a release is bouncing at hold time', () => {
    const { timers, out, d, clock } = setup(40, 1000);
    d.edge(true, clock.now());
    timers.advance(990);
    d.edge(false, clock.now());
    timers.advance(5);
    d.edge(true, clock.now());
    timers.advance(3);
    d.edge(false, clock.now()); // released at 998, settles at 1038
    timers.advance(100);
    expect(out.map((e) => e.kind)).toEqual(['press', 'release']);
  });

  it('accepts edges stamped in the past (kernel timestamps) and duplicates', () => {
    const { timers, out, d, clock } = setup(40);
    timers.advance(100);
    const now = clock.now();
    d.edge(true, now - 30);
    d.edge(true, now - 29); // settles at now + 11
    timers.advance(11);
    expect(out).toEqual([{ kind: 'press', ts: now - 30 }]);
  });

  it('reset forgets state and leaves no timers', () => {
    const { timers, out, d, clock } = setup();
    d.edge(true, clock.now());
    timers.advance(50);
    d.reset();
    expect(timers.size).toBe(0);
    expect(d.pressed).toBe(false);
    timers.advance(5000);
    expect(out.map((e) => e.kind)).toEqual(['press']);
  });

  it('property: any bounce train with gaps of 1-20 ms gives exactly one press if it ends down, none if it ends up', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 0, maxLength: 60 }), (gaps) => {
        const { timers, out, train } = setup(40, 1000);
        const endsDown = train(gaps, true);
        timers.advance(200); // less than holdMs: no hold
        const presses = out.filter((e) => e.kind === 'press').length;
        expect(presses).toBe(endsDown ? 1 : 0);
        expect(out.filter((e) => e.kind === 'hold')).toEqual([]);
      }),
    );
  });

  it('property: a press, a hold and a bouncy release give press, hold, release exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 30 }).map((g) => (g.length % 2 === 0 ? g : g.slice(1))),
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 30 }).map((g) => (g.length % 2 === 0 ? g : g.slice(1))),
        (down, up) => {
          const { timers, out, train } = setup(40, 1000);
          train(down, true);
          timers.advance(1500);
          train(up, false);
          timers.advance(200);
          expect(out.map((e) => e.kind)).toEqual(['press', 'hold', 'release']);
        },
      ),
    );
  });
});
