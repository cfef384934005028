// Real ffmpeg: the demo media are playable clips the media library accepts, and the
// demo camera video has the size, rate and length the demo config expects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { silentLogger } from '../../../src/log.js';
import { makeDemoMedia } from '../../../src/player/demo-media.js';
import { FsMediaLibrary } from '../../../src/player/media.js';
import { ffprobe } from '../../../src/player/probe.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pf-demo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo media with real ffmpeg', () => {
  it('makes clips, an attract loop and a face video that probe and scan cleanly', async () => {
    const res = await makeDemoMedia({ dir, modes: ['funny', 'scary'], levels: 1, clipSeconds: 1, attractSeconds: 1, cameraNeutralSeconds: 1, cameraSmileSeconds: 1 });
    expect(res.made).toHaveLength(4);
    const probe = ffprobe();
    const cam = await probe(path.join(dir, 'demo-camera.mp4'));
    expect(cam).toMatchObject({ width: 640, height: 480, durationMs: 2000, hasAudio: false });
    const clip = await probe(path.join(dir, 'funny', '1', 'demo-funny-1.mp4'));
    expect(clip).toMatchObject({ width: 960, height: 540, hasAudio: true });
    expect(clip.durationMs).toBeGreaterThanOrEqual(950);
    const lib = new FsMediaLibrary({ dir, modes: { funny: 'funny', scary: 'scary' }, levels: 1, noRepeat: 3, watch: false, log: silentLogger, probe });
    await lib.start();
    expect(lib.summary()).toMatchObject({ total: 2, attract: 1, empty: [], skipped: [] });
    expect(path.basename(lib.pick('scary', 1) as string)).toBe('demo-scary-1.mp4');
    await lib.stop();
  }, 60_000);

  it('the CLI rejects a bad --seconds with a usage error', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t), env: {}, cwd: dir };
    expect(await main(['media', 'make-demo', '--dir', dir, '--seconds', 'x'], io)).toBe(64);
    expect(out.join('')).toContain('POKERFACE_ERR_USAGE');
    expect(await main(['media', 'make-demo', '--help'], io)).toBe(0);
  });

  it('pokerface media list shows what the booth would play and exits 1 while folders are empty', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t), env: {}, cwd: dir };
    // the first test made level 1 only; the default config has three levels
    expect(await main(['media', 'list', '--dir', dir], io)).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('2 clips, 1 attract');
    expect(text).toMatch(/funny\/1 +1 clips/);
    expect(text).toContain('EMPTY    scary/3');
    out.length = 0;
    expect(await main(['media', 'list', '--dir', dir, '--json'], io)).toBe(1);
    expect(JSON.parse(out.join(''))).toMatchObject({ total: 2, attract: 1 });
  });
});
