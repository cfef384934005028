// Runs ffmpeg for media generation (demo clips, the demo camera video). Arguments are
// an argv array; nothing goes through a shell.
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import { killNow } from '../child-stop.js';
import { PokerfaceError } from '../errors.js';
import { childEnv } from '../child-env.js';
import { systemTimers, type Timers } from '../timers.js';

export interface FfmpegChild {
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals | number): boolean;
  once(event: 'close', cb: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', cb: (err: Error) => void): unknown;
}
export type FfmpegSpawnFn = (cmd: string, args: string[], opts: SpawnOptions) => FfmpegChild;

export interface RunFfmpegOptions {
  ffmpegPath?: string;
  spawn?: FfmpegSpawnFn;
  timeoutMs?: number;
  timers?: Timers;
}

export type RunFfmpeg = (args: string[]) => Promise<void>;

export function ffmpegRunner(opts: RunFfmpegOptions = {}): RunFfmpeg {
  const spawn = opts.spawn ?? nodeSpawn;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const timers = opts.timers ?? systemTimers;
  return (args) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(opts.ffmpegPath ?? 'ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv() });
      // settles on 'error' too: a child that never started sends no 'close'
      const gone = new Promise<void>((r) => {
        child.once('close', () => r());
        child.once('error', () => r());
      });
      let err = '';
      let done = false;
      const finish = (e: Error | null): void => {
        if (done) return;
        done = true;
        timers.clearTimeout(timer);
        if (e) reject(e);
        else resolve();
      };
      const timer = timers.setTimeout(() => {
        // killNow, no grace: a media build that overran has failed anyway, and ffmpeg -y rewrites its output on the next try
        void killNow(child, gone);
        finish(new PokerfaceError('POKERFACE_ERR_MEDIA_MAKE', `ffmpeg took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      child.stderr?.on('data', (b: Buffer) => {
        err = (err + b.toString()).slice(-4000);
      });
      child.once('error', (e) => finish(new PokerfaceError('POKERFACE_ERR_MEDIA_MAKE', `cannot run ffmpeg: ${e.message}`, { cause: e })));
      child.once('close', (code, signal) =>
        finish(code === 0 ? null : new PokerfaceError('POKERFACE_ERR_MEDIA_MAKE', `ffmpeg failed (${signal ?? `exit ${code}`}): ${err.trim().split('\n').slice(-3).join(' | ')}`)),
      );
    });
}

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
];

/**
 * The drawtext font option: a known TTF file (Debian: fonts-dejavu-core), else a
 * fontconfig name, which Debian's ffmpeg resolves itself.
 */
export function drawtextFont(exists: (p: string) => boolean): string {
  const file = FONT_CANDIDATES.find(exists);
  return file ? `fontfile=${file}` : 'font=Sans';
}

/** drawtext text: only characters that need no filter-graph escaping survive. */
export function safeText(text: string): string {
  return text.replace(/[^A-Za-z0-9 ·!?.#_-]/g, '');
}
