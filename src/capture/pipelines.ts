// Command lines for the capture children, as pure functions of the camera config so
// they can be unit-tested and printed (`pokerface capture --json` shows them).
import type { FrozenConfig } from '../config/schema.js';

export type CameraConfig = FrozenConfig['camera'];

/** GStreamer fraction for a frame rate: 30 → "30/1", 29.97 → "2997/100". */
export function gstFraction(fps: number): string {
  if (Number.isInteger(fps)) return `${fps}/1`;
  const den = 1000;
  const num = Math.round(fps * den);
  const g = gcd(num, den);
  return `${num / g}/${den / g}`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The gst-launch pipeline text for the configured preset, ending in a raw BGR fdsink. */
export function gstPipeline(cam: CameraConfig): string {
  const g = cam.gstreamer;
  const w = cam.width;
  const h = cam.height;
  const fr = gstFraction(cam.fps);
  // Live sources: a one-buffer leaky queue drops stale frames inside the child when we
  // are behind, so the pipe never holds old frames (latest wins, upstream too).
  const liveSink = `queue max-size-buffers=1 leaky=downstream ! fdsink fd=1 sync=false`;
  const bgr = `video/x-raw,format=BGR,width=${w},height=${h}`;
  switch (g.preset) {
    case 'jetson-csi':
      return (
        `nvarguscamerasrc sensor-id=${g.sensorId} ! video/x-raw(memory:NVMM),width=${w},height=${h},framerate=${fr} ! ` +
        `nvvidconv flip-method=${g.flipMethod} ! video/x-raw,format=BGRx,width=${w},height=${h} ! videoconvert ! ${bgr} ! ${liveSink}`
      );
    case 'rpi-libcamera':
      return `libcamerasrc ! video/x-raw,width=${w},height=${h},framerate=${fr} ! videoconvert ! videoscale ! ${bgr} ! ${liveSink}`;
    case 'usb':
      return `v4l2src device=${quoteGst(g.device)} ! video/x-raw,width=${w},height=${h},framerate=${fr} ! videoconvert ! ${bgr} ! ${liveSink}`;
    case 'test':
      return `videotestsrc is-live=true pattern=ball ! video/x-raw,width=${w},height=${h},framerate=${fr} ! videoconvert ! ${bgr} ! ${liveSink}`;
    case 'custom':
      return `${g.pipeline.trim()} ! videoconvert ! videoscale ! ${bgr} ! fdsink fd=1 sync=${g.sync ? 'true' : 'false'}`;
  }
}

function quoteGst(v: string): string {
  return /[\s"!]/.test(v) ? `"${v.replace(/"/g, '\\"')}"` : v;
}

/**
 * gst-launch-1.0 joins its arguments with spaces and escapes spaces inside each one, so
 * the pipeline goes in as separate words; a double-quoted value stays one word.
 */
export function gstArgs(pipeline: string): string[] {
  const words: string[] = [];
  const re = /(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g;
  for (const m of pipeline.matchAll(re)) words.push(m[0].replace(/"((?:[^"\\]|\\.)*)"/g, (_s, inner: string) => inner.replace(/\\"/g, '"')));
  // -q: only frames on stdout (gst-launch otherwise prints its progress there)
  return ['-q', ...words];
}

export interface FfmpegInput {
  input: string;
  inputFormat: string;
  inputArgs: readonly string[];
  loop: boolean;
  realtime: boolean;
}

/** A local file path (not a URL and not a device node). */
export function isFileInput(input: string, inputFormat: string): boolean {
  return inputFormat === '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !input.startsWith('/dev/');
}

/** ffmpeg arguments writing raw bgr24 frames of the configured size to stdout. */
export function ffmpegArgs(cam: Pick<CameraConfig, 'width' | 'height' | 'fps'>, inp: FfmpegInput): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  const file = isFileInput(inp.input, inp.inputFormat);
  if (file && inp.realtime) args.push('-re');
  if (file && inp.loop) args.push('-stream_loop', '-1');
  if (inp.inputFormat) args.push('-f', inp.inputFormat);
  if (inp.inputFormat === 'v4l2' && !inp.inputArgs.includes('-video_size')) {
    args.push('-framerate', String(cam.fps), '-video_size', `${cam.width}x${cam.height}`);
  }
  args.push(...inp.inputArgs, '-i', inp.input);
  args.push('-map', '0:v:0', '-an', '-sn', '-dn');
  args.push('-vf', `scale=${cam.width}:${cam.height}:flags=bilinear`);
  args.push('-pix_fmt', 'bgr24', '-f', 'rawvideo', 'pipe:1');
  return args;
}
