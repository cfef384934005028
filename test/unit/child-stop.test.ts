import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runChild } from '../../src/capture/child.js';
import type { DriverSink } from '../../src/capture/driver.js';
import { killNow, stopChild, stopPids, type StopOutcome } from '../../src/child-stop.js';
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

describe('killNow', () => {
  it('sends SIGKILL before it returns, with no request and no timer, and resolves once the child is gone', async () => {
    const { timers } = clockAndTimers();
    const c = new RecordingChild();
    const s = track(killNow(c, c.exited));
    expect(c.signals).toEqual(['SIGKILL']);
    expect(timers.size).toBe(0);
    await flush();
    expect(s.outcome).toBeNull();
    c.exit();
    await flush();
    expect(s.outcome).toBe('killed');
  });
});

/** Processes known only by PID; each either leaves on SIGTERM or ignores it. */
class FakePids {
  readonly live = new Set<number>();
  readonly signals: Array<[number, NodeJS.Signals]> = [];
  constructor(
    pids: number[],
    private readonly ignoreTerm: ReadonlySet<number> = new Set(),
  ) {
    for (const p of pids) this.live.add(p);
  }
  kill(pid: number, signal: NodeJS.Signals): void {
    this.signals.push([pid, signal]);
    if (!this.live.has(pid)) throw Object.assign(new Error('ESRCH'), { code: 'ESRCH' });
    if (signal === 'SIGKILL' || !this.ignoreTerm.has(pid)) this.live.delete(pid);
  }
}

describe('stopPids', () => {
  it('processes that leave on SIGTERM: no SIGKILL, no wait', async () => {
    const procs = new FakePids([1, 2]);
    const slept: number[] = [];
    const outcome = await stopPids([1, 2], procs, { graceMs: 2000, alive: (p) => procs.live.has(p), sleep: (ms) => (slept.push(ms), Promise.resolve()) });
    expect(outcome).toBe('exited');
    expect(procs.signals).toEqual([
      [1, 'SIGTERM'],
      [2, 'SIGTERM'],
    ]);
    expect(slept).toEqual([]);
  });

  it('one that ignores SIGTERM is looked at every pollMs on the injected sleep and gets SIGKILL once the grace is spent; only it', async () => {
    const procs = new FakePids([1, 2], new Set([2]));
    const slept: number[] = [];
    const killed: number[] = [];
    const outcome = await stopPids([1, 2], procs, {
      graceMs: 200,
      pollMs: 50,
      alive: (p) => procs.live.has(p),
      sleep: (ms) => (slept.push(ms), Promise.resolve()),
      onKill: (p) => killed.push(p),
    });
    expect(outcome).toBe('killed');
    expect(slept).toEqual([50, 50, 50, 50]);
    expect(killed).toEqual([2]);
    expect(procs.signals).toEqual([
      [1, 'SIGTERM'],
      [2, 'SIGTERM'],
      [2, 'SIGKILL'],
    ]);
  });

  it('a signal that fails (already gone) is ignored, and a process that is no longer the same one is not signalled again', async () => {
    const procs = new FakePids([1], new Set([1]));
    let same = true;
    const outcome = await stopPids([1, 7], procs, {
      graceMs: 100,
      alive: (p) => same && procs.live.has(p),
      // the PID is reused by another process while we wait
      sleep: () => ((same = false), Promise.resolve()),
    });
    expect(outcome).toBe('exited');
    expect(procs.signals).toEqual([
      [1, 'SIGTERM'],
      [7, 'SIGTERM'],
    ]);
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
