// Operations modules for the daemon: the results log and the systemd notifier.
import type { ModuleContext, ModuleSpec } from '../daemon.js';
import type { Lifecycle, ModuleHealth } from '../types.js';
import { Notifier, notifyEnv, type NotifierSources, type Timers } from './notify.js';
import { unixDgramTransport, type NotifyTransport } from './notify-socket.js';
import { SqliteResultsStore } from './results.js';

/** services.results; first in the start order so the booth runner finds it. */
export function resultsModule(): ModuleSpec {
  return {
    name: 'results',
    create(ctx) {
      const c = ctx.config.results;
      if (!c.enabled) return null;
      const store = new SqliteResultsStore({
        path: c.path,
        retentionDays: c.retentionDays,
        maxRows: c.maxRows,
        retryMs: c.retryMs,
        queueMax: c.queueMax,
        clock: ctx.clock,
        log: ctx.log,
      });
      ctx.services.results = store;
      return store;
    },
  };
}

export interface NotifyModuleOptions {
  /** default process.env */
  env?: NodeJS.ProcessEnv;
  /** default process.pid (WATCHDOG_PID is compared with it) */
  pid?: number;
  /** default unix-dgram; tests hand in their own */
  transport?: (socketPath: string) => NotifyTransport;
  timers?: Timers;
}

function sourcesFrom(ctx: ModuleContext): () => NotifierSources {
  const s = ctx.services;
  return () => ({
    frameSource: s.frameSource as NotifierSources['frameSource'],
    detector: s.detector as NotifierSources['detector'],
    booth: s.booth as NotifierSources['booth'],
  });
}

/** Build services.notifier unless it exists. Without NOTIFY_SOCKET (or with systemd.notify off) it is a silent no-op. */
function ensureNotifier(ctx: ModuleContext, opts: NotifyModuleOptions): { notifier: Notifier; owned: boolean } {
  const existing = ctx.services.notifier;
  if (existing instanceof Notifier) return { notifier: existing, owned: false };
  const env = notifyEnv(opts.env ?? process.env, opts.pid ?? process.pid);
  let transport: NotifyTransport | null = null;
  if (ctx.config.systemd.notify && env.socket) {
    try {
      transport = (opts.transport ?? unixDgramTransport)(env.socket);
    } catch (e) {
      // Without the socket systemd times the start out and restarts us: say why loudly.
      ctx.log.error({ err: e, socket: env.socket }, 'cannot open NOTIFY_SOCKET; systemd will not see READY=1');
    }
  }
  const notifier = new Notifier({
    transport,
    clock: ctx.clock,
    log: ctx.log,
    watchdogMs: env.watchdogMs,
    frameMaxAgeMs: ctx.config.systemd.frameMaxAgeMs,
    inferMaxAgeMs: ctx.config.systemd.inferMaxAgeMs,
    sources: sourcesFrom(ctx),
    ...(opts.timers ? { timers: opts.timers } : {}),
  });
  if (transport) ctx.log.info({ socket: env.socket, watchdogMs: env.watchdogMs }, 'speaking sd_notify');
  ctx.services.notifier = notifier;
  return { notifier, owned: true };
}

class NotifierHandle implements Lifecycle {
  constructor(
    readonly name: string,
    private readonly notifier: Notifier,
    private readonly role: 'early' | 'ready',
    private readonly closeTransport: () => void,
  ) {}
  start(): Promise<void> {
    if (this.role === 'ready') this.notifier.ready();
    else this.notifier.watchLoading();
    return Promise.resolve();
  }
  stop(): Promise<void> {
    // Reverse start order: the 'ready' handle stops first, so STOPPING=1 goes out as
    // shutdown begins; the early handle (if any) closes the socket at the very end.
    if (this.role === 'ready') this.notifier.stopping();
    this.closeTransport();
    return Promise.resolve();
  }
  health(): ModuleHealth {
    // both handles report as 'notifier' (the daemon merges same-named entries into one);
    // the watchdog's figures come from the handle that runs it
    return this.role === 'ready' ? this.notifier.health() : { name: 'notifier', healthy: true, reasons: [] };
  }
}

/**
 * Optional, first in the start order: registers services.notifier early so the
 * inference module can call `services.notifier.extendTimeout(ms)` while it builds a
 * TensorRT engine during its own start().
 */
export function notifierServiceModule(opts: NotifyModuleOptions = {}): ModuleSpec {
  return {
    name: 'notifier-service',
    create(ctx) {
      const { notifier } = ensureNotifier(ctx, opts);
      return new NotifierHandle('notifier-service', notifier, 'early', () => notifier.close());
    },
  };
}

/** Last in the start order: READY=1, watchdog pings while the pipeline works, STOPPING=1. */
export function notifyModule(opts: NotifyModuleOptions = {}): ModuleSpec {
  return {
    name: 'notifier',
    create(ctx) {
      const { notifier, owned } = ensureNotifier(ctx, opts);
      return new NotifierHandle('notifier', notifier, 'ready', owned ? () => notifier.close() : () => undefined);
    },
  };
}
