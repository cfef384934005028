// The gst-launch-1.0 adapter: the only file that starts GStreamer. The pipeline ends in
// `fdsink fd=1`, so stdout is a stream of raw BGR frames that Node cuts up.
import { PokerfaceError } from '../errors.js';
import type { CaptureDriver } from './driver.js';
import { runChild, spawnChild, tailHas, type ChildExit, type SpawnFn } from './child.js';
import { gstArgs, gstPipeline, type CameraConfig } from './pipelines.js';

export const NVARGUS_HINT =
  'the Jetson camera service may be stuck after repeated CSI failures: run `sudo systemctl restart nvargus-daemon` (or reboot), then check the ribbon cable and `camera.gstreamer.sensorId`';

export function gstreamerDriver(cam: CameraConfig, spawn: SpawnFn = spawnChild): CaptureDriver {
  const pipeline = gstPipeline(cam);
  const args = gstArgs(pipeline);
  const exe = cam.gstreamer.gstLaunch;
  const csi = cam.gstreamer.preset === 'jetson-csi';
  return {
    name: 'gstreamer',
    describe: pipeline,
    open: (sink) => runChild(spawn, { cmd: exe, args, classify: (e) => ({ kind: 'failed', error: classifyGst(e, exe) }) }, sink),
    failureHint: (n) => (csi && (n === 3 || n % 10 === 0) ? NVARGUS_HINT : null),
  };
}

export function classifyGst(e: ChildExit, exe: string): PokerfaceError {
  const t = e.stderrTail;
  const last = t.at(-1) ?? '';
  if (e.spawnError) {
    return e.spawnError.code === 'ENOENT'
      ? new PokerfaceError('POKERFACE_ERR_CAPTURE_BACKEND', `${exe} not found (install gstreamer1.0-tools)`)
      : new PokerfaceError('POKERFACE_ERR_CAMERA_PIPELINE', `${exe}: ${e.spawnError.message}`);
  }
  let hit: string | null;
  if ((hit = tailHas(t, /erroneous pipeline|no element|could not link|syntax error|no property/i))) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_PIPELINE', hit);
  }
  if ((hit = tailHas(t, /Cannot identify device|No such file|Resource not found|Could not open|does not exist|No cameras available|Could not open device/i))) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_FOUND', hit);
  }
  if ((hit = tailHas(t, /Could not determine type of stream|not a video|demux|decod/i))) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_VIDEO', hit);
  }
  if (e.partialBytes > 0) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_FRAME_SIZE', `stream ended inside a frame (${e.partialBytes} bytes left over)${last ? `; ${last}` : ''}`);
  }
  if ((hit = tailHas(t, /not-negotiated|not negotiated/i))) {
    return new PokerfaceError('POKERFACE_ERR_CAMERA_PIPELINE', `caps not negotiated (can the camera deliver this size and rate?): ${hit}`);
  }
  const how = e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
  if (e.frames === 0 && last) return new PokerfaceError('POKERFACE_ERR_CAMERA_PIPELINE', `${how} before the first frame: ${last}`);
  return new PokerfaceError('POKERFACE_ERR_CAMERA_EXITED', `gst-launch-1.0 ${how} after ${e.frames} frames${last ? `: ${last}` : ''}`);
}
