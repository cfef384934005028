// The one composition root: builds each module from the frozen config, starts them in
// the order their declared needs give (src/wiring.ts), stops them in reverse. Modules
// reach each other only through the typed services they declare.
import type { FrozenConfig } from './config/schema.js';
import { PokerfaceError, isPokerfaceError, exitCodeOf, EXIT } from './errors.js';
import type { Logger } from './log.js';
import type { Clock, Lifecycle, ModuleHealth } from './types.js';
import { systemClock } from './clock.js';
import { unrefTimers, type Timers } from './timers.js';
import { createModule, startOrder, type Created, type ModuleSpec, type Services } from './wiring.js';

export type { ModuleContext, ModuleSpec, ServiceMap, ServiceName, Services } from './wiring.js';

export interface DaemonOptions {
  config: FrozenConfig;
  log: Logger;
  modules: ModuleSpec[];
  clock?: Clock;
  stopDeadlineMs?: number;
  onExitRequest?: (code: number, reason: string) => void;
  /** the file the config came from (see ModuleContext.configFile) */
  configFile?: string;
}

export class Daemon {
  private readonly started: Lifecycle[] = [];
  private readonly hooks: Array<Pick<Created, 'allStarted' | 'stopBegins'>> = [];
  private readonly services: Services = {};
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopping: Promise<void> | null = null;

  constructor(private readonly opts: DaemonOptions) {}

  get phase(): string {
    return this.state;
  }

  get serviceMap(): Readonly<Services> {
    return this.services;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`daemon already ${this.state}`);
    this.state = 'starting';
    const { config, log } = this.opts;
    const ctx = {
      config,
      log,
      clock: this.opts.clock ?? systemClock,
      requestExit: (code: number, reason: string) => this.opts.onExitRequest?.(code, reason),
      configFile: this.opts.configFile,
    };
    let order: ModuleSpec[];
    try {
      order = startOrder(this.opts.modules);
    } catch (e) {
      log.error({ code: (e as PokerfaceError).code, err: e }, (e as Error).message);
      this.state = 'stopped';
      throw e;
    }
    this.services.daemon = this;
    for (const spec of order) {
      const mlog = log.child({ module: spec.name });
      try {
        const made = await createModule(spec, { ...ctx, log: mlog }, this.services);
        if (!made) {
          mlog.info('module disabled by configuration');
          continue;
        }
        this.hooks.push(made);
        if (!made.lifecycle) continue;
        const t0 = performance.now();
        await made.lifecycle.start();
        this.started.push(made.lifecycle);
        mlog.info({ ms: Math.round(performance.now() - t0) }, 'module started');
      } catch (e) {
        const err = isPokerfaceError(e) ? e : new PokerfaceError('POKERFACE_ERR_STARTUP', `${spec.name}: ${(e as Error).message}`, { cause: e });
        mlog.error({ code: err.code, err: e }, `module failed to start: ${err.message}`);
        await this.stopStarted();
        this.state = 'stopped';
        throw err;
      }
    }
    for (const h of this.hooks) h.allStarted?.();
    this.state = 'running';
  }

  /** Stop everything started, in reverse order. Safe to call more than once. */
  stop(): Promise<void> {
    if (!this.stopping) {
      // only a daemon that got up tells its hooks (a failed start already stopped everything)
      if (this.state === 'running') for (const h of [...this.hooks].reverse()) h.stopBegins?.();
      this.state = 'stopping';
      this.stopping = this.stopStarted().then(() => {
        this.state = 'stopped';
      });
    }
    return this.stopping;
  }

  health(): ModuleHealth[] {
    return mergeHealth(this.started.map((m) => m.health?.() ?? { name: m.name, healthy: true, reasons: [] }));
  }

  private async stopStarted(): Promise<void> {
    while (this.started.length > 0) {
      const mod = this.started.pop() as Lifecycle;
      try {
        await mod.stop();
        this.opts.log.debug({ module: mod.name }, 'module stopped');
      } catch (e) {
        this.opts.log.error({ module: mod.name, err: e }, 'module failed to stop cleanly');
      }
    }
  }
}

/** One entry per component name: healthy only if every entry of that name is, reasons joined. */
export function mergeHealth(list: readonly ModuleHealth[]): ModuleHealth[] {
  const byName = new Map<string, ModuleHealth>();
  for (const h of list) {
    const seen = byName.get(h.name);
    if (!seen) byName.set(h.name, { name: h.name, healthy: h.healthy, reasons: [...h.reasons] });
    else {
      seen.healthy &&= h.healthy;
      for (const r of h.reasons) if (!seen.reasons.includes(r)) seen.reasons.push(r);
    }
  }
  return [...byName.values()];
}

export interface RunOptions {
  stopDeadlineMs?: number;
  /** injected for tests */
  proc?: Pick<NodeJS.Process, 'on' | 'off' | 'exit'>;
  /** the stop deadline's timer; default unrefTimers, so the deadline alone never holds the process open */
  timers?: Timers;
}

/**
 * Run until SIGTERM/SIGINT or an exit request; resolve with the exit code. A stop that
 * overruns the deadline exits the process non-zero so systemd restarts it.
 */
export async function runUntilSignal(daemon: Daemon, log: Logger, opts: RunOptions & { exitRequests: ExitRequests }): Promise<number> {
  const proc = opts.proc ?? process;
  const deadline = opts.stopDeadlineMs ?? 5000;
  const timers = opts.timers ?? unrefTimers;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let shuttingDown = false;

  const shutdown = (code: number, why: string): void => {
    if (shuttingDown) {
      if (why.startsWith('SIG')) {
        log.warn('second signal: exiting now');
        proc.exit(EXIT.SOFTWARE);
      }
      return;
    }
    shuttingDown = true;
    log.info({ reason: why }, 'stopping');
    const timer = timers.setTimeout(() => {
      const err = new PokerfaceError('POKERFACE_ERR_SHUTDOWN_TIMEOUT', `${deadline} ms`);
      log.error({ code: err.code }, err.message);
      proc.exit(err.exitCode);
    }, deadline);
    daemon
      .stop()
      .then(() => {
        timers.clearTimeout(timer);
        log.info({ code }, 'stopped');
        resolveDone(code);
      })
      .catch((e: unknown) => {
        timers.clearTimeout(timer);
        log.error({ err: e }, 'stop failed');
        resolveDone(EXIT.SOFTWARE);
      });
  };

  const onSigterm = (): void => shutdown(EXIT.OK, 'SIGTERM');
  const onSigint = (): void => shutdown(EXIT.OK, 'SIGINT');
  const onFatal = (e: unknown): void => {
    const code = isPokerfaceError(e) ? e.code : 'POKERFACE_ERR_UNCAUGHT';
    log.fatal({ code, err: e }, 'uncaught error; stopping so the service manager restarts the daemon');
    shutdown(isPokerfaceError(e) ? exitCodeOf(e) : EXIT.SOFTWARE, code);
  };
  proc.on('SIGTERM', onSigterm);
  proc.on('SIGINT', onSigint);
  proc.on('uncaughtException', onFatal);
  proc.on('unhandledRejection', onFatal);
  opts.exitRequests.listen((code, reason) => shutdown(code, reason));
  try {
    return await done;
  } finally {
    proc.off('SIGTERM', onSigterm);
    proc.off('SIGINT', onSigint);
    proc.off('uncaughtException', onFatal);
    proc.off('unhandledRejection', onFatal);
  }
}

/** Connects module exit requests (made during or after start) to the run loop. */
export class ExitRequests {
  private pending: { code: number; reason: string } | null = null;
  private cb: ((code: number, reason: string) => void) | null = null;
  request = (code: number, reason: string): void => {
    if (this.cb) this.cb(code, reason);
    else this.pending ??= { code, reason };
  };
  listen(cb: (code: number, reason: string) => void): void {
    this.cb = cb;
    if (this.pending) cb(this.pending.code, this.pending.reason);
  }
}
