// The one composition root: builds each module from the frozen config, starts them in
// order, stops them in reverse. Modules reach each other only through `services`.
import type { FrozenConfig } from './config/schema.js';
import { PokerfaceError, isPokerfaceError, exitCodeOf, EXIT } from './errors.js';
import type { Logger } from './log.js';
import type { Clock, Lifecycle, ModuleHealth } from './types.js';
import { systemClock } from './clock.js';

/** What running modules offer one another; filled in as modules are created. */
export interface Services {
  [name: string]: unknown;
}

export interface ModuleContext {
  config: FrozenConfig;
  log: Logger;
  clock: Clock;
  services: Services;
  /** ask the daemon to stop and exit with this code (POST /api/restart, fatal module errors) */
  requestExit(code: number, reason: string): void;
  /** the file the config came from, when it came from one (request/reload re-reads it) */
  configFile?: string | undefined;
}

export interface ModuleSpec {
  name: string;
  /** build the module (constructors only assign); null when the config switches it off */
  create(ctx: ModuleContext): Lifecycle | null | Promise<Lifecycle | null>;
}

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
    const ctx: ModuleContext = {
      config,
      log,
      clock: this.opts.clock ?? systemClock,
      services: this.services,
      requestExit: (code, reason) => this.opts.onExitRequest?.(code, reason),
      configFile: this.opts.configFile,
    };
    this.services.daemon = this;
    for (const spec of this.opts.modules) {
      const mlog = log.child({ module: spec.name });
      try {
        const mod = await spec.create({ ...ctx, log: mlog });
        if (!mod) {
          mlog.info('module disabled by configuration');
          continue;
        }
        const t0 = performance.now();
        await mod.start();
        this.started.push(mod);
        mlog.info({ ms: Math.round(performance.now() - t0) }, 'module started');
      } catch (e) {
        const err = isPokerfaceError(e) ? e : new PokerfaceError('POKERFACE_ERR_STARTUP', `${spec.name}: ${(e as Error).message}`, { cause: e });
        mlog.error({ code: err.code, err: e }, `module failed to start: ${err.message}`);
        await this.stopStarted();
        this.state = 'stopped';
        throw err;
      }
    }
    this.state = 'running';
  }

  /** Stop everything started, in reverse order. Safe to call more than once. */
  stop(): Promise<void> {
    if (!this.stopping) {
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
}

/**
 * Run until SIGTERM/SIGINT or an exit request; resolve with the exit code. A stop that
 * overruns the deadline exits the process non-zero so systemd restarts it.
 */
export async function runUntilSignal(daemon: Daemon, log: Logger, opts: RunOptions & { exitRequests: ExitRequests }): Promise<number> {
  const proc = opts.proc ?? process;
  const deadline = opts.stopDeadlineMs ?? 5000;
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
    const timer = setTimeout(() => {
      const err = new PokerfaceError('POKERFACE_ERR_SHUTDOWN_TIMEOUT', `${deadline} ms`);
      log.error({ code: err.code }, err.message);
      proc.exit(err.exitCode);
    }, deadline);
    timer.unref();
    daemon
      .stop()
      .then(() => {
        clearTimeout(timer);
        log.info({ code }, 'stopped');
        resolveDone(code);
      })
      .catch((e: unknown) => {
        clearTimeout(timer);
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
