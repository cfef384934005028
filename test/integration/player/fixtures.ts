// Small real media files for the player tests, made once per test file with ffmpeg.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Clips {
  dir: string;
  good: string;
  missing: string;
  corrupt: string;
  oddName: string;
  clipMs: number;
  cleanup(): void;
}

export function makeClips(seconds = 1): Clips {
  const dir = mkdtempSync(path.join(tmpdir(), 'pf-player-'));
  const good = path.join(dir, 'good.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=25:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', good]);
  const oddName = path.join(dir, `it's a "clip" $HOME (1).mp4`);
  copyFileSync(good, oddName);
  const corrupt = path.join(dir, 'corrupt.mp4');
  writeFileSync(corrupt, Buffer.from('this is not a video, just some bytes pretending to be one\n'.repeat(50)));
  return {
    dir, good, oddName, corrupt,
    missing: path.join(dir, 'missing.mp4'),
    clipMs: seconds * 1000,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
