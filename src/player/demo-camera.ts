// The demo "camera": a video of one person at the booth, first with a straight face,
// then smiling. Two photos are cropped around the face to the same size with the face
// at the same spot, so the detector sees one steady face whose expression changes.
// End-to-end tests reuse makeFaceVideo() to make neutral-only and neutral→smile videos.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PokerfaceError } from '../errors.js';
import { ffmpegRunner, type RunFfmpeg } from './ffmpeg-run.js';

/** A face in a photo: a crop `size` source pixels wide (the output's aspect) centred on the face at (cx, cy). */
export interface FaceCrop {
  file: string;
  cx: number;
  cy: number;
  size: number;
}

export interface FaceVideoOptions {
  neutral: FaceCrop;
  /** omitted or smileSeconds 0: a neutral-only video */
  smile?: FaceCrop | undefined;
  neutralSeconds: number;
  smileSeconds?: number;
  out: string;
  width?: number;
  height?: number;
  fps?: number;
  ffmpeg?: RunFfmpeg;
}

/** Folder of the face-api demo photos (MIT, shipped in the npm package). */
export function faceApiDemoDir(): string {
  const req = createRequire(import.meta.url);
  return path.join(path.dirname(req.resolve('@vladmandic/face-api/package.json')), 'demo');
}

/**
 * Faces chosen by eye from the face-api demo photos and checked with face-api's own
 * expression net: in sample6.jpg (1920x1537) the third woman from the left keeps a
 * straight face (neutral ~1.0); in sample3.jpg (1920x1350) the woman on the right
 * smiles broadly (happy ~1.0). The crops put both faces at the same spot in the frame
 * and are tight enough that no second (partial) face shows at the edge.
 */
export function demoFaces(dir = faceApiDemoDir()): { neutral: FaceCrop; smile: FaceCrop } {
  return {
    neutral: { file: path.join(dir, 'sample6.jpg'), cx: 1292, cy: 497, size: 500 },
    smile: { file: path.join(dir, 'sample3.jpg'), cx: 1620, cy: 478, size: 500 },
  };
}

function cropFilter(input: number, c: FaceCrop, width: number, height: number, label: string): string {
  const w = Math.round(c.size / 2) * 2;
  const h = Math.round((c.size * height) / width / 2) * 2;
  // The face sits a little above the middle, as it does in a booth camera's view.
  const x = Math.max(0, Math.round(c.cx - w / 2));
  const y = Math.max(0, Math.round(c.cy - h * 0.45));
  return `[${input}:v]crop=${w}:${h}:${x}:${y},scale=${width}:${height},setsar=1,format=yuv420p[${label}]`;
}

/** Write the face video (H.264 MP4). Writes to a hidden temp file first, then renames. */
export async function makeFaceVideo(o: FaceVideoOptions): Promise<void> {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const fps = o.fps ?? 30;
  const smileSeconds = o.smile ? (o.smileSeconds ?? 0) : 0;
  const total = o.neutralSeconds + smileSeconds;
  if (!(o.neutralSeconds > 0) || !(smileSeconds >= 0)) throw new PokerfaceError('POKERFACE_ERR_MEDIA_MAKE', 'neutralSeconds must be > 0 and smileSeconds >= 0');
  for (const c of [o.neutral, o.smile]) {
    if (c && !existsSync(c.file)) throw new PokerfaceError('POKERFACE_ERR_MEDIA_MAKE', `face photo not found: ${c.file}`);
  }
  const args = ['-loop', '1', '-framerate', String(fps), '-t', String(o.neutralSeconds), '-i', o.neutral.file];
  const filters = [cropFilter(0, o.neutral, width, height, 'n')];
  let faceLabel = 'n';
  if (o.smile && smileSeconds > 0) {
    args.push('-loop', '1', '-framerate', String(fps), '-t', String(smileSeconds), '-i', o.smile.file);
    filters.push(cropFilter(1, o.smile, width, height, 's'), '[n][s]concat=n=2:v=1:a=0[f]');
    faceLabel = 'f';
  }
  // A little sensor noise so consecutive frames differ, as a real camera's do.
  filters.push(`[${faceLabel}]noise=alls=3:allf=t,format=yuv420p[v]`);
  const tmp = path.join(path.dirname(o.out), `.${path.basename(o.out)}.partial`);
  args.push('-filter_complex', filters.join(';'), '-map', '[v]', '-r', String(fps), '-t', String(total));
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-g', String(fps), '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', tmp);
  try {
    await (o.ffmpeg ?? ffmpegRunner())(args);
    renameSync(tmp, o.out);
  } finally {
    rmSync(tmp, { force: true });
  }
}
