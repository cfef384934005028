// The @u4/opencv4nodejs adapter: the only file that loads the addon. It runs as a child
// process (see opencv.ts for why not a worker thread), uses only the addon's sync API,
// and writes raw BGR frames to stdout like the gst-launch and ffmpeg children do.
// Failures go to stderr as one line starting with an error code, and set the exit code.
import { createRequire } from 'node:module';
import { writeSync } from 'node:fs';

export interface OpencvChildArgs {
  source: string | number;
  /** 'gstreamer' opens a pipeline string with CAP_GSTREAMER */
  api: 'gstreamer' | 'any';
  width: number;
  height: number;
}

/** exit codes the driver maps back to error codes */
export const OPENCV_EXIT = { NOT_FOUND: 3, FRAME_SIZE: 4, BACKEND: 5, NO_FRAMES: 6 } as const;

interface CvMat {
  readonly rows: number;
  readonly cols: number;
  readonly channels: number;
  readonly empty: boolean;
  getData(): Buffer;
}
interface CvCapture {
  read(): CvMat;
  release(): void;
}
interface Cv {
  CAP_GSTREAMER: number;
  VideoCapture: new (src: string | number, api?: number) => CvCapture;
}

/** consecutive empty reads before the input counts as ended or lost */
const EMPTY_LIMIT = 5;

function fail(code: string, exit: number, message: string): never {
  process.stderr.write(`${code} ${message}\n`);
  process.exit(exit);
}

/** The addon's loader logs to stdout, which carries our frames: silence it. */
function quietLoader(req: NodeJS.Require): void {
  try {
    const build = createRequire(req.resolve('@u4/opencv4nodejs'))('@u4/opencv-build') as { Log?: { silence: boolean } };
    if (build.Log) build.Log.silence = true;
  } catch {
    // a loader without this switch: its log lines would corrupt the stream, so fail loudly below
  }
}

function writeAll(buf: Uint8Array): void {
  let off = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (off < buf.byteLength) {
    try {
      off += writeSync(1, buf, off, buf.byteLength - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 2);
      else process.exit(0); // EPIPE: the daemon went away
    }
  }
}

function main(): void {
  const args = JSON.parse(process.argv[2] ?? '{}') as OpencvChildArgs;
  let cv: Cv;
  try {
    const req = createRequire(import.meta.url);
    quietLoader(req);
    cv = req('@u4/opencv4nodejs') as Cv;
  } catch (e) {
    fail('POKERFACE_ERR_CAPTURE_BACKEND', OPENCV_EXIT.BACKEND, `@u4/opencv4nodejs cannot be loaded: ${(e as Error).message}`);
  }
  let cap: CvCapture;
  try {
    cap = args.api === 'gstreamer' ? new cv.VideoCapture(args.source, cv.CAP_GSTREAMER) : new cv.VideoCapture(args.source);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    fail('POKERFACE_ERR_CAMERA_NOT_FOUND', OPENCV_EXIT.NOT_FOUND, `VideoCapture could not open ${String(args.source)}${why && why !== 'undefined' ? `: ${why}` : ''}`);
  }
  const expected = args.width * args.height * 3;
  let empty = 0;
  let sent = 0;
  for (;;) {
    const mat = cap.read();
    if (mat.empty) {
      if (++empty >= EMPTY_LIMIT) {
        cap.release();
        if (sent > 0) process.exit(0);
        fail('POKERFACE_ERR_CAMERA_NOT_VIDEO', OPENCV_EXIT.NO_FRAMES, `VideoCapture.read() returned no frames from ${String(args.source)}`);
      }
      continue;
    }
    empty = 0;
    const data = mat.getData();
    if (mat.cols !== args.width || mat.rows !== args.height || data.byteLength !== expected) {
      cap.release();
      fail(
        'POKERFACE_ERR_CAMERA_FRAME_SIZE',
        OPENCV_EXIT.FRAME_SIZE,
        `got ${mat.cols}x${mat.rows} with ${mat.channels} channels, expected ${args.width}x${args.height} BGR`,
      );
    }
    writeAll(data);
    sent++;
  }
}

main();
