import { afterAll, beforeAll } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { MpvPlayer } from '../../../src/player/mpv.js';
import { makeClips, type Clips } from './fixtures.js';
import { playerContract } from './player-contract.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let clips: Clips;
beforeAll(() => {
  clips = makeClips(1);
});
afterAll(() => clips.cleanup());

const alive = (pid: number | null): boolean => {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

playerContract('mpv (--vo=null --ao=null)', async () => {
  const sockDir = mkdtempSync(path.join(tmpdir(), 'pf-mpv-'));
  const config = { ...defaultConfig().player, socketPath: path.join(sockDir, 'mpv.sock'), pingIntervalMs: 200, ipcTimeoutMs: 1000 };
  const player = new MpvPlayer({ config, log: silentLogger, headless: true });
  const pids: number[] = [];
  const track = (): void => {
    if (player.pid !== null && !pids.includes(player.pid)) pids.push(player.pid);
  };
  player.onEvent(track);
  return {
    player,
    crash: () => {
      track();
      if (player.pid !== null) process.kill(player.pid, 'SIGKILL');
    },
    alive: () => {
      track();
      return pids.some(alive);
    },
    good: clips.good,
    missing: clips.missing,
    corrupt: clips.corrupt,
    oddName: clips.oddName,
    clipMs: clips.clipMs,
    cleanup: async () => rmSync(sockDir, { recursive: true, force: true }),
  };
});
