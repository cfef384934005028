// Picks the backend the config names and wraps it in the supervisor.
import type { Logger } from '../log.js';
import type { Clock } from '../types.js';
import type { SpawnFn } from './child.js';
import type { CaptureDriver } from './driver.js';
import { ffmpegDriver } from './ffmpeg.js';
import { fileDriver } from './file.js';
import { gstreamerDriver } from './gstreamer.js';
import { opencvDriver } from './opencv.js';
import { isFileInput, type CameraConfig } from './pipelines.js';
import { SupervisedSource } from './supervisor.js';
import { systemTimers, type Timers } from '../timers.js';
import type { Geometry } from './transform.js';

export interface SourceDeps {
  clock: Clock;
  log: Logger;
  timers?: Timers;
  spawn?: SpawnFn;
  onChild?: (pid: number) => void;
}

export function cameraGeometry(cam: CameraConfig): Geometry {
  return { width: cam.width, height: cam.height, format: 'bgr24', mirror: cam.mirror, rotate: cam.rotate, scaleWidth: cam.scaleWidth };
}

export function createDriver(cam: CameraConfig, deps: SourceDeps): CaptureDriver {
  switch (cam.backend) {
    case 'gstreamer':
      return gstreamerDriver(cam, deps.spawn);
    case 'ffmpeg':
      return ffmpegDriver(
        {
          cam,
          input: { input: cam.ffmpeg.input, inputFormat: cam.ffmpeg.inputFormat, inputArgs: cam.ffmpeg.inputArgs, loop: cam.ffmpeg.loop, realtime: cam.ffmpeg.realtime },
          ffmpegPath: cam.ffmpeg.ffmpegPath,
          once: !cam.ffmpeg.loop && isFileInput(cam.ffmpeg.input, cam.ffmpeg.inputFormat),
        },
        deps.spawn,
      );
    case 'opencv':
      return opencvDriver(cam, deps.spawn ? { spawn: deps.spawn } : {});
    case 'file':
      return fileDriver(cam, { clock: deps.clock, timers: deps.timers ?? systemTimers, log: deps.log, ...(deps.spawn ? { spawn: deps.spawn } : {}) });
  }
}

export function createFrameSource(cam: CameraConfig, deps: SourceDeps): SupervisedSource {
  return new SupervisedSource({
    driver: createDriver(cam, deps),
    geometry: cameraGeometry(cam),
    clock: deps.clock,
    log: deps.log,
    stallMs: cam.stallMs,
    backoffInitialMs: cam.backoffInitialMs,
    backoffMaxMs: Math.max(cam.backoffMaxMs, cam.backoffInitialMs),
    stderrLinesPerMinute: cam.stderrLinesPerMinute,
    ...(deps.timers ? { timers: deps.timers } : {}),
    ...(deps.onChild ? { onChild: deps.onChild } : {}),
  });
}
