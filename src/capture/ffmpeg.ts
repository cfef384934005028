// The ffmpeg adapter: the only file that starts ffmpeg. `-f rawvideo -pix_fmt bgr24`
// to stdout; used by the `ffmpeg` backend and by the `file` backend for videos.
import { PokerfaceError } from '../errors.js';
import type { CaptureDriver } from './driver.js';
import { runChild, spawnChild, tailHas, type ChildExit, type SpawnFn } from './child.js';
import { ffmpegArgs, type CameraConfig, type FfmpegInput } from './pipelines.js';

export interface FfmpegDriverOptions {
  cam: Pick<CameraConfig, 'width' | 'height' | 'fps'>;
  input: FfmpegInput;
  ffmpegPath: string;
  /** a clean exit after frames is the end of the input (a file played once) */
  once: boolean;
  name?: string;
}

export function ffmpegDriver(o: FfmpegDriverOptions, spawn: SpawnFn = spawnChild): CaptureDriver {
  const args = ffmpegArgs(o.cam, o.input);
  return {
    name: o.name ?? 'ffmpeg',
    describe: o.input.input,
    open: (sink) =>
      runChild(
        spawn,
        {
          cmd: o.ffmpegPath,
          args,
          classify: (e) => {
            if (o.once && e.code === 0 && e.frames > 0 && e.partialBytes === 0) return { kind: 'ended' };
            return { kind: 'failed', error: classifyFfmpeg(e, o.ffmpegPath, o.input.input) };
          },
        },
        sink,
      ),
  };
}

export function ffmpegDriverArgs(o: FfmpegDriverOptions): string[] {
  return ffmpegArgs(o.cam, o.input);
}

export function classifyFfmpeg(e: ChildExit, exe: string, input: string): PokerfaceError {
  const t = e.stderrTail;
  const last = t.at(-1) ?? '';
  if (e.spawnError) {
    return e.spawnError.code === 'ENOENT'
      ? new PokerfaceError('POKERFACE_ERR_CAPTURE_BACKEND', `${exe} not found (install ffmpeg)`)
      : new PokerfaceError('POKERFACE_ERR_CAMERA_PIPELINE', `${exe}: ${e.spawnError.message}`);
  }
  let hit: string | null;
  if ((hit = tailHas(t, /No such file or directory|No such device|Connection refused|Connection timed out|404 Not Found|Cannot open video device|Input\/output error/i))) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_FOUND', `${input}: ${hit}`);
  }
  if ((hit = tailHas(t, /Invalid data found|matches no streams|does not contain any stream|could not find codec|Unknown input format|moov atom not found|decod/i))) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_VIDEO', `${input}: ${hit}`);
  }
  if ((hit = tailHas(t, /Error (?:initializing|opening|parsing|while)|Invalid argument|Unrecognized option|Option not found/i))) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_PIPELINE', hit);
  }
  if (e.partialBytes > 0) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_FRAME_SIZE', `stream ended inside a frame (${e.partialBytes} bytes left over)`);
  }
  const how = e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
  if (e.frames === 0 && e.code === 0) return new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_VIDEO', `${input}: no video frames`);
  return new PokerfaceError('POKERFACE_ERR_CAMERA_EXITED', `ffmpeg ${how} after ${e.frames} frames${last ? `: ${last}` : ''}`);
}
