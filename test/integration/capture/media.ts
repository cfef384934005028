// Test media made at test time with ffmpeg's testsrc into a temp dir (nothing binary is
// committed).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestMedia {
  dir: string;
  /** H.264 in MP4 */
  video: string;
  /** a folder of PNG frames */
  images: string;
  /** a text file named like a video */
  notVideo: string;
  cleanup(): void;
}

export function makeTestMedia(opts: { width?: number; height?: number; fps?: number; seconds?: number } = {}): TestMedia {
  const w = opts.width ?? 320;
  const h = opts.height ?? 240;
  const fps = opts.fps ?? 30;
  const seconds = opts.seconds ?? 4;
  const dir = mkdtempSync(join(tmpdir(), 'pokerface-capture-'));
  const video = join(dir, 'testsrc.mp4');
  const images = join(dir, 'frames');
  mkdirSync(images);
  const ff = (args: string[]): void => void execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  ff(['-f', 'lavfi', '-i', `testsrc=size=${w}x${h}:rate=${fps}`, '-t', String(seconds), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(fps), video]);
  ff(['-f', 'lavfi', '-i', `testsrc=size=${w}x${h}:rate=${fps}`, '-frames:v', '6', join(images, 'f%03d.png')]);
  const notVideo = join(dir, 'notes.mp4');
  writeFileSync(notVideo, 'this is not a video\n'.repeat(100));
  return { dir, video, images, notVideo, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
