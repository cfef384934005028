// Bad input never crashes anything: each case ends in a clear code, the `failed` state,
// and more retries.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { createFrameSource } from '../../../src/capture/factory.js';
import { opencvInstalled } from '../../../src/capture/opencv.js';
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

function source(camera: Record<string, unknown>): SupervisedSource {
  running = createFrameSource(cameraConfig({ width: 160, height: 120, fps: 15, backoffInitialMs: 20, backoffMaxMs: 100, stallMs: 800, ...camera }), {
    clock: systemClock,
    log: silentLogger,
  });
  return running;
}

async function until(src: SupervisedSource, pred: (s: ReturnType<SupervisedSource['stats']>) => boolean, ms = 10_000): Promise<ReturnType<SupervisedSource['stats']>> {
  await waitFor(() => pred(src.stats()), { timeoutMs: ms, what: () => `a state; last ${JSON.stringify(src.stats())}` });
  return src.stats();
}

const failedWith = (code: string) => (s: ReturnType<SupervisedSource['stats']>) => s.state === 'failed' && s.lastError?.code === code && s.reconnects >= 3;

describe('bad camera input', () => {
  it('a video file that does not exist: NOT_FOUND, failed, retrying — and running once it appears', async () => {
    const path = join(media.dir, 'later.mp4');
    const src = source({ backend: 'file', file: { path } });
    await src.start();
    await until(src, failedWith('POKERFACE_ERR_CAMERA_NOT_FOUND'));
    expect(src.health().healthy).toBe(false);
    copyFileSync(media.video, path);
    await until(src, (s) => s.state === 'running' && s.frames > 0);
    expect(src.health().healthy).toBe(true);
  });

  it('a file that is not a video: NOT_VIDEO (file and ffmpeg backends)', async () => {
    const a = source({ backend: 'file', file: { path: media.notVideo } });
    await a.start();
    await until(a, failedWith('POKERFACE_ERR_CAMERA_NOT_VIDEO'));
    await a.stop();
    const b = source({ backend: 'ffmpeg', ffmpeg: { input: media.notVideo } });
    await b.start();
    await until(b, failedWith('POKERFACE_ERR_CAMERA_NOT_VIDEO'));
  });

  it('a pipeline that does not parse: PIPELINE', async () => {
    const src = source({ backend: 'gstreamer', gstreamer: { preset: 'custom', pipeline: 'nosuchsrc ! decodebin' } });
    await src.start();
    const st = await until(src, failedWith('POKERFACE_ERR_CAMERA_PIPELINE'));
    expect(st.lastError?.message).toMatch(/nosuchsrc/);
  });

  it('a camera that does not exist: NOT_FOUND (gstreamer usb, ffmpeg v4l2)', async () => {
    const a = source({ backend: 'gstreamer', gstreamer: { preset: 'usb', device: '/dev/video97' } });
    await a.start();
    await until(a, failedWith('POKERFACE_ERR_CAMERA_NOT_FOUND'));
    await a.stop();
    const b = source({ backend: 'ffmpeg', ffmpeg: { input: '/dev/video97', inputFormat: 'v4l2' } });
    await b.start();
    await until(b, failedWith('POKERFACE_ERR_CAMERA_NOT_FOUND'));
  });

  it('a camera that goes quiet: STALL after stallMs, counted, restarted', async () => {
    // one frame, then nothing for 10 s
    const src = source({ backend: 'gstreamer', gstreamer: { preset: 'custom', pipeline: 'videotestsrc is-live=true ! video/x-raw,framerate=1/10' } });
    await src.start();
    const st = await until(src, (s) => s.stalls >= 2);
    expect(st.lastError?.code).toBe('POKERFACE_ERR_CAMERA_STALL');
    expect(st.reconnects).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(!opencvInstalled())('frames of the wrong size: FRAME_SIZE (opencv)', async () => {
    const src = source({
      backend: 'opencv',
      stallMs: 15_000, // the child starts slowly from sources (tsx + addon load)
      opencv: { pipeline: 'videotestsrc is-live=true ! video/x-raw,width=64,height=48,framerate=30/1 ! videoconvert ! video/x-raw,format=BGR ! appsink' },
    });
    await src.start();
    const st = await until(src, (s) => s.lastError?.code === 'POKERFACE_ERR_CAMERA_FRAME_SIZE', 20_000);
    expect(st.lastError?.message).toMatch(/64x48/);
  });
});
