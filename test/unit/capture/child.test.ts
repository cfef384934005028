import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { deferSync } from '../../../src/capture/delivery.js';
import type { SpawnFn } from '../../../src/capture/child.js';
import { gstreamerDriver } from '../../../src/capture/gstreamer.js';
import { parseConfig } from '../../../src/config/load.js';
import { SupervisedSource } from '../../../src/capture/supervisor.js';
import { TestTimers } from '../../test-timers.js';

/** A child process made of streams: the test writes its stdout/stderr and decides when it exits. */
class FakeChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly signals: Array<NodeJS.Signals | number | undefined> = [];
  constructor(readonly pid: number) {
    super();
  }
  kill(signal?: NodeJS.Signals | number): boolean {
    this.signals.push(signal);
    setImmediate(() => this.exit(null, (signal as NodeJS.Signals) ?? 'SIGTERM'));
    return true;
  }
  exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    this.exitCode = code;
    this.signalCode = signal;
    this.stdout.end();
    this.stderr.end();
    setImmediate(() => this.emit('close', code, signal));
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function setup() {
  const children: FakeChild[] = [];
  const calls: Array<{ cmd: string; args: readonly string[] }> = [];
  const spawn: SpawnFn = (cmd, args) => {
    calls.push({ cmd, args });
    const c = new FakeChild(1000 + children.length);
    children.push(c);
    return c;
  };
  const cam = parseConfig(JSON.stringify({ camera: { width: 16, height: 16, gstreamer: { preset: 'test' }, backoffInitialMs: 50 } }), 't').camera;
  const clock = new ManualClock();
  const timers = new TestTimers(clock);
  const src = new SupervisedSource({
    driver: gstreamerDriver(cam, spawn),
    geometry: { width: 2, height: 2, format: 'bgr24', mirror: false, rotate: 0, scaleWidth: 0 },
    clock,
    log: silentLogger,
    stallMs: 3000,
    backoffInitialMs: 50,
    backoffMaxMs: 1000,
    stderrLinesPerMinute: 30,
    timers,
    defer: deferSync,
  });
  return { children, calls, src, clock, timers };
}

describe('capture child (gst-launch through an injected spawn)', () => {
  it('spawns gst-launch-1.0 -q with the pipeline words and cuts stdout into frames', async () => {
    const { children, calls, src } = setup();
    const frames: number[][] = [];
    src.onFrame((f) => void frames.push([...f.data]));
    await src.start();
    expect(calls[0]?.cmd).toBe('gst-launch-1.0');
    expect(calls[0]?.args.slice(0, 2)).toEqual(['-q', 'videotestsrc']);
    const c = children[0] as FakeChild;
    c.stdout.write(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    c.stdout.write(Buffer.from([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]));
    await tick();
    expect(frames).toHaveLength(2);
    expect(frames[1]?.[0]).toBe(13);
    expect(src.pid).toBe(1000);
    await src.stop();
    expect(c.signals).toEqual(['SIGTERM']);
  });

  it('an exit with a broken pipeline: the code from stderr, then a restart after backoff', async () => {
    const { children, src, clock, timers } = setup();
    await src.start();
    const c = children[0] as FakeChild;
    c.stderr.write('WARNING: erroneous pipeline: no element "nvarguscamerasrc"\n');
    await tick();
    c.exit(1, null);
    await tick();
    await tick();
    expect(src.stats().lastError?.code).toBe('POKERFACE_ERR_CAMERA_PIPELINE');
    clock.advance(50);
    timers.runDue();
    expect(children).toHaveLength(2);
    expect(src.stats().reconnects).toBe(1);
    await src.stop();
  });

  it('a child that ignores SIGTERM gets SIGKILL', async () => {
    const { children, src } = setup();
    await src.start();
    const c = children[0] as FakeChild;
    c.kill = function (this: FakeChild, signal?: NodeJS.Signals | number) {
      this.signals.push(signal);
      if (signal === 'SIGKILL') setImmediate(() => this.exit(null, 'SIGKILL'));
      return true;
    };
    await src.stop();
    expect(c.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });
});
