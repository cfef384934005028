// Daemon wiring: builds the configured FrameSource and offers it as
// services.frameSource. A camera that is missing or broken never fails the daemon's
// start: the source keeps retrying and health() reports it as failed.
import type { ModuleSpec } from '../daemon.js';
import type { FrameSource, Lifecycle, ModuleHealth } from '../types.js';
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
  return {
    name: 'capture',
    create(ctx) {
      const ledger = ctx.services.children as { track?: (pid: number) => void } | undefined;
      const onChild = typeof ledger?.track === 'function' ? ledger.track : undefined;
      const source = createFrameSource(ctx.config.camera, { clock: ctx.clock, log: ctx.log, ...opts, ...(onChild ? { onChild } : {}) });
      const frameSource: FrameSource = source;
      ctx.services.frameSource = frameSource;
      return new CaptureModule(source);
    },
  };
}
