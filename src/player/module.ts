// Daemon wiring for the player: the media library (services.media) and mpv
// (services.player). With player.enabled false a fake player stands in, so the game
// still runs (clips "end" after their probed length) on a machine without a screen.
import type { ModuleSpec } from '../daemon.js';
import type { Logger } from '../log.js';
import type { Lifecycle, ModuleHealth, Player } from '../types.js';
import { FakePlayer } from './fake.js';
import { FsMediaLibrary } from './media.js';
import { MpvPlayer } from './mpv.js';
import { ffprobe } from './probe.js';

type HealthyPlayer = Player & { health(): ModuleHealth };

export class PlayerModule implements Lifecycle {
  readonly name = 'player';

  constructor(
    readonly media: FsMediaLibrary,
    readonly player: HealthyPlayer,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.media.start();
    try {
      await this.player.start();
    } catch (e) {
      await this.media.stop();
      throw e;
    }
    if (this.media.attract() === null) this.log.warn('no attract clip: the screen stays black while idle');
  }

  async stop(): Promise<void> {
    try {
      await this.player.stop();
    } finally {
      await this.media.stop();
    }
  }

  health(): ModuleHealth {
    const p = this.player.health();
    const s = this.media.summary();
    const reasons = [...p.reasons];
    if (s.total === 0) reasons.push(`no playable clips in ${s.dir}`);
    for (const f of s.empty) if (s.total > 0) reasons.push(`no clips in ${f}`);
    return { name: this.name, healthy: p.healthy && s.total > 0, reasons };
  }
}

export function playerModule(): ModuleSpec {
  return {
    name: 'player',
    create(ctx) {
      const cfg = ctx.config.player;
      const modes = Object.fromEntries(Object.entries(ctx.config.game.modes).map(([name, m]) => [name, m.media]));
      const media = new FsMediaLibrary({
        dir: cfg.mediaDir,
        modes,
        levels: ctx.config.game.levels.length,
        noRepeat: cfg.noRepeat,
        watch: cfg.watchMedia,
        debounceMs: cfg.watchDebounceMs,
        createFolders: cfg.createFolders,
        log: ctx.log.child({ part: 'media' }),
        probe: ffprobe({ ffprobePath: cfg.ffprobePath }),
      });
      let player: HealthyPlayer;
      if (cfg.enabled) {
        const ledger = ctx.services.children as { track?: (pid: number) => void } | undefined;
        player = new MpvPlayer({
          ...(typeof ledger?.track === 'function' ? { onChild: ledger.track } : {}),
          config: cfg,
          log: ctx.log,
          clock: ctx.clock,
          // demo mode never opens a window or a sound device
          headless: ctx.config.demo || cfg.vo === 'null',
          mediaRoot: cfg.mediaDir,
          startTimeoutMs: cfg.startTimeoutMs,
        });
      } else {
        ctx.log.warn('player.enabled is false: no screen; clips end after their probed length');
        player = new FakePlayer({ clock: ctx.clock, durationOf: (clip) => media.durationMs(clip), clipMs: 30_000 });
      }
      ctx.services.media = media;
      ctx.services.player = player;
      return new PlayerModule(media, player, ctx.log);
    },
  };
}
