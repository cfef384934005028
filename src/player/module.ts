// Daemon wiring for the player: the media library (services.media) and mpv
// (services.player). With player.enabled false a fake player stands in, so the game
// still runs (clips "end" after their probed length) on a machine without a screen.
import type { ModuleSpec } from '../daemon.js';
import type { Logger } from '../log.js';
import type { Lifecycle, ModuleHealth, Player, ResultsStore, ResultTotals } from '../types.js';
import { FakePlayer } from './fake.js';
import { FsMediaLibrary } from './media.js';
import { MpvPlayer } from './mpv.js';
import { ffprobe } from './probe.js';
import { Screen } from './screen.js';

type HealthyPlayer = Player & { health(): ModuleHealth };

export class PlayerModule implements Lifecycle {
  readonly name = 'player';

  constructor(
    readonly media: FsMediaLibrary,
    readonly player: HealthyPlayer,
    private readonly log: Logger,
    readonly screen: Screen | null = null,
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
    await this.screen?.start();
  }

  async stop(): Promise<void> {
    try {
      await this.screen?.stop();
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
        stableMs: cfg.watchStableMs,
        createFolders: cfg.createFolders,
        log: ctx.log.child({ part: 'media' }),
        probe: ffprobe({ ffprobePath: cfg.ffprobePath }),
      });
      let player: HealthyPlayer;
      let screen: Screen | null = null;
      if (cfg.enabled) {
        const ledger = ctx.services.children as { track?: (pid: number) => void } | undefined;
        const mpv = new MpvPlayer({
          ...(typeof ledger?.track === 'function' ? { onChild: ledger.track } : {}),
          config: cfg,
          log: ctx.log,
          clock: ctx.clock,
          // vo "null" (config/demo.yaml) opens no window and no sound device; the screenshot
          // harness runs the demo with a screen by setting another vo
          headless: cfg.vo === 'null',
          mediaRoot: cfg.mediaDir,
          startTimeoutMs: cfg.startTimeoutMs,
          ramImages: cfg.hud.crackCam,
        });
        player = mpv;
        if (cfg.hud.enabled || cfg.hud.crackCam) {
          const { services } = ctx;
          screen = new Screen({
            config: cfg.hud,
            surface: mpv,
            log: ctx.log.child({ part: 'screen' }),
            clock: ctx.clock,
            durationOf: (clip) => media.durationMs(clip),
            // the results log registers first; read it when the attract screen needs figures
            totals: (): ResultTotals[] => {
              const r = services.results as Partial<ResultsStore> | undefined;
              return typeof r?.totals === 'function' ? r.totals({ sinceDays: 1 }) : [];
            },
          });
          services.screen = screen;
        }
      } else {
        ctx.log.warn('player.enabled is false: no screen; clips end after their probed length');
        player = new FakePlayer({ clock: ctx.clock, durationOf: (clip) => media.durationMs(clip), clipMs: 30_000 });
      }
      ctx.services.media = media;
      ctx.services.player = player;
      return new PlayerModule(media, player, ctx.log, screen);
    },
  };
}
