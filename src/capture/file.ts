// The `file` backend: a video (decoded by ffmpeg) or a folder of images (sharp), looped
// or once, paced at its frame rate or as fast as possible. What the path is gets decided
// per session, so a file that appears later (demo media made after start) is picked up.
import { statSync } from 'node:fs';
import { PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock } from '../types.js';
import type { CaptureDriver } from './driver.js';
import type { SpawnFn } from './child.js';
import { ffmpegDriver } from './ffmpeg.js';
import { imageFolderDriver } from './images.js';
import type { CameraConfig } from './pipelines.js';
import type { Timers } from '../timers.js';

export interface FileDriverDeps {
  clock: Clock;
  timers: Timers;
  log: Logger;
  spawn?: SpawnFn;
  ffmpegPath?: string;
}

export function fileDriver(cam: CameraConfig, deps: FileDriverDeps): CaptureDriver {
  const path = cam.file.path;
  const video = ffmpegDriver(
    {
      cam,
      input: { input: path, inputFormat: '', inputArgs: [], loop: cam.file.loop, realtime: cam.file.pace === 'realtime' },
      ffmpegPath: deps.ffmpegPath ?? cam.ffmpeg.ffmpegPath,
      once: !cam.file.loop,
      name: 'file',
    },
    deps.spawn,
  );
  const folder = imageFolderDriver({
    dir: path,
    width: cam.width,
    height: cam.height,
    fps: cam.fps,
    loop: cam.file.loop,
    pace: cam.file.pace,
    clock: deps.clock,
    timers: deps.timers,
    log: deps.log,
  });
  return {
    name: 'file',
    describe: path,
    open(sink) {
      if (!path) throw new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_FOUND', 'camera.file.path is empty');
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        throw new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_FOUND', `${path}: no such file or folder`);
      }
      return isDir ? folder.open(sink) : video.open(sink);
    },
  };
}
