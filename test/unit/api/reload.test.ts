// request/reload: media rescan and game rules from the config file, without a restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reloadDeps } from '../../../src/api/module.js';
import { runReload } from '../../../src/api/reload.js';
import { systemClock } from '../../../src/clock.js';
import { loadConfigFile } from '../../../src/config/load.js';
import type { FrozenConfig } from '../../../src/config/schema.js';
import type { ModuleContext } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import type { MediaSummary } from '../../../src/player/media.js';
import type { CommandResult } from '../../../src/types.js';

const summary = (total: number): MediaSummary => ({ dir: 'media', folders: [], attract: 1, total, empty: ['scary/3'], skipped: [{ file: 'x.txt', reason: 'not a video' }] });

describe('runReload', () => {
  it('rescans the media and reports the game keys that changed', async () => {
    let scans = 0;
    const media = { reload: async () => void scans++, summary: () => summary(12) };
    const r = await runReload({ transaction: 't1' }, { media, game: async () => ({ ok: true, changed: ['levels'] }) });
    expect(r).toEqual({ v: 1, transaction: 't1', ok: true, detail: { media: { clips: 12, attract: 1, empty: ['scary/3'], skipped: 1 }, game: { changed: ['levels'] } } });
    expect(scans).toBe(1);
    expect(await runReload({ what: ['media'] }, { media })).toMatchObject({ ok: true, detail: { media: { clips: 12 } } });
  });

  it('answers with the reason when a part cannot be reloaded, and refuses bad requests', async () => {
    const r = await runReload({ transaction: 't2' }, { game: async () => ({ ok: false, changed: ['levels'], code: 'POKERFACE_ERR_GAME_STATE', message: 'the booth is in playing' }) });
    expect(r).toMatchObject({ ok: false, transaction: 't2', code: 'POKERFACE_ERR_GAME_STATE', detail: { game: { changed: ['levels'] } } });
    expect(r.message).toContain('media: no media library');
    expect(r.message).toContain('game: the booth is in playing');
    expect(await runReload({ what: ['everything'] }, {})).toMatchObject({ ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST' });
    expect(await runReload({ what: ['game'] }, { game: async () => Promise.reject(new Error('bad yaml')) })).toMatchObject({ ok: false, code: 'POKERFACE_ERR_CONFIG_INVALID', message: 'game: bad yaml' });
  });
});

describe('reloadDeps: the game section re-read from the config file', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands changed rules to the booth, says nothing changed when the file is the same, and lists the changed keys', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-reload-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'boothId: r1\ndemo: true\n');
    const taken: FrozenConfig[] = [];
    let answer: CommandResult = { ok: true };
    const booth = { reloadGame: (c: FrozenConfig) => (taken.push(c), answer) };
    const ctx: ModuleContext = { config: loadConfigFile(file, { env: {} }), log: silentLogger, clock: systemClock, services: { booth }, requestExit: () => undefined, configFile: file };
    const deps = reloadDeps(ctx);
    expect(deps.media).toBeUndefined();
    expect(await deps.game?.()).toEqual({ ok: true, changed: [] });
    expect(taken).toHaveLength(0);

    writeFileSync(file, 'boothId: r1\ndemo: true\ngame:\n  countdownMs: 1500\n');
    answer = { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'the booth is in playing; reload the game between rounds' };
    expect(await deps.game?.()).toMatchObject({ ok: false, changed: ['countdownMs'], code: 'POKERFACE_ERR_GAME_STATE' });
    answer = { ok: true };
    expect(await deps.game?.()).toEqual({ ok: true, changed: ['countdownMs'] });
    expect(taken.at(-1)?.game.countdownMs).toBe(1500);
    // applied: the same file again changes nothing
    expect(await deps.game?.()).toEqual({ ok: true, changed: [] });

    writeFileSync(file, 'boothId: r1\ngame:\n  countdownMs: "soon"\n');
    await expect(deps.game?.()).rejects.toMatchObject({ code: 'POKERFACE_ERR_CONFIG_INVALID' });
  });
});
