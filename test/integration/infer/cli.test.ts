// `pokerface detect` and `pokerface anchors` in-process through main(), on real files:
// a demo photo, a short video made with ffmpeg, and a file that is not an image.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import type { CliIO } from '../../../src/cli/io.js';
import { demoPhoto } from './demo-faces.js';

const haveModels = existsSync(join('models', 'manifest.json'));

function io(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), env: {}, cwd: process.cwd() };
}

const dir = mkdtempSync(join(tmpdir(), 'pokerface-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!haveModels)('pokerface detect', () => {
  const video = join(dir, 'clip.mp4');
  beforeAll(() => {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', demoPhoto(3), '-vf', 'scale=640:-2', '-t', '0.3', '-r', '10', '-pix_fmt', 'yuv420p', video]);
  });

  it('--json: one line per image and per video frame; --draw writes pictures', async () => {
    const c = io();
    const drawDir = join(dir, 'drawn');
    const code = await main(['detect', demoPhoto(6), video, '--json', '--draw', drawDir, '--variant', 'back'], c);
    expect(code).toBe(0);
    const lines = c.stdout.map((l) => JSON.parse(l) as { file: string; frame?: number; faces: Array<{ box: number[]; score: number; emotions: Record<string, number> }> });
    expect(lines[0]!.file).toBe(demoPhoto(6));
    expect(lines[0]).not.toHaveProperty('frame');
    expect(lines[0]!.faces.length).toBeGreaterThanOrEqual(4);
    const f = lines[0]!.faces[0]!;
    expect(f.box).toHaveLength(4);
    expect(Object.keys(f.emotions)).toHaveLength(7);
    const frames = lines.slice(1);
    expect(frames.map((l) => l.frame)).toEqual([0, 1, 2]);
    expect(frames.every((l) => l.file === video && l.faces.length >= 2)).toBe(true);
    expect(readdirSync(drawDir).sort()).toEqual(['clip-00000.jpg', 'clip-00001.jpg', 'clip-00002.jpg', 'sample6.jpg']);
  });

  it('a file that is not an image: POKERFACE_ERR_IMAGE_DECODE, exit 65, the other files still run', async () => {
    const bad = join(dir, 'bad.jpg');
    writeFileSync(bad, 'this is not a jpeg');
    const c = io();
    const code = await main(['detect', bad, demoPhoto(4), '--json'], c);
    expect(code).toBe(65);
    expect(JSON.parse(c.stdout[0]!)).toMatchObject({ file: bad, error: { code: 'POKERFACE_ERR_IMAGE_DECODE' } });
    expect(JSON.parse(c.stdout[1]!)).toMatchObject({ file: demoPhoto(4) });
  });
});

describe.skipIf(!haveModels)('pokerface bench --profile', () => {
  it('prints CPU ms per frame by stage; on a still frame detection runs on 1 frame in redetectEvery (12)', async () => {
    const c = io();
    const code = await main(['bench', '--frames', '60', '--profile'], c);
    expect(code).toBe(0);
    const out = JSON.parse(c.stdout[0]!) as { cpuMsPerFrame: number; cpuProfile: Record<string, number> };
    const p = out.cpuProfile;
    for (const k of ['preprocess', 'detect', 'classify', 'mainThread', 'other', 'total']) expect(typeof p[k], k).toBe('number');
    expect(p.classify).toBeGreaterThan(0);
    expect(p.total).toBeCloseTo(out.cpuMsPerFrame, 1);
    expect(p.detectedFrames).toBeGreaterThanOrEqual(5);
    expect(p.detectedFrames).toBeLessThanOrEqual(6);
    // classifier.playerEvery 2: the still player is classified on about every other frame
    expect(p.classifiedFrames).toBeGreaterThanOrEqual(28);
    expect(p.classifiedFrames).toBeLessThanOrEqual(33);
  }, 120_000);
});

describe('pokerface anchors', () => {
  it('prints 9 anchors sorted by area from YOLO label files', async () => {
    const labels = join(dir, 'labels.txt');
    const lines: string[] = [];
    for (let i = 0; i < 90; i++) {
      const s = 0.05 + (i % 9) * 0.1;
      lines.push(`0 0.5 0.5 ${s.toFixed(3)} ${(s * 1.2).toFixed(3)}`);
    }
    writeFileSync(labels, lines.join('\n'));
    const c = io();
    expect(await main(['anchors', labels, '--json', '--size', '100'], c)).toBe(0);
    const anchors = JSON.parse(c.stdout[0]!) as number[][];
    expect(anchors).toHaveLength(9);
    expect(anchors.map((a) => a[0])).toEqual([5, 15, 25, 35, 45, 55, 65, 75, 85]);
    const c2 = io();
    expect(await main(['anchors', join(dir, 'nope.txt')], c2)).toBe(64);
  });
});
