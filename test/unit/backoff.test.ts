import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/backoff.js';

function take(b: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => b.next());
}

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap (camera: 250 ms .. 10 s)', () => {
    const b = new Backoff({ initialMs: 250, maxMs: 10_000 });
    const seq = take(b, 61);
    expect([0, 1, 2, 3, 4, 10, 60].map((a) => seq[a])).toEqual([250, 500, 1000, 2000, 4000, 10_000, 10_000]);
  });

  it('doubles from min to max with bounded jitter and resets (MQTT reconnect)', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.2, random: () => 0 });
    expect(take(b, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
    const j = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.2, random: () => 1 });
    expect(j.next()).toBe(120);
    // jitter never passes the cap
    const top = new Backoff({ initialMs: 900, maxMs: 1000, jitter: 0.2, random: () => 1 });
    expect(take(top, 2)).toEqual([1000, 1000]);
  });

  it('immediateFirst retries at once, then follows the schedule (mpv: 0, 250, 500, 1000, 2000, 2000)', () => {
    const b = new Backoff({ initialMs: 250, maxMs: 2000, immediateFirst: true });
    expect(take(b, 7)).toEqual([0, 250, 500, 1000, 2000, 2000, 2000]);
    b.reset();
    expect(take(b, 2)).toEqual([0, 250]);
  });

  it('the inference respawn and GPIO schedules (1 s doubling to their caps)', () => {
    expect(take(new Backoff({ initialMs: 1000, maxMs: 30_000 }), 7)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(take(new Backoff({ initialMs: 1000, maxMs: 5000 }), 5)).toEqual([1000, 2000, 4000, 5000, 5000]);
    // a cap below the first step caps the first step too
    expect(take(new Backoff({ initialMs: 1000, maxMs: 300 }), 2)).toEqual([300, 300]);
  });

  it('counts attempts and remembers the last delay; a reset clears both', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 100, factor: 3 });
    expect([b.attempts, b.last]).toEqual([0, 0]);
    expect(take(b, 4)).toEqual([10, 30, 90, 100]);
    expect([b.attempts, b.last]).toEqual([4, 100]);
    b.reset();
    expect([b.attempts, b.last]).toEqual([0, 0]);
  });

  it('thousands of attempts never overflow past the cap', () => {
    const b = new Backoff({ initialMs: 250, maxMs: 10_000 });
    const seq = take(b, 5000);
    expect(seq.at(-1)).toBe(10_000);
    expect(seq.every((d) => Number.isFinite(d) && d <= 10_000)).toBe(true);
  });
});
