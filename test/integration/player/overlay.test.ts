// The HUD and crack cam commands against real mpv: osd-overlay with ASS is accepted, and
// a picture goes through a nameless RAM file that mpv holds as fd 3: the file has no
// name on any disk (O_TMPFILE on /dev/shm shows as "#<inode> (deleted)"), mpv maps it
// during overlay-add, and it is empty again right after.
import { mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import { renderHud } from '../../../src/player/hud.js';
import { MpvPlayer } from '../../../src/player/mpv.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pf-overlay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function make(ramImages: boolean, log: Logger = silentLogger): MpvPlayer {
  const config = { ...defaultConfig().player, socketPath: path.join(dir, `o${Math.random().toString(36).slice(2)}.sock`) };
  return new MpvPlayer({ config, log, headless: true, ramImages });
}

describe('HUD and crack cam on real mpv', () => {
  it('mpv takes the HUD and a picture from the nameless RAM file, which is empty again after', async () => {
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)), child: () => log } as unknown as Logger;
    const p = make(true, log);
    await p.start();
    try {
      const hud = renderHud({ phase: 'playing', mode: 'funny', level: 1, big: null, sub: null, secondsLeft: 10, meter: { smoothed: 0.5, threshold: 0.8, heldMs: 0, holdMs: 1000 }, away: true, figures: null, position: 'bottom' });
      await p.overlay(hud);
      const fd3 = readlinkSync(`/proc/${p.pid}/fd/3`);
      expect(fd3).toMatch(/^\/dev\/shm\/#\d+ \(deleted\)$/);
      const bgra = new Uint8Array(64 * 64 * 4).fill(255);
      await expect(p.image({ bgra, width: 64, height: 64 })).resolves.toBeUndefined();
      expect(statSync(`/proc/${p.pid}/fd/3`).size).toBe(0);
      await p.image(null);
      await p.overlay(null);
      expect(warnings).toEqual([]);
    } finally {
      await p.stop();
    }
  });

  it('without ramImages mpv gets no RAM file and a picture is not shown', async () => {
    const p = make(false);
    await p.start();
    try {
      let fd3 = '';
      try {
        fd3 = readlinkSync(`/proc/${p.pid}/fd/3`);
      } catch {
        /* no fd 3 at all */
      }
      expect(fd3).not.toMatch(/^\/dev\/shm\//);
      // without the RAM file the player shows nothing and says nothing to mpv
      await expect(p.image({ bgra: new Uint8Array(16), width: 2, height: 2 })).resolves.toBeUndefined();
    } finally {
      await p.stop();
    }
  });
});
