// The hand-driven timers the unit tests use: order, intervals, clearing, async advance.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { TestTimers } from '../test-timers.js';

describe('TestTimers', () => {
  it('fires timeouts and intervals in due order as advance() moves the clock through them', () => {
    const t = new TestTimers(new ManualClock(100));
    const seen: string[] = [];
    t.setTimeout(() => seen.push(`a@${t.now()}`), 30);
    const iv = t.setInterval(() => seen.push(`i@${t.now()}`), 20);
    t.setTimeout(() => seen.push(`b@${t.now()}`), 40);
    t.advance(65);
    expect(seen).toEqual(['i@120', 'a@130', 'i@140', 'b@140', 'i@160']);
    expect(t.now()).toBe(165);
    t.clearInterval(iv);
    t.advance(100);
    expect(seen).toHaveLength(5);
    expect(t.size).toBe(0);
  });

  it('a cleared timeout never fires; an interval may clear itself; runDue fires what is due now', () => {
    const clock = new ManualClock();
    const t = new TestTimers(clock);
    let fired = 0;
    const h = t.setTimeout(() => fired++, 10);
    t.clearTimeout(h);
    t.clearTimeout(null);
    let ticks = 0;
    const iv = t.setInterval(() => {
      if (++ticks === 2) t.clearInterval(iv);
    }, 10);
    clock.advance(50);
    expect(t.runDue()).toBe(2);
    expect(fired).toBe(0);
    expect(ticks).toBe(2);
    expect(t.size).toBe(0);
  });

  it('interval(i) fires a live interval out of turn and is null once it is cleared', () => {
    const t = new TestTimers();
    let n = 0;
    const iv = t.setInterval(() => n++, 1000);
    expect(t.interval(0)?.every).toBe(1000);
    t.interval(0)?.fire();
    expect(n).toBe(1);
    expect(t.interval(1)).toBeNull();
    t.clearInterval(iv);
    expect(t.interval(0)).toBeNull();
  });

  it('advanceAsync lets promise callbacks run after each timer, so a timer they set in the window fires', async () => {
    const t = new TestTimers();
    const seen: number[] = [];
    t.setTimeout(() => void Promise.resolve().then(() => t.setTimeout(() => seen.push(t.now()), 10)), 10);
    await t.advanceAsync(25);
    expect(seen).toEqual([20]);
  });
});
