// Daemon wiring: builds the configured FrameSource and offers it as
// services.frameSource. A camera that is missing or broken never fails the daemon's
// start: the source keeps retrying and health() reports it as failed.
import { defineModule, type ModuleSpec } from '../wiring.js';
import type { Lifecycle, ModuleHealth } from '../types.js';
import { createFrameSource, type SourceDeps } from './factory.js';
import type { SupervisedSource } from './supervisor.js';

export class CaptureModule implements Lifecycle {
  readonly name = 'capture';
  constructor(readonly source: SupervisedSource) {}
  start(): Promise<void> {
    return this.source.start();
  }
  stop(): Promise<void> {
    return this.source.stop();
  }
  health(): ModuleHealth {
    return this.source.health();
  }
}

export function captureModule(opts: { spawn?: SourceDeps['spawn']; timers?: SourceDeps['timers'] } = {}): ModuleSpec {
  return defineModule({
    name: 'capture',
    needs: [],
    // the ledger records the capture child (a killed daemon's is ended at the next start)
    wants: ['children'],
    provides: ['frameSource'],
    create(ctx) {
      const ledger = ctx.services.children;
      const source = createFrameSource(ctx.config.camera, { clock: ctx.clock, log: ctx.log, ...opts, ...(ledger ? { onChild: (pid: number) => ledger.track(pid) } : {}) });
      return { lifecycle: new CaptureModule(source), services: { frameSource: source } };
    },
  });
}
