// Video decoding for `pokerface detect`: an ffmpeg child writing raw rgb24 frames to a
// pipe. spawn is injected so tests can hand in a fake.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { killNow } from '../child-stop.js';
import { PokerfaceError } from '../errors.js';
import type { Frame } from '../types.js';
import { childEnv } from '../child-env.js';

export type SpawnFn = (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;

const VIDEO_EXT = /\.(mp4|mkv|webm|avi|mov|m4v|mpg|mpeg|ts|y4m|gif)$/i;

export function isVideoFile(path: string): boolean {
  return VIDEO_EXT.test(path);
}

export async function probeSize(file: string, spawn: SpawnFn = nodeSpawn, ffprobe = 'ffprobe'): Promise<{ width: number; height: number }> {
  const out = await collect(spawn(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', file], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() }));
  const m = /^(\d+)x(\d+)/.exec(out.trim());
  if (!m) throw new PokerfaceError('POKERFACE_ERR_IMAGE_DECODE', `${file}: no video stream found`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

function collect(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new PokerfaceError('POKERFACE_ERR_IMAGE_DECODE', err.trim() || `exit ${code}`))));
  });
}

/**
 * Yield the frames of a video file as rgb24 Frames (one buffer per frame: the consumer
 * may keep them). The child is killed if the consumer stops early.
 */
export async function* videoFrames(file: string, opts: { spawn?: SpawnFn; ffmpeg?: string; ffprobe?: string; maxFrames?: number; width?: number; height?: number } = {}): AsyncGenerator<Frame> {
  const spawn = opts.spawn ?? nodeSpawn;
  const size = opts.width && opts.height ? { width: opts.width, height: opts.height } : await probeSize(file, spawn, opts.ffprobe);
  const frameBytes = size.width * size.height * 3;
  const args = ['-v', 'error', '-nostdin', '-i', file];
  if (opts.width && opts.height) args.push('-vf', `scale=${opts.width}:${opts.height}`);
  if (opts.maxFrames) args.push('-frames:v', String(opts.maxFrames));
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  const child = spawn(opts.ffmpeg ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (code) => resolve(code));
  });
  let seq = 0;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        const data = new Uint8Array(frameBytes);
        data.set(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        yield { seq: seq++, ts: 0, width: size.width, height: size.height, format: 'rgb24', data };
      }
    }
    const code = await exited;
    if (code !== 0 && seq === 0) throw new PokerfaceError('POKERFACE_ERR_IMAGE_DECODE', `${file}: ffmpeg: ${stderr.trim() || `exit ${code}`}`);
  } finally {
    // killNow, no grace: a decode the consumer walked away from has no output left worth a clean exit
    if (child.exitCode === null && child.signalCode === null) void killNow(child, exited);
  }
}
