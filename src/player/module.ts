// Daemon wiring for the player: the media library (services.media) and mpv
// (services.player). With player.enabled false a fake player stands in, so the game
// still runs (clips "end" after their probed length) on a machine without a screen.
import type { Logger } from '../log.js';
import type { Lifecycle, ModuleHealth, Player } from '../types.js';
import { defineModule, type ModuleSpec } from '../wiring.js';
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
  return defineModule({
    name: 'player',
    needs: [],
    // the ledger records mpv; the attract screen shows the day's figures from the results log
    wants: ['children', 'results'],
    provides: ['media', 'player'],
    mayProvide: ['screen'],
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
        const ledger = ctx.services.children;
        const mpv = new MpvPlayer({
          ...(ledger ? { onChild: (pid: number) => ledger.track(pid) } : {}),
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
          const results = ctx.services.results;
          screen = new Screen({
            config: cfg.hud,
            surface: mpv,
            log: ctx.log.child({ part: 'screen' }),
            clock: ctx.clock,
            durationOf: (clip) => media.durationMs(clip),
            totals: () => results?.totals({ sinceDays: 1 }) ?? [],
          });
        }
      } else {
        ctx.log.warn('player.enabled is false: no screen; clips end after their probed length');
        player = new FakePlayer({ clock: ctx.clock, log: ctx.log, durationOf: (clip) => media.durationMs(clip), clipMs: 30_000 });
      }
      return { lifecycle: new PlayerModule(media, player, ctx.log, screen), services: { media, player, ...(screen ? { screen } : {}) } };
    },
  });
}
