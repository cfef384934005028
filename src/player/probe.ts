// ffprobe adapter: what the media library learns about a clip before offering it.
// Arguments are an argv array and the file goes in as "file:<absolute path>", so no
// name (spaces, quotes, a leading "-", a "proto:" prefix) is ever read as anything else.
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { killNow } from '../child-stop.js';
import { PokerfaceError } from '../errors.js';
import { childEnv } from '../child-env.js';
import { systemTimers, type Timers } from '../timers.js';

export interface ProbeResult {
  durationMs: number;
  width: number;
  height: number;
  videoCodec: string;
  hasAudio: boolean;
}

/** Resolves with the clip's facts or rejects with POKERFACE_ERR_MEDIA_UNPLAYABLE. */
export type ProbeFn = (file: string) => Promise<ProbeResult>;

export interface ProbeChild {
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals | number): boolean;
  once(event: 'close', cb: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', cb: (err: Error) => void): unknown;
}
export type ProbeSpawnFn = (cmd: string, args: string[], opts: SpawnOptions) => ProbeChild;

export interface FfprobeOptions {
  ffprobePath?: string;
  spawn?: ProbeSpawnFn;
  timeoutMs?: number;
  timers?: Timers;
}

interface FfprobeJson {
  streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; duration?: string }>;
  format?: { duration?: string };
}

/** Turn ffprobe's JSON into a ProbeResult, or say why the clip is no good. */
export function parseProbe(json: string, file: string): ProbeResult {
  let data: FfprobeJson;
  try {
    data = JSON.parse(json) as FfprobeJson;
  } catch {
    throw new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${file}: ffprobe output is not JSON`);
  }
  const streams = data.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && (s.width ?? 0) > 0);
  if (!video) throw new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${file}: no video stream`);
  const seconds = Number(data.format?.duration ?? video.duration);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${file}: unknown duration`);
  return {
    durationMs: Math.round(seconds * 1000),
    width: video.width ?? 0,
    height: video.height ?? 0,
    videoCodec: video.codec_name ?? 'unknown',
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
}

export function ffprobe(opts: FfprobeOptions = {}): ProbeFn {
  const spawn = opts.spawn ?? nodeSpawn;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const timers = opts.timers ?? systemTimers;
  return (file) =>
    new Promise<ProbeResult>((resolve, reject) => {
      const abs = path.resolve(file);
      const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', `file:${abs}`];
      const child = spawn(opts.ffprobePath ?? 'ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
      const out: Buffer[] = [];
      // settles on 'error' too: a child that never started sends no 'close'
      const gone = new Promise<void>((r) => {
        child.once('close', () => r());
        child.once('error', () => r());
      });
      let err = '';
      let done = false;
      const finish = (fn: () => void): void => {
        if (done) return;
        done = true;
        timers.clearTimeout(timer);
        fn();
      };
      const timer = timers.setTimeout(() => {
        // killNow, no grace: ffprobe only reads the file, so a hung one has nothing to finish cleanly
        void killNow(child, gone);
        finish(() => reject(new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${file}: ffprobe took longer than ${timeoutMs} ms`)));
      }, timeoutMs);
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => {
        if (err.length < 2000) err += b.toString();
      });
      child.once('error', (e) => finish(() => reject(new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${file}: cannot run ffprobe: ${e.message}`, { cause: e }))));
      child.once('close', (code) =>
        finish(() => {
          if (code !== 0) {
            reject(new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${file}: ${err.trim().split('\n').at(-1) ?? `ffprobe exited ${code}`}`));
            return;
          }
          try {
            resolve(parseProbe(Buffer.concat(out).toString('utf8'), file));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        }),
      );
    });
}
