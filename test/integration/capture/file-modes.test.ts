// The file backend's modes: once vs looped, paced vs fast, video vs image folder.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { createFrameSource } from '../../../src/capture/factory.js';
import type { SupervisedSource } from '../../../src/capture/supervisor.js';
import { silentLogger } from '../../../src/log.js';
import { cameraConfig } from './config.js';
import { makeTestMedia } from './media.js';
import { waitFor } from '../../wait-for.js';

const media = makeTestMedia({ width: 160, height: 120, fps: 15, seconds: 2 });
afterAll(() => media.cleanup());

let running: SupervisedSource | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

function source(file: Record<string, unknown>, fps = 15): SupervisedSource {
  running = createFrameSource(cameraConfig({ backend: 'file', width: 160, height: 120, fps, file }), { clock: systemClock, log: silentLogger });
  return running;
}

describe('file backend modes', () => {
  it('a video played once, as fast as possible: every frame, then the source ends without restarting', async () => {
    const src = source({ path: media.video, loop: false, pace: 'fast' });
    let n = 0;
    src.onFrame(() => void n++);
    await src.start();
    await waitFor(() => src.stats().state === 'stopped', { timeoutMs: 10_000 });
    const st = src.stats();
    expect(st.frames).toBe(30); // 2 s at 15 fps
    expect(n).toBeGreaterThan(0);
    expect(st.reconnects).toBe(0);
    expect(st.lastError).toBeUndefined();
    expect(src.health().reasons).toEqual(['camera input ended']);
  });

  it('an image folder played once, fast: each image once, in name order', async () => {
    const src = source({ path: media.images, loop: false, pace: 'fast' });
    const seqs: number[] = [];
    src.onFrame((f) => void seqs.push(f.seq));
    await src.start();
    await waitFor(() => src.stats().state === 'stopped', { timeoutMs: 10_000 });
    expect(src.stats().frames).toBe(6);
    expect(seqs.length).toBeGreaterThan(0);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('an image folder paced at camera.fps does not run ahead', async () => {
    const src = source({ path: media.images, loop: true, pace: 'realtime' }, 10);
    await src.start();
    await waitFor(() => src.stats().frames > 0, { timeoutMs: 5000 });
    const f0 = src.stats().frames;
    await new Promise((r) => setTimeout(r, 1000)); // the window the rate is counted over
    const n = src.stats().frames - f0;
    // about 10 in a second; a fast (unpaced) folder would give hundreds
    expect(n).toBeGreaterThanOrEqual(4);
    expect(n).toBeLessThanOrEqual(14);
  });
});
