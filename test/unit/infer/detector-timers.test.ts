import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { WorkerDetector } from '../../../src/infer/detector.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { TestTimers } from '../../test-timers.js';
import { waitFor } from '../../wait-for.js';
import { modelConfig } from './helpers.js';

const FAKE = new URL('./fixtures/fake-worker.ts', import.meta.url);

const open: WorkerDetector[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

describe('WorkerDetector on injected timers', () => {
  it('close() waits for a worker that ignores the close request on the injected timers, then ends it', async () => {
    const clock = new ManualClock();
    const timers = new TestTimers(clock);
    const d = new WorkerDetector({ config: modelConfig(), log: silentLogger, workerUrl: FAKE, workerTest: { ignoreClose: true }, startTimeoutMs: 20_000, clock, timers });
    open.push(d);
    await d.start();
    let closed = false;
    const closing = d.close().then(() => (closed = true));
    // the only pending timer is close()'s wait; with a raw setTimeout there would be none
    expect(timers.size).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    timers.advance(1000);
    await closing;
    expect(closed).toBe(true);
    expect(timers.size).toBe(0);
  });

  it('an inference listener that throws does not stop the others or lose the frame', async () => {
    const errors: string[] = [];
    const log = Object.create(silentLogger) as Logger;
    log.error = (_obj: unknown, msg?: string) => void errors.push(msg ?? '');
    const d = new WorkerDetector({ config: modelConfig(), log, workerUrl: FAKE, workerTest: {}, startTimeoutMs: 20_000 });
    open.push(d);
    await d.start();
    const seen: number[] = [];
    d.onInference(() => {
      throw new Error('listener bug');
    });
    const off = d.onInference((ms) => seen.push(ms));
    const data = new Uint8Array(8 * 4 * 3);
    const faces = await d.detect({ seq: 1, ts: 0, width: 8, height: 4, format: 'rgb24', data });
    expect(faces).toHaveLength(1);
    await waitFor(() => seen.length === 1, { what: 'the second listener' });
    expect(errors).toContain('inference listener threw');
    off();
    await d.detect({ seq: 2, ts: 0, width: 8, height: 4, format: 'rgb24', data });
    expect(seen).toHaveLength(1);
  });
});
