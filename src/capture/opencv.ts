// The `opencv` backend: runs opencv-child in a child process and reads its raw frames
// like any other capture child.
//
// Why a child process and not a worker thread: @u4/opencv4nodejs is not context-aware
// (it keeps V8 handles in C++ statics), so loading it in a second worker thread of the
// same process aborts the whole process ("Check failed: node->IsInUse()"). A capture
// that must survive restarts, stalls and kills cannot live in a worker that can load
// the addon only once. A child process keeps the sync API off the daemon's thread,
// can be killed when a native read hangs, and leaves nothing behind on stop().
//
// The addon is an optional dependency: when it is missing, sessions fail with
// POKERFACE_ERR_CAPTURE_BACKEND (the source reports `failed` and retries with backoff).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PokerfaceError } from '../errors.js';
import type { CaptureDriver } from './driver.js';
import { runChild, spawnChild, tailHas, type ChildExit, type SpawnFn } from './child.js';
import type { OpencvChildArgs } from './opencv-child.js';
import type { CameraConfig } from './pipelines.js';

/** Whether the addon is installed and built, without loading it. */
export function opencvInstalled(): boolean {
  try {
    const main = createRequire(import.meta.url).resolve('@u4/opencv4nodejs');
    createRequire(main).resolve('../../build/Release/opencv4nodejs.node');
    return true;
  } catch {
    return false;
  }
}

/** The node command line that runs opencv-child (through tsx when running from sources). */
export function opencvChildCommand(args: OpencvChildArgs): { cmd: string; args: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./opencv-child${ts ? '.ts' : '.js'}`, import.meta.url));
  const pre: string[] = [];
  if (ts) {
    const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
    pre.push('--import', pathToFileURL(join(tsxDir, 'dist/loader.mjs')).href);
  }
  return { cmd: process.execPath, args: [...pre, entry, JSON.stringify(args)] };
}

export interface OpencvDriverOptions {
  spawn?: SpawnFn;
  /** injected for tests: whether the addon is there */
  installed?: () => boolean;
}

export function opencvDriver(cam: CameraConfig, o: OpencvDriverOptions = {}): CaptureDriver {
  const pipeline = cam.opencv.pipeline.trim();
  const childArgs: OpencvChildArgs = { source: pipeline || cam.opencv.device, api: pipeline ? 'gstreamer' : 'any', width: cam.width, height: cam.height };
  const { cmd, args } = opencvChildCommand(childArgs);
  const installed = o.installed ?? opencvInstalled;
  // the addon must find the system OpenCV it was built against, never build its own
  const spawn = o.spawn ?? ((c: string, a: readonly string[]) => spawnChild(c, a, { OPENCV4NODEJS_DISABLE_AUTOBUILD: '1', OPENCV_LOG_LEVEL: 'ERROR' }));
  return {
    name: 'opencv',
    describe: pipeline || `device ${cam.opencv.device}`,
    open(sink) {
      if (!installed()) {
        throw new PokerfaceError('POKERFACE_ERR_CAPTURE_BACKEND', '@u4/opencv4nodejs is not installed (optional dependency; see docs/capture.md)');
      }
      return runChild(spawn, { cmd, args, classify: (e) => ({ kind: 'failed', error: classifyOpencv(e) }) }, sink);
    },
  };
}

const CODES = [
  'POKERFACE_ERR_CAPTURE_BACKEND',
  'POKERFACE_ERR_CAMERA_NOT_FOUND',
  'POKERFACE_ERR_CAMERA_FRAME_SIZE',
  'POKERFACE_ERR_CAMERA_NOT_VIDEO',
] as const;

export function classifyOpencv(e: ChildExit): PokerfaceError {
  if (e.spawnError) return new PokerfaceError('POKERFACE_ERR_CAPTURE_BACKEND', `cannot start node for the opencv child: ${e.spawnError.message}`);
  for (const code of CODES) {
    const hit = tailHas(e.stderrTail, new RegExp(`^${code}\\b`));
    if (hit) return new PokerfaceError(code, hit.slice(code.length + 1));
  }
  const how = e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
  const last = e.stderrTail.at(-1);
  return new PokerfaceError('POKERFACE_ERR_CAMERA_EXITED', `opencv child ${how} after ${e.frames} frames${last ? `: ${last}` : ''}`);
}
