import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runChild } from '../../src/capture/child.js';
import type { DriverSink } from '../../src/capture/driver.js';
import { stopChild, type StopOutcome } from '../../src/child-stop.js';
import { ManualClock } from '../../src/clock.js';
import { TestTimers } from '../test-timers.js';

/** A process that only records signals; the test decides when it is gone. */
class RecordingChild {
  readonly signals: Array<NodeJS.Signals | number | undefined> = [];
  private gone!: () => void;
  readonly exited = new Promise<void>((r) => (this.gone = r));
  /** signals that end it (none: it ignores everything until the test calls exit()) */
  constructor(private readonly diesOn: ReadonlyArray<NodeJS.Signals> = []) {}
  kill(signal?: NodeJS.Signals | number): boolean {
    this.signals.push(signal);
    if (this.diesOn.includes(signal as NodeJS.Signals)) this.gone();
    return true;
  }
  exit(): void {
    this.gone();
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function clockAndTimers(): { clock: ManualClock; timers: TestTimers } {
  const clock = new ManualClock();
  return { clock, timers: new TestTimers(clock) };
}

function track(p: Promise<StopOutcome>): { outcome: StopOutcome | null } {
  const s: { outcome: StopOutcome | null } = { outcome: null };
  void p.then((o) => (s.outcome = o));
  return s;
}

describe('stopChild', () => {
  it('a child that leaves on SIGTERM: no SIGKILL, and its grace timer is cleared', async () => {
    const { timers } = clockAndTimers();
    const c = new RecordingChild(['SIGTERM']);
    expect(await stopChild(c, c.exited, { graceMs: 1000, timers })).toBe('exited');
    expect(c.signals).toEqual(['SIGTERM']);
    expect(timers.size).toBe(0);
  });

  it('a child that ignores SIGTERM gets SIGKILL when the grace runs out on the injected timers, and is awaited', async () => {
    const { timers } = clockAndTimers();
    const c = new RecordingChild();
    const s = track(stopChild(c, c.exited, { graceMs: 1000, timers }));
    expect(c.signals).toEqual(['SIGTERM']);
    expect(timers.size).toBe(1);
    timers.advance(999);
    await flush();
    expect(c.signals).toEqual(['SIGTERM']);
    timers.advance(1);
    await flush();
    expect(c.signals).toEqual(['SIGTERM', 'SIGKILL']);
    // SIGKILL sent, but the promise waits for the process to be really gone
    expect(s.outcome).toBeNull();
    c.exit();
    await flush();
    expect(s.outcome).toBe('killed');
  });

  it('signal: null asks nothing first (the caller quit it its own way); it is killed when it lingers', async () => {
    const { timers } = clockAndTimers();
    const lingers = new RecordingChild(['SIGKILL']);
    const s = track(stopChild(lingers, lingers.exited, { graceMs: 500, timers, signal: null }));
    expect(lingers.signals).toEqual([]);
    timers.advance(500);
    await flush();
    expect(lingers.signals).toEqual(['SIGKILL']);
    expect(s.outcome).toBe('killed');

    const leaves = new RecordingChild();
    const p = stopChild(leaves, leaves.exited, { graceMs: 500, timers, signal: null });
    leaves.exit();
    expect(await p).toBe('exited');
    expect(leaves.signals).toEqual([]);
  });

  it('grace 0 kills at the next timer turn; an exit promise that rejects counts as gone', async () => {
    const { timers } = clockAndTimers();
    const c = new RecordingChild(['SIGKILL']);
    const s = track(stopChild(c, c.exited, { graceMs: 0, timers, signal: null }));
    await flush();
    expect(c.signals).toEqual([]);
    timers.runDue();
    await flush();
    expect(s.outcome).toBe('killed');

    const failed = new RecordingChild();
    expect(await stopChild(failed, Promise.reject(new Error('spawn failed')), { graceMs: 1000, timers })).toBe('exited');
  });
});

/** Streams and events enough for runChild; ignores SIGTERM, leaves on SIGKILL. */
class StubbornChild extends EventEmitter {
  readonly pid = 4242;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly signals: Array<NodeJS.Signals | number | undefined> = [];
  kill(signal?: NodeJS.Signals | number): boolean {
    this.signals.push(signal);
    if (signal === 'SIGKILL') {
      this.signalCode = 'SIGKILL';
      setImmediate(() => this.emit('close', null, 'SIGKILL'));
    }
    return true;
  }
}

describe('capture child close() on the injected timers', () => {
  it('escalates to SIGKILL after killGraceMs of fake time, not wall time', async () => {
    const { timers } = clockAndTimers();
    const child = new StubbornChild();
    const sink: DriverSink = {
      bytes: () => undefined,
      frame: () => undefined,
      droppedUpstream: () => undefined,
      stderr: () => undefined,
      stderrTail: () => [],
      partialBytes: () => 0,
      sessionFrames: () => 0,
      end: () => undefined,
    };
    const session = runChild(() => child, { cmd: 'x', args: [], classify: () => ({ kind: 'ended' }), killGraceMs: 60_000 }, sink, timers);
    let closed = false;
    void session.close().then(() => (closed = true));
    expect(child.signals).toEqual(['SIGTERM']);
    expect(timers.size).toBe(1);
    timers.advance(60_000);
    await flush();
    await flush();
    expect(child.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(closed).toBe(true);
  });
});
