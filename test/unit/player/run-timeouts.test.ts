// ffprobe and ffmpeg runs give up on the injected timers: a test moves a fake clock
// instead of waiting out the real 15 s / 120 s.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { isPokerfaceError } from '../../../src/errors.js';
import { ffmpegRunner } from '../../../src/player/ffmpeg-run.js';
import { ffprobe } from '../../../src/player/probe.js';
import { TestTimers } from '../../test-timers.js';

/** A process that never finishes by itself; SIGKILL ends it. */
class HangingChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly signals: Array<NodeJS.Signals | number | undefined> = [];
  kill(signal?: NodeJS.Signals | number): boolean {
    this.signals.push(signal);
    if (signal === 'SIGKILL') setImmediate(() => this.emit('close', null, 'SIGKILL'));
    return true;
  }
}

function fakeTime(): { timers: TestTimers } {
  return { timers: new TestTimers(new ManualClock()) };
}

describe('child run timeouts on injected timers', () => {
  it('ffprobe: killed and rejected after timeoutMs of fake time', async () => {
    const { timers } = fakeTime();
    const child = new HangingChild();
    const probe = ffprobe({ spawn: () => child, timeoutMs: 15_000, timers });
    let err: unknown = null;
    const p = probe('clip.mp4').catch((e: unknown) => (err = e));
    expect(timers.size).toBe(1);
    timers.advance(14_999);
    await new Promise((r) => setImmediate(r));
    expect(err).toBeNull();
    timers.advance(1);
    await p;
    expect(child.signals).toEqual(['SIGKILL']);
    expect(isPokerfaceError(err, 'POKERFACE_ERR_MEDIA_UNPLAYABLE')).toBe(true);
    expect((err as Error).message).toMatch(/took longer than 15000 ms/);
  });

  it('ffmpeg: killed and rejected after timeoutMs of fake time', async () => {
    const { timers } = fakeTime();
    const child = new HangingChild();
    const run = ffmpegRunner({ spawn: () => child, timeoutMs: 120_000, timers });
    let err: unknown = null;
    const p = run(['-i', 'x']).catch((e: unknown) => (err = e));
    expect(timers.size).toBe(1);
    timers.advance(120_000);
    await p;
    expect(child.signals).toEqual(['SIGKILL']);
    expect(isPokerfaceError(err, 'POKERFACE_ERR_MEDIA_MAKE')).toBe(true);
  });
});
