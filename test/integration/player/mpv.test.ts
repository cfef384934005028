// mpv-only behaviour the contract cannot express: a silent (stopped) mpv, a stale
// socket, a missing binary, and the media-root guard.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { MpvPlayer, type PlayerConfig } from '../../../src/player/mpv.js';
import type { PlayerEvent } from '../../../src/types.js';
import { makeClips, type Clips } from './fixtures.js';

let clips: Clips;
let dir: string;
const players: MpvPlayer[] = [];
beforeAll(() => {
  clips = makeClips(1);
  dir = mkdtempSync(path.join(tmpdir(), 'pf-mpv-'));
});
afterEach(async () => {
  await Promise.all(players.splice(0).map((p) => p.stop()));
});
afterAll(() => {
  clips.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function make(over: Partial<PlayerConfig> = {}, mediaRoot: string | null = null): MpvPlayer {
  const config = { ...defaultConfig().player, socketPath: path.join(dir, `m${players.length}.sock`), pingIntervalMs: 100, ipcTimeoutMs: 1000, ...over };
  const p = new MpvPlayer({ config, log: silentLogger, headless: true, mediaRoot });
  players.push(p);
  return p;
}

/** the next event of this player that matches pred */
function nextEvent(p: MpvPlayer, pred: (e: PlayerEvent) => boolean, ms = 4000): Promise<PlayerEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out waiting for a player event')), ms);
    p.onEvent((e) => {
      if (pred(e)) {
        clearTimeout(t);
        resolve(e);
      }
    });
  });
}

describe('MpvPlayer with real mpv', () => {
  it('notices an mpv that stops answering, kills it and starts a new one', async () => {
    const p = make();
    await p.start();
    const first = p.pid as number;
    const restarted = nextEvent(p, (e) => e.type === 'restarted');
    process.kill(first, 'SIGSTOP');
    const e = await restarted;
    expect(e).toMatchObject({ type: 'restarted', restarts: 1 });
    expect((e as { reason: string }).reason).toMatch(/ping/);
    expect(p.pid).not.toBe(first);
    expect(() => process.kill(first, 0)).toThrow();
  });

  it('removes a stale socket file before starting', async () => {
    const p = make();
    writeFileSync(p.socketPath, 'stale');
    await p.start();
    expect(p.health()).toEqual({ name: 'player', healthy: true, reasons: [] });
    await p.stop();
    expect(existsSync(p.socketPath)).toBe(false);
  });

  it('fails to start with POKERFACE_ERR_PLAYER_SPAWN when mpv is missing', async () => {
    const p = make({ mpvPath: path.join(dir, 'no-such-mpv') });
    await expect(p.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_PLAYER_SPAWN' });
    expect(p.pid).toBeNull();
  });

  it('fails to start when mpv rejects its options', async () => {
    const p = make({ extraArgs: ['--no-such-option=1'] });
    await expect(p.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_PLAYER_SPAWN' });
  });

  it('refuses clips outside the media root, through symlinks too', async () => {
    const root = path.join(dir, 'media');
    mkdirSync(path.join(root, 'funny', '1'), { recursive: true });
    const link = path.join(root, 'funny', '1', 'escape.mp4');
    symlinkSync(clips.good, link);
    const loop = path.join(root, 'funny', '1', 'loop.mp4');
    symlinkSync(loop, loop);
    const p = make({}, root);
    await p.start();
    await expect(p.play(clips.good)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MEDIA_OUTSIDE' });
    await expect(p.play(link)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MEDIA_OUTSIDE' });
    await expect(p.play(path.join(root, '..', 'x.mp4'))).rejects.toMatchObject({ code: 'POKERFACE_ERR_MEDIA_OUTSIDE' });
    await expect(p.play(loop)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MEDIA_UNPLAYABLE' });
    const failed = nextEvent(p, (e) => e.type === 'failed');
    await p.play(path.join(root, 'funny', '1', 'missing.mp4'));
    expect(await failed).toMatchObject({ type: 'failed' });
  });
});
