// Daemon wiring: the detector service (services.detector).
import { defineModule, type ModuleSpec } from '../wiring.js';
import { WorkerDetector } from './detector.js';

export function inferModule(): ModuleSpec {
  return defineModule({
    name: 'detector',
    needs: [],
    provides: ['detector'],
    create(ctx) {
      const detector = new WorkerDetector({ config: ctx.config.model, log: ctx.log, clock: ctx.clock, logLevel: ctx.config.logLevel });
      return { lifecycle: detector, services: { detector } };
    },
  });
}
