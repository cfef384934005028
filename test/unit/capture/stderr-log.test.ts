import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { ManualClock } from '../../../src/clock.js';
import { StderrLog } from '../../../src/capture/stderr-log.js';

function capture() {
  const lines: Array<{ msg: string; suppressed?: number }> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      cb();
    },
  });
  return { log: pino({ level: 'info' }, dest), lines };
}

describe('StderrLog', () => {
  it('logs at most N lines a minute, then says how many it suppressed', async () => {
    const clock = new ManualClock();
    const { log, lines } = capture();
    const s = new StderrLog(log, clock, 3, 'gstreamer');
    for (let i = 0; i < 100; i++) s.write(`flood ${i}\n`);
    clock.advance(60_000);
    s.write('after a minute\n');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.msg)).toEqual(['flood 0', 'flood 1', 'flood 2', 'capture stderr lines suppressed (rate limit)', 'after a minute']);
    expect(lines[3]?.suppressed).toBe(97);
    expect(s.suppressedTotal).toBe(97);
  });

  it('joins lines split across chunks, caps line length, keeps a tail', () => {
    const { log } = capture();
    const s = new StderrLog(log, new ManualClock(), 100, 'ffmpeg');
    s.write('first ha');
    s.write('lf\nsecond\n');
    s.write('x'.repeat(5000));
    s.end();
    const tail = s.tail();
    expect(tail[0]).toBe('first half');
    expect(tail[1]).toBe('second');
    expect(tail[2]?.length).toBe(400);
  });
});
