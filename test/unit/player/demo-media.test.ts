import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDemoMedia } from '../../../src/player/demo-media.js';
import { makeFaceVideo } from '../../../src/player/demo-camera.js';
import { drawtextFont, safeText } from '../../../src/player/ffmpeg-run.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pf-demo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pretend ffmpeg: records argv and writes the output file (its last argument). */
function fakeFfmpeg(): { calls: string[][]; run: (args: string[]) => Promise<void> } {
  const calls: string[][] = [];
  return {
    calls,
    run: async (args) => {
      calls.push(args);
      writeFileSync(args.at(-1) as string, 'mp4');
    },
  };
}

describe('makeDemoMedia', () => {
  it('makes a clip per mode and level, an attract loop and the camera video, then keeps them', async () => {
    const ff = fakeFfmpeg();
    const res = await makeDemoMedia({ dir, modes: ['funny', 'scary'], levels: 3, ffmpeg: ff.run });
    expect(res.made.map((f) => path.relative(dir, f)).sort()).toEqual([
      'attract/demo-attract.mp4',
      'demo-camera.mp4',
      'funny/1/demo-funny-1.mp4',
      'funny/2/demo-funny-2.mp4',
      'funny/3/demo-funny-3.mp4',
      'scary/1/demo-scary-1.mp4',
      'scary/2/demo-scary-2.mp4',
      'scary/3/demo-scary-3.mp4',
    ]);
    const funny2 = ff.calls.find((a) => a.some((x) => x.includes('FUNNY · LEVEL 2'))) as string[];
    expect(funny2).toBeDefined();
    expect(funny2).toContain('libx264');
    // no temp files left behind
    expect(existsSync(path.join(dir, 'funny', '2', '.demo-funny-2.mp4.partial'))).toBe(false);

    const again = await makeDemoMedia({ dir, modes: ['funny', 'scary'], levels: 3, ffmpeg: ff.run });
    expect(again.made).toEqual([]);
    expect(again.kept).toHaveLength(8);
    const forced = await makeDemoMedia({ dir, modes: ['funny'], levels: 1, ffmpeg: ff.run, force: true, camera: false });
    expect(forced.made).toHaveLength(2);
  });

  it('leaves no half-written file when ffmpeg fails', async () => {
    const run = async (args: string[]): Promise<void> => {
      writeFileSync(args.at(-1) as string, 'half');
      throw new Error('ffmpeg died');
    };
    await expect(makeDemoMedia({ dir, modes: ['funny'], levels: 1, ffmpeg: run })).rejects.toThrow('ffmpeg died');
    expect(existsSync(path.join(dir, 'funny', '1', 'demo-funny-1.mp4'))).toBe(false);
    expect(existsSync(path.join(dir, 'funny', '1', '.demo-funny-1.mp4.partial'))).toBe(false);
  });
});

describe('makeFaceVideo', () => {
  it('crops both photos to the output aspect and joins them neutral first', async () => {
    const ff = fakeFfmpeg();
    const photo = path.join(dir, 'p.jpg');
    writeFileSync(photo, 'jpg');
    const out = path.join(dir, 'cam.mp4');
    await makeFaceVideo({ neutral: { file: photo, cx: 500, cy: 400, size: 400 }, smile: { file: photo, cx: 900, cy: 400, size: 400 }, neutralSeconds: 3, smileSeconds: 2, out, ffmpeg: ff.run });
    const args = ff.calls[0] as string[];
    const graph = args[args.indexOf('-filter_complex') + 1] as string;
    expect(graph).toContain('crop=400:300:300:265');
    expect(graph).toContain('crop=400:300:700:265');
    expect(graph).toContain('[n][s]concat=n=2');
    expect(args.slice(args.indexOf('-t', args.indexOf('-filter_complex')), args.indexOf('-t', args.indexOf('-filter_complex')) + 2)).toEqual(['-t', '5']);
    expect(readFileSync(out, 'utf8')).toBe('mp4');
  });

  it('makes a neutral-only video and rejects a missing photo', async () => {
    const ff = fakeFfmpeg();
    const photo = path.join(dir, 'p.jpg');
    writeFileSync(photo, 'jpg');
    await makeFaceVideo({ neutral: { file: photo, cx: 500, cy: 400, size: 400 }, neutralSeconds: 4, out: path.join(dir, 'n.mp4'), ffmpeg: ff.run });
    expect((ff.calls[0] as string[]).join(' ')).not.toContain('concat');
    await expect(makeFaceVideo({ neutral: { file: path.join(dir, 'nope.jpg'), cx: 1, cy: 1, size: 2 }, neutralSeconds: 1, out: path.join(dir, 'x.mp4'), ffmpeg: ff.run })).rejects.toMatchObject({
      code: 'POKERFACE_ERR_MEDIA_MAKE',
    });
  });
});

describe('drawtext helpers', () => {
  it('prefers a DejaVu font file and falls back to fontconfig', () => {
    expect(drawtextFont(() => true)).toBe('fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf');
    expect(drawtextFont(() => false)).toBe('font=Sans');
  });
  it('drops characters the filter graph would read', () => {
    expect(safeText("FUNNY · LEVEL 2: it's [x], y;")).toBe('FUNNY · LEVEL 2 its x y');
  });
});
