import { afterAll } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { createFrameSource } from '../../../src/capture/factory.js';
import { opencvInstalled } from '../../../src/capture/opencv.js';
import { silentLogger } from '../../../src/log.js';
import { cameraConfig } from './config.js';
import { frameSourceContract, type ContractSubject } from './contract.js';
import { makeTestMedia } from './media.js';

const media = makeTestMedia({ width: 320, height: 240, fps: 30, seconds: 4 });
afterAll(() => media.cleanup());

const common = { width: 320, height: 240, fps: 30, backoffInitialMs: 100, stallMs: 3000 };

function subject(camera: Record<string, unknown>, size = { width: 320, height: 240 }): ContractSubject {
  const source = createFrameSource(cameraConfig({ ...common, ...camera }), { clock: systemClock, log: silentLogger });
  return {
    source,
    width: size.width,
    height: size.height,
    format: 'bgr24',
    kill: () => void source.killBackend(),
    pids: () => (source.pid === null ? [] : [source.pid]),
  };
}

frameSourceContract('file (video via ffmpeg, realtime, looped)', () => subject({ backend: 'file', file: { path: media.video, loop: true, pace: 'realtime' } }));
frameSourceContract('file (folder of images, fast)', () => subject({ backend: 'file', file: { path: media.images, loop: true, pace: 'fast' } }));
frameSourceContract('ffmpeg (file input, mirrored and downscaled)', () =>
  subject({ backend: 'ffmpeg', mirror: true, scaleWidth: 160, ffmpeg: { input: media.video, loop: true } }, { width: 160, height: 120 }),
);
frameSourceContract('gstreamer (videotestsrc, rotated 90)', () => subject({ backend: 'gstreamer', rotate: 90, gstreamer: { preset: 'test' } }, { width: 240, height: 320 }));
frameSourceContract('gstreamer (filesrc)', () =>
  subject({ backend: 'gstreamer', gstreamer: { preset: 'custom', pipeline: `filesrc location="${media.video}" ! decodebin`, sync: true } }),
);
if (opencvInstalled()) {
  frameSourceContract('opencv (GStreamer pipeline, child process)', () =>
    subject({
      backend: 'opencv',
      opencv: { pipeline: 'videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! video/x-raw,format=BGR ! appsink max-buffers=1 drop=true' },
    }),
    // the child runs from TypeScript through tsx here (compile + addon load): slower to start than compiled
    { resumeWithinMs: 8000, firstFrameTimeoutMs: 15_000 },
  );
}
