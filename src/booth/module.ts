// Daemon wiring: the booth runner, registered as services.booth (BoothControl).
// Uses services.frameSource, detector, player, media, buttons (required: a missing one
// makes the booth unhealthy, never the daemon fail to start) and results (optional).
import type { ModuleSpec, Services } from '../daemon.js';
import type { BoothScreen, ButtonSource, Detector, FrameSource, Player, ResultsStore, VirtualButtons } from '../types.js';
import { BoothRunner, type MediaPicker } from './runner.js';

const has = (o: unknown, ...methods: string[]): boolean =>
  typeof o === 'object' && o !== null && methods.every((m) => typeof (o as Record<string, unknown>)[m] === 'function');

/** A service by its agreed name, if it has the methods the booth calls. */
function service<T>(services: Services, name: string, ...methods: string[]): T | undefined {
  const s = services[name];
  return has(s, ...methods) ? (s as T) : undefined;
}

export function boothModule(): ModuleSpec {
  return {
    name: 'booth',
    create(ctx) {
      const { services } = ctx;
      const runner = new BoothRunner({
        config: ctx.config,
        log: ctx.log,
        clock: ctx.clock,
        frameSource: service<FrameSource>(services, 'frameSource', 'onFrame', 'stats'),
        detector: service<Detector>(services, 'detector', 'detect', 'stats'),
        player: service<Player>(services, 'player', 'play', 'playAttract', 'stopClip', 'showText', 'onEvent', 'stats'),
        media: service<MediaPicker>(services, 'media', 'pick', 'attract'),
        buttons: service<ButtonSource & VirtualButtons>(services, 'buttons', 'onButton', 'setLights', 'pressVirtual'),
        results: service<ResultsStore>(services, 'results', 'append'),
        screen: service<BoothScreen>(services, 'screen', 'state', 'score', 'result', 'text', 'attention', 'face'),
      });
      services.booth = runner.control;
      return runner;
    },
  };
}
