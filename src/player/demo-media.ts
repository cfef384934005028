// Demo media, so the booth runs with no real clips: a short test-pattern clip per mode
// and level ("FUNNY · LEVEL 2"), an attract loop, and the demo camera video. Made with
// ffmpeg, written beside the real media folders and never committed.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { demoFaces, makeFaceVideo } from './demo-camera.js';
import { ATTRACT_FOLDER } from './media.js';
import { drawtextFont, ffmpegRunner, safeText, type RunFfmpeg } from './ffmpeg-run.js';

export interface MakeDemoOptions {
  dir: string;
  /** media folder names, e.g. ["funny", "scary"] */
  modes: readonly string[];
  levels: number;
  force?: boolean;
  /** length of each mode/level clip (default 6 s) */
  clipSeconds?: number;
  attractSeconds?: number;
  /** also make <dir>/demo-camera.mp4 (default true) */
  camera?: boolean;
  cameraNeutralSeconds?: number;
  cameraSmileSeconds?: number;
  ffmpeg?: RunFfmpeg;
  exists?: (p: string) => boolean;
  progress?: (msg: string) => void;
}

export interface MakeDemoResult {
  made: string[];
  kept: string[];
}

const W = 960;
const H = 540;
const FPS = 30;

// Each mode gets its own look and tone, so a person can tell the clips apart.
const LOOKS = [
  { video: 'testsrc2', tone: 440 },
  { video: 'smptehdbars', tone: 220 },
  { video: 'rgbtestsrc', tone: 330 },
];

function clipArgs(font: string, title: string, seconds: number, look: { video: string; tone: number }, level: number, out: string): string[] {
  const text = safeText(title);
  const big = `drawtext=${font}:text='${text}':fontsize=72:fontcolor=white:borderw=3:bordercolor=black:box=1:boxcolor=black@0.45:boxborderw=18:x=(w-tw)/2:y=(h-th)/2`;
  // a seconds-left counter, so a person watching sees the clip is running
  const counter = `drawtext=${font}:text='%{eif\\:${seconds}-t\\:d}':fontsize=48:fontcolor=yellow:borderw=2:bordercolor=black:x=w-tw-30:y=h-th-30`;
  return [
    '-f', 'lavfi', '-i', `${look.video}=size=${W}x${H}:rate=${FPS}:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=${look.tone * level}:sample_rate=48000:duration=${seconds}`,
    '-vf', `${big},${counter},format=yuv420p`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-g', String(FPS),
    '-c:a', 'aac', '-b:a', '64k', '-shortest', '-movflags', '+faststart', '-f', 'mp4', out,
  ];
}

function attractArgs(font: string, seconds: number, out: string): string[] {
  const title = `drawtext=${font}:text='POKERFACE':fontsize=112:fontcolor=white:borderw=5:bordercolor=black:x=(w-tw)/2:y=h/2-th-20`;
  const sub = `drawtext=${font}:text='KEEP A STRAIGHT FACE · PICK A MODE':fontsize=40:fontcolor=yellow:borderw=2:bordercolor=black:x=(w-tw)/2:y=h/2+30`;
  return [
    '-f', 'lavfi', '-i', `life=size=${W / 8}x${Math.round(H / 8)}:rate=${FPS}:mold=10:ratio=0.12:death_color=#202040:life_color=#30a0ff:mold_color=#102030`,
    '-f', 'lavfi', '-i', `anullsrc=channel_layout=stereo:sample_rate=48000`,
    '-vf', `scale=${W}:${H}:flags=neighbor,${title},${sub},format=yuv420p`,
    '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-g', String(FPS),
    '-c:a', 'aac', '-b:a', '32k', '-shortest', '-movflags', '+faststart', '-f', 'mp4', out,
  ];
}

/** Make whatever demo media is missing (all of it with force). */
export async function makeDemoMedia(o: MakeDemoOptions): Promise<MakeDemoResult> {
  const run = o.ffmpeg ?? ffmpegRunner();
  const exists = o.exists ?? existsSync;
  const say = o.progress ?? (() => undefined);
  const font = drawtextFont(exists);
  const result: MakeDemoResult = { made: [], kept: [] };
  const present = (f: string): boolean => {
    try {
      return statSync(f).size > 0;
    } catch {
      return false;
    }
  };

  const make = async (out: string, build: (tmp: string) => Promise<void>): Promise<void> => {
    if (!o.force && present(out)) {
      result.kept.push(out);
      return;
    }
    mkdirSync(path.dirname(out), { recursive: true });
    // A hidden temp name: the media library skips dot files, so it never probes a half-written clip.
    const tmp = path.join(path.dirname(out), `.${path.basename(out)}.partial`);
    say(`making ${out}`);
    try {
      await build(tmp);
      renameSync(tmp, out);
    } finally {
      rmSync(tmp, { force: true });
    }
    result.made.push(out);
  };

  const seconds = o.clipSeconds ?? 6;
  for (const [i, mode] of o.modes.entries()) {
    const look = LOOKS[i % LOOKS.length] as (typeof LOOKS)[number];
    for (let level = 1; level <= o.levels; level++) {
      const out = path.join(o.dir, mode, String(level), `demo-${mode}-${level}.mp4`);
      await make(out, (tmp) => run(clipArgs(font, `${mode.toUpperCase()} · LEVEL ${level}`, seconds, look, level, tmp)));
    }
  }
  await make(path.join(o.dir, ATTRACT_FOLDER, 'demo-attract.mp4'), (tmp) => run(attractArgs(font, o.attractSeconds ?? 8, tmp)));
  if (o.camera !== false) {
    await make(path.join(o.dir, 'demo-camera.mp4'), async (tmp) => {
      const faces = demoFaces();
      await makeFaceVideo({
        ...faces,
        neutralSeconds: o.cameraNeutralSeconds ?? 12,
        smileSeconds: o.cameraSmileSeconds ?? 8,
        out: tmp,
        ffmpeg: run,
      });
    });
  }
  return result;
}
