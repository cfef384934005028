// Daemon wiring: the detector service (services.detector).
import type { ModuleSpec } from '../daemon.js';
import { WorkerDetector } from './detector.js';

export function inferModule(): ModuleSpec {
  return {
    name: 'detector',
    create(ctx) {
      const detector = new WorkerDetector({ config: ctx.config.model, log: ctx.log, clock: ctx.clock, logLevel: ctx.config.logLevel });
      ctx.services.detector = detector;
      return detector;
    },
  };
}
