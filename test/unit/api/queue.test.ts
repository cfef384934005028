import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { BoundedQueue, LatestThrottle } from '../../../src/api/queue.js';
import { TestTimers } from '../../test-timers.js';


describe('BoundedQueue', () => {
  it('keeps order and drops (and counts) only the oldest when full', () => {
    const q = new BoundedQueue<number>(3);
    for (let i = 1; i <= 5; i++) q.push(i);
    expect(q.length).toBe(3);
    expect(q.dropped).toBe(2);
    expect([q.shift(), q.shift()]).toEqual([3, 4]);
    q.push(6);
    q.push(7);
    expect(q.dropped).toBe(2);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([5, 6, 7, undefined]);
  });

  it('wraps around many times without losing order', () => {
    const q = new BoundedQueue<number>(4);
    const out: number[] = [];
    for (let i = 0; i < 100; i++) {
      q.push(i);
      if (i % 2) out.push(q.shift() as number);
    }
    while (q.length) out.push(q.shift() as number);
    expect(out).toEqual([...out].sort((a, b) => a - b));
    expect(out.length + q.dropped).toBe(100);
  });
});

describe('LatestThrottle', () => {
  it('sends at most once per interval and always the latest value', () => {
    const clock = new ManualClock();
    const timers = new TestTimers(clock);
    const sent: Array<[number, number]> = [];
    const t = new LatestThrottle<number>(100, () => clock.now(), timers, (v) => sent.push([clock.now(), v]));
    t.push(1); // leading edge: at once
    for (let i = 2; i <= 10; i++) {
      timers.advance(10);
      t.push(i);
    }
    timers.advance(200);
    expect(sent).toEqual([
      [0, 1],
      [100, 10],
    ]);
    // a quiet period: the next value goes out at once again
    timers.advance(500);
    t.push(11);
    expect(sent.at(-1)).toEqual([clock.now(), 11]);
    t.push(12);
    t.cancel();
    timers.advance(1000);
    expect(sent.map((s) => s[1])).toEqual([1, 10, 11]);
    expect(timers.size).toBe(0);
  });
});
