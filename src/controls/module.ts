// The controls module for the daemon: registers services.buttons (ButtonSource &
// VirtualButtons) and reports controls health. A GPIO failure never stops the daemon.
import { defineModule, type ModuleSpec } from '../wiring.js';
import type { Lifecycle } from '../types.js';
import { buildControls, type ControlsDeps } from './build.js';

export function controlsModule(deps: Omit<ControlsDeps, 'clock' | 'log'> = {}): ModuleSpec {
  return defineModule({
    name: 'controls',
    needs: [],
    provides: ['buttons'],
    create(ctx) {
      const controls = buildControls(ctx.config.controls, { clock: ctx.clock, log: ctx.log, ...deps });
      const mod: Lifecycle = {
        name: 'controls',
        start: () => controls.start(),
        stop: () => controls.stop(),
        health: () => controls.moduleHealth(),
      };
      return { lifecycle: mod, services: { buttons: controls } };
    },
  });
}
