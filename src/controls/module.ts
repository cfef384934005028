// The controls module for the daemon: registers services.buttons (ButtonSource &
// VirtualButtons) and reports controls health. A GPIO failure never stops the daemon.
import type { ModuleSpec } from '../daemon.js';
import type { Lifecycle } from '../types.js';
import { buildControls, type ControlsDeps } from './build.js';

export function controlsModule(deps: Omit<ControlsDeps, 'clock' | 'log'> = {}): ModuleSpec {
  return {
    name: 'controls',
    create(ctx) {
      const controls = buildControls(ctx.config.controls, { clock: ctx.clock, log: ctx.log, ...deps });
      ctx.services.buttons = controls;
      const mod: Lifecycle = {
        name: 'controls',
        start: () => controls.start(),
        stop: () => controls.stop(),
        health: () => controls.moduleHealth(),
      };
      return mod;
    },
  };
}
