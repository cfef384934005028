import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { PokerfaceError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { deferSync } from '../../../src/capture/delivery.js';
import type { CaptureDriver, DriverSink } from '../../../src/capture/driver.js';
import { SupervisedSource, FAILED_AFTER } from '../../../src/capture/supervisor.js';
import { TestTimers } from '../../test-timers.js';

/** A driver the test scripts: each open() either throws the queued error or hands out a sink. */
class ScriptedDriver implements CaptureDriver {
  readonly name = 'scripted';
  readonly describe = 'scripted input';
  opens = 0;
  closes = 0;
  sink: DriverSink | null = null;
  failNext: PokerfaceError[] = [];
  hints: number[] = [];
  open(sink: DriverSink) {
    this.opens++;
    const err = this.failNext.shift();
    if (err) throw err;
    this.sink = sink;
    return {
      pid: null,
      close: async () => {
        this.closes++;
        this.sink = null;
      },
    };
  }
  failureHint(n: number): string | null {
    this.hints.push(n);
    return n === 3 ? 'restart the vendor camera service' : null;
  }
  frame(): void {
    this.sink?.frame(new Uint8Array(4), 2, 2);
  }
}

function setup(over: { stallMs?: number } = {}) {
  const clock = new ManualClock();
  const timers = new TestTimers(clock);
  const driver = new ScriptedDriver();
  const src = new SupervisedSource({
    driver,
    geometry: { width: 2, height: 2, format: 'gray8', mirror: false, rotate: 0, scaleWidth: 0 },
    clock,
    log: silentLogger,
    stallMs: over.stallMs ?? 1000,
    backoffInitialMs: 100,
    backoffMaxMs: 800,
    stderrLinesPerMinute: 10,
    timers,
    defer: deferSync,
  });
  const advance = (ms: number): void => {
    // step in small slices so timers fire in order
    for (let t = 0; t < ms; t += 10) {
      clock.advance(Math.min(10, ms - t));
      timers.runDue();
    }
  };
  return { clock, timers, driver, src, advance };
}

describe('SupervisedSource', () => {
  it('runs: frames flow, stats count them, health is good', async () => {
    const { src, driver, advance } = setup();
    const seen: number[] = [];
    src.onFrame((f) => void seen.push(f.seq));
    await src.start();
    expect(src.stats().state).toBe('starting');
    for (let i = 0; i < 5; i++) {
      driver.frame();
      advance(100);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const st = src.stats();
    expect(st.state).toBe('running');
    expect(st.frames).toBe(5);
    expect(st.lastFrameAgeMs).toBe(100);
    expect(src.health().healthy).toBe(true);
    await src.stop();
    expect(driver.closes).toBe(1);
    expect(src.stats().state).toBe('stopped');
  });

  it('a consumer added before start gets frames across restarts; its Off ends that; a busy or throwing one counts as dropped', async () => {
    const { src, driver, advance } = setup();
    const seen: number[] = [];
    const off = src.onFrame((f) => void seen.push(f.seq));
    await src.start();
    driver.frame();
    await src.stop();
    await src.start();
    driver.frame();
    advance(10);
    expect(seen).toHaveLength(2);
    off();
    src.onFrame(() => {
      throw new Error('consumer bug');
    });
    driver.frame();
    expect(seen).toHaveLength(2);
    expect(src.stats().dropped).toBeGreaterThanOrEqual(1);
    await src.stop();
  });

  it('a stall (no frame for stallMs) restarts the session with backoff and counts it', async () => {
    const { src, driver, advance, timers } = setup({ stallMs: 1000 });
    await src.start();
    driver.frame();
    advance(999);
    expect(src.stats().stalls).toBe(0);
    advance(20);
    let st = src.stats();
    expect(st.stalls).toBe(1);
    expect(st.state).toBe('restarting');
    expect(st.lastError?.code).toBe('POKERFACE_ERR_CAMERA_STALL');
    expect(driver.closes).toBe(1);
    advance(100); // initial backoff
    expect(driver.opens).toBe(2);
    driver.frame();
    st = src.stats();
    expect(st.reconnects).toBe(1);
    expect(st.state).toBe('running');
    await src.stop();
    expect(timers.size).toBe(0);
  });

  it('a missing first frame is a stall too', async () => {
    const { src, advance } = setup({ stallMs: 500 });
    await src.start();
    advance(510);
    expect(src.stats().lastError?.code).toBe('POKERFACE_ERR_CAMERA_STALL');
    await src.stop();
  });

  it('bad input: keeps retrying with capped exponential backoff, reports failed with the error, never throws', async () => {
    const { src, driver, advance } = setup();
    const notFound = () => new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_FOUND', '/dev/video9');
    driver.failNext = Array.from({ length: 8 }, notFound);
    await src.start(); // does not throw
    const opensAt: number[] = [];
    let last = driver.opens;
    for (let t = 0; t < 5000; t += 10) {
      advance(10);
      if (driver.opens !== last) {
        opensAt.push(t + 10);
        last = driver.opens;
      }
    }
    // 100, 200, 400, 800, 800, ... between attempts
    const gaps = opensAt.map((t, i) => t - (i === 0 ? 0 : (opensAt[i - 1] as number)));
    expect(gaps.slice(0, 5)).toEqual([100, 200, 400, 800, 800]);
    const st = src.stats();
    expect(st.consecutiveFailures).toBeGreaterThanOrEqual(FAILED_AFTER);
    expect(st.lastError?.code).toBe('POKERFACE_ERR_CAMERA_NOT_FOUND');
    const h = src.health();
    expect(h.healthy).toBe(false);
    expect(h.reasons.join()).toMatch(/POKERFACE_ERR_CAMERA_NOT_FOUND/);
    expect(driver.hints).toContain(3);
    await src.stop();
  });

  it('goes from failed back to running when the camera comes back, and the backoff resets after a healthy second', async () => {
    const { src, driver, advance } = setup({ stallMs: 5000 });
    driver.failNext = [1, 2, 3].map(() => new PokerfaceError('POKERFACE_ERR_CAMERA_PIPELINE', 'x'));
    await src.start();
    advance(100 + 200 + 400);
    expect(src.stats().state).toBe('failed');
    advance(800);
    expect(driver.sink).not.toBeNull();
    for (let i = 0; i < 12; i++) {
      driver.frame();
      advance(100);
    }
    expect(src.stats().state).toBe('running');
    expect(src.stats().consecutiveFailures).toBe(0);
    // a crash now restarts after the initial delay again
    driver.sink?.end({ kind: 'failed', error: new PokerfaceError('POKERFACE_ERR_CAMERA_EXITED', 'killed') });
    const opens = driver.opens;
    advance(100);
    expect(driver.opens).toBe(opens + 1);
    await src.stop();
  });

  it('an input that ends (a file played once) stops without restarting', async () => {
    const { src, driver, advance } = setup();
    await src.start();
    driver.frame();
    driver.sink?.end({ kind: 'ended' });
    advance(5000);
    expect(driver.opens).toBe(1);
    expect(src.stats().state).toBe('stopped');
    expect(src.health().healthy).toBe(false);
    await src.stop();
  });

  it('a frame of the wrong size fails the session with a code', async () => {
    const { src, driver } = setup();
    await src.start();
    driver.sink?.frame(new Uint8Array(9), 3, 3);
    expect(src.stats().lastError?.code).toBe('POKERFACE_ERR_CAMERA_FRAME_SIZE');
    expect(src.stats().state).toBe('restarting');
    await src.stop();
  });

  it('ignores anything a closed session still reports', async () => {
    const { src, driver, advance } = setup({ stallMs: 300 });
    await src.start();
    const old = driver.sink as DriverSink;
    advance(310); // stall → old session closed
    old.frame(new Uint8Array(4), 2, 2);
    old.end({ kind: 'failed', error: new PokerfaceError('POKERFACE_ERR_CAMERA_EXITED', 'late') });
    expect(src.stats().frames).toBe(0);
    expect(src.stats().lastError?.code).toBe('POKERFACE_ERR_CAMERA_STALL');
    await src.stop();
  });

  it('stop() while waiting to retry cancels the retry', async () => {
    const { src, driver, advance, timers } = setup();
    driver.failNext = [new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_FOUND', 'x')];
    await src.start();
    await src.stop();
    expect(timers.size).toBe(0);
    advance(1000);
    expect(driver.opens).toBe(1);
  });

  it('recovery(): while retrying a missing camera it says since when and how often, and clears when frames flow', async () => {
    const { src, driver, advance, clock } = setup();
    expect(src.recovery()).toBeNull();
    driver.failNext.push(...Array.from({ length: 6 }, () => new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_FOUND', '/dev/video0: no such file')));
    const startedWall = clock.wall();
    await src.start();
    advance(100 + 200 + 400 + 800);
    const r = src.recovery();
    expect(r).toMatchObject({ since: startedWall, attempts: 5, retryEveryMs: 800, code: 'POKERFACE_ERR_CAMERA_NOT_FOUND', overdueMs: 0 });
    expect(src.health().reasons[0]).toMatch(/^camera missing since \d\d:\d\d:\d\d, retrying every 800 ms \(POKERFACE_ERR_CAMERA_NOT_FOUND: camera device or input not found: \/dev\/video0: no such file\)$/);
    advance(800 + 800); // the 7th open succeeds
    expect(driver.opens).toBe(7);
    // an attempt under way (no frame yet) is still a recovery, bounded by its stall check
    expect(src.recovery()).toMatchObject({ overdueMs: 0 });
    driver.frame();
    expect(src.recovery()).toBeNull();
    expect(src.health().healthy).toBe(true);
    // frames stop later: "since" is when they stopped, not the first start
    advance(1000);
    const stoppedWall = clock.wall();
    advance(20);
    expect(src.recovery()?.since).toBeGreaterThanOrEqual(stoppedWall - 20);
    expect(src.recovery()?.code).toBe('POKERFACE_ERR_CAMERA_STALL');
    await src.stop();
    expect(src.recovery()).toBeNull();
  });
});
