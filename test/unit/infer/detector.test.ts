import { afterEach, describe, expect, it } from 'vitest';
import { isPokerfaceError } from '../../../src/errors.js';
import { WorkerDetector, isDropped } from '../../../src/infer/detector.js';
import { silentLogger } from '../../../src/log.js';
import type { Frame } from '../../../src/types.js';
import { modelConfig } from './helpers.js';
import { waitFor } from '../../wait-for.js';
import { TIME_SCALE } from '../../time-scale.js';

const FAKE = new URL('./fixtures/fake-worker.ts', import.meta.url);

function frame(width: number, marker = 0): Frame {
  const data = new Uint8Array(width * 4 * 3);
  data[0] = marker;
  return { seq: marker, ts: 0, width, height: 4, format: 'rgb24', data };
}

const open: WorkerDetector[] = [];
// tests that do not time a hang still need the fake worker to answer in time when
// everything is slower (under emulation a fresh worker's first frame took over 300 ms)
function detector(test: Record<string, unknown> = {}, workerTimeoutMs = 300 * TIME_SCALE): WorkerDetector {
  const d = new WorkerDetector({ config: modelConfig({ workerTimeoutMs }), log: silentLogger, workerUrl: FAKE, workerTest: test, startTimeoutMs: 20_000 });
  open.push(d);
  return d;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

describe('WorkerDetector (worker host)', () => {
  it('answers through the worker and reports info and stats', async () => {
    const d = detector({ initDelayMs: 100 });
    const starting = d.start();
    expect(d.isLoading()).toBe(true);
    await starting;
    expect(d.isLoading()).toBe(false);
    const faces = await d.detect(frame(8, 42));
    expect(faces).toEqual([{ box: [8, 4, 42, 0], score: 1, emotions: { happy: 0.5 } }]);
    expect(d.info().provider).toBe('fake');
    const s = d.stats();
    expect(s).toMatchObject({ provider: 'fake', frames: 1, workerRestarts: 0, timeouts: 0, healthy: true });
    expect(s.lastAnswerAgeMs).not.toBeNull();
    expect(d.health()).toEqual({ name: 'inference', healthy: true, reasons: [] });
  });

  it('latest wins: a waiting frame is dropped when a newer one arrives, nothing queues', async () => {
    const d = detector({ answerDelayMs: 150 });
    await d.start();
    const first = d.detect(frame(8, 1));
    const second = d.detect(frame(8, 2));
    const third = d.detect(frame(8, 3));
    const results = await Promise.allSettled([first, second, third]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: [{ box: [8, 4, 1, 0] }] });
    expect(results[1].status).toBe('rejected');
    expect(isDropped((results[1] as PromiseRejectedResult).reason)).toBe(true);
    // the newest frame's bytes were copied when detect() was called
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: [{ box: [8, 4, 3, 0] }] });
    expect(d.droppedFrames()).toBe(1);
  });

  it('each frame reaches the worker with its own pixels and focus (the frame message is reused)', async () => {
    const d = detector();
    await d.start();
    expect(await d.detect(frame(8, 1), [5, 6, 7, 8])).toMatchObject([{ box: [8, 4, 1, 5] }]);
    // no focus: nothing of the previous frame's is left in the message
    expect(await d.detect(frame(12, 2))).toMatchObject([{ box: [12, 4, 2, 0] }]);
    expect(await d.detect(frame(8, 3), [9, 1, 1, 1])).toMatchObject([{ box: [8, 4, 3, 9] }]);
    // a lent shared buffer, then the detector's own again
    const lent = new Uint8Array(new SharedArrayBuffer(8 * 4 * 3));
    lent[0] = 4;
    expect(await d.detect({ seq: 4, ts: 0, width: 8, height: 4, format: 'rgb24', data: lent })).toMatchObject([{ box: [8, 4, 4, 0] }]);
    expect(await d.detect(frame(8, 5))).toMatchObject([{ box: [8, 4, 5, 0] }]);
  });

  it('copies the frame: the caller may reuse its buffer right after detect()', async () => {
    const d = detector({ answerDelayMs: 50 });
    await d.start();
    const f = frame(8, 7);
    const busy = d.detect(frame(8, 1));
    const p = d.detect(f);
    f.data[0] = 99;
    await busy;
    expect(await p).toMatchObject([{ box: [8, 4, 7, 0] }]);
  });

  it('a frame already in shared memory is lent, not copied: the worker reads the caller\'s own bytes', async () => {
    const d = detector({ answerDelayMs: 50 });
    await d.start();
    const shared = new Uint8Array(new SharedArrayBuffer(8 * 4 * 3));
    shared[0] = 7;
    const busy = d.detect(frame(8, 1));
    const p = d.detect({ seq: 2, ts: 0, width: 8, height: 4, format: 'rgb24', data: shared });
    // breaking the lender's promise to leave the bytes alone shows that nothing was copied
    shared[0] = 99;
    await busy;
    expect(await p).toMatchObject([{ box: [8, 4, 99, 0] }]);
  });

  it('a crashed worker is replaced and counted; the frame it held rejects', async () => {
    const d = detector();
    await d.start();
    const err: unknown = await d.detect(frame(13)).catch((e: unknown) => e);
    expect(isPokerfaceError(err, 'POKERFACE_ERR_INFER_WORKER')).toBe(true);
    expect(d.stats().workerRestarts).toBe(1);
    await waitFor(() => d.stats().healthy, { timeoutMs: 15_000 });
    expect(await d.detect(frame(8, 5))).toMatchObject([{ box: [8, 4, 5, 0] }]);
  });

  it('a worker that exits is replaced too', async () => {
    const d = detector();
    await d.start();
    await expect(d.detect(frame(19))).rejects.toMatchObject({ code: 'POKERFACE_ERR_INFER_WORKER' });
    expect(d.stats().workerRestarts).toBe(1);
    await waitFor(() => d.stats().healthy, { timeoutMs: 15_000 });
  });

  it('a hung worker is replaced after workerTimeoutMs; the timeout is counted', async () => {
    const d = detector({}, 200);
    await d.start();
    const t0 = Date.now();
    await expect(d.detect(frame(17))).rejects.toMatchObject({ code: 'POKERFACE_ERR_INFER_TIMEOUT' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(d.stats()).toMatchObject({ timeouts: 1, workerRestarts: 1 });
    // a frame sent while the new worker loads waits for it, then runs
    expect(await d.detect(frame(8, 9))).toMatchObject([{ box: [8, 4, 9, 0] }]);
  });

  it('start() fails with the worker\'s own error code (e.g. a corrupt model) and leaves nothing running', async () => {
    const d = detector({ failInit: 'POKERFACE_ERR_MODEL_CORRUPT' });
    const err: unknown = await d.start().catch((e: unknown) => e);
    expect(isPokerfaceError(err, 'POKERFACE_ERR_MODEL_CORRUPT')).toBe(true);
    expect((err as Error).message).toBe('model file does not match its manifest (sha256): fake');
    expect(d.health().healthy).toBe(false);
  });

  it('refuses invalid frames, and every call after close()', async () => {
    const d = detector();
    await d.start();
    await expect(d.detect({ seq: 0, ts: 0, width: 0, height: 0, format: 'rgb24', data: new Uint8Array(0) })).rejects.toMatchObject({ code: 'POKERFACE_ERR_FRAME_INVALID' });
    const pending = d.detect(frame(17)).catch((e: unknown) => e);
    await d.close();
    expect(isPokerfaceError(await pending, 'POKERFACE_ERR_INFER_CLOSED')).toBe(true);
    await expect(d.detect(frame(8))).rejects.toMatchObject({ code: 'POKERFACE_ERR_INFER_CLOSED' });
    expect(d.stats().healthy).toBe(false);
  });

  it('close() during a slow model load ends start() with POKERFACE_ERR_INFER_CLOSED', async () => {
    const d = detector({ initDelayMs: 5000 });
    const starting = d.start().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50)); // into the 5 s load; any moment of it will do
    await d.close();
    expect(isPokerfaceError(await starting, 'POKERFACE_ERR_INFER_CLOSED')).toBe(true);
  });
});
