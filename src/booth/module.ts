// Daemon wiring: the booth runner, offered as services.booth. It needs the camera,
// the detector, the player, the media library and the buttons; the results log and the
// screen (HUD, crack cam) are optional.
import { defineModule, type ModuleSpec } from '../wiring.js';
import { BoothRunner } from './runner.js';

export function boothModule(): ModuleSpec {
  return defineModule({
    name: 'booth',
    needs: ['frameSource', 'detector', 'player', 'media', 'buttons'],
    wants: ['results', 'screen'],
    provides: ['booth'],
    create(ctx) {
      const s = ctx.services;
      const runner = new BoothRunner({
        config: ctx.config,
        log: ctx.log,
        clock: ctx.clock,
        frameSource: s.frameSource,
        detector: s.detector,
        player: s.player,
        media: s.media,
        buttons: s.buttons,
        results: s.results,
        screen: s.screen,
      });
      return { lifecycle: runner, services: { booth: runner.control } };
    },
  });
}
