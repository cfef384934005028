// The player module inside a real Daemon: services registered, real mpv (demo mode:
// no window, no sound), real ffprobe, clips from the media folder, clean stop.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import type { MediaLibrary } from '../../../src/player/media.js';
import { playerModule } from '../../../src/player/module.js';
import type { Player, PlayerEvent } from '../../../src/types.js';
import { makeClips, type Clips } from './fixtures.js';

let clips: Clips;
let dir: string;
beforeAll(() => {
  clips = makeClips(1);
  dir = mkdtempSync(path.join(tmpdir(), 'pf-pmod-'));
  mkdirSync(path.join(dir, 'media', 'funny', '1'), { recursive: true });
  copyFileSync(clips.good, path.join(dir, 'media', 'funny', '1', 'a b.mp4'));
  copyFileSync(clips.corrupt, path.join(dir, 'media', 'funny', '1', 'broken.mp4'));
  mkdirSync(path.join(dir, 'media', 'attract'), { recursive: true });
  copyFileSync(clips.good, path.join(dir, 'media', 'attract', 'loop.mp4'));
});
afterAll(() => {
  clips.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const yaml = (enabled: boolean): string => `
demo: true
player:
  enabled: ${enabled}
  socketPath: ${path.join(dir, 'run', 'mpv.sock')}
  mediaDir: ${path.join(dir, 'media')}
  vo: "null"
  ao: "null"
`;

describe('playerModule', () => {
  it('registers services.player and services.media and plays clips from the media folder', async () => {
    const config = parseConfig(yaml(true), 'test.yaml');
    const daemon = new Daemon({ config, log: silentLogger, modules: [playerModule()] });
    await daemon.start();
    try {
      const media = daemon.serviceMap.media as MediaLibrary;
      const player = daemon.serviceMap.player as Player;
      const s = media.summary();
      expect(s.total).toBe(1);
      expect(s.skipped.map((x) => path.basename(x.file))).toEqual(['broken.mp4']);
      expect(s.empty).toContain('scary/1');
      // the folders were created so staff see where clips go
      const { existsSync } = await import('node:fs');
      expect(existsSync(path.join(dir, 'media', 'scary', '3'))).toBe(true);
      const health = daemon.health()[0];
      expect(health).toMatchObject({ name: 'player', healthy: true });
      expect(health?.reasons).toContain('no clips in scary/2');

      const clip = media.pick('funny', 1) as string;
      expect(path.basename(clip)).toBe('a b.mp4');
      const events: PlayerEvent[] = [];
      const ended = new Promise<void>((resolve) =>
        player.onEvent((e) => {
          events.push(e);
          if (e.type === 'ended') resolve();
        }),
      );
      await player.play(clip);
      await ended;
      expect(events.map((e) => e.type)).toEqual(['started', 'ended']);
      await expect(player.play(clips.good)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MEDIA_OUTSIDE' });
    } finally {
      await daemon.stop();
    }
    const { existsSync } = await import('node:fs');
    expect(existsSync(path.join(dir, 'run', 'mpv.sock'))).toBe(false);
  });

  it('stands in a fake player when player.enabled is false', async () => {
    const config = parseConfig(yaml(false), 'test.yaml');
    const daemon = new Daemon({ config, log: silentLogger, modules: [playerModule()] });
    await daemon.start();
    try {
      const player = daemon.serviceMap.player as Player;
      const media = daemon.serviceMap.media as MediaLibrary;
      const clip = media.pick('funny', 1) as string;
      const ended = new Promise<PlayerEvent>((resolve) => player.onEvent((e) => e.type === 'ended' && resolve(e)));
      await player.play(clip);
      expect(await ended).toMatchObject({ type: 'ended', clip });
    } finally {
      await daemon.stop();
    }
  });
});
