// Operations modules for the daemon: the results log and the systemd notifier.
import { defineModule, type ModuleContext, type ModuleSpec } from '../wiring.js';
import { Notifier, notifyEnv, type Timers } from './notify.js';
import { unixDgramTransport, type NotifyTransport } from './notify-socket.js';
import { SqliteResultsStore } from './results.js';

/** services.results (optional: the booth and the attract screen do without it). */
export function resultsModule(): ModuleSpec {
  return defineModule({
    name: 'results',
    needs: [],
    provides: ['results'],
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
      return { lifecycle: store, services: { results: store } };
    },
  });
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

/** The sources the watchdog reads, looked up on every tick: they are created after the notifier. */
type Watched = ModuleContext<never, 'frameSource' | 'detector' | 'booth'>;

function buildNotifier(ctx: Watched, opts: NotifyModuleOptions): Notifier {
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
  const s = ctx.services;
  const notifier = new Notifier({
    transport,
    clock: ctx.clock,
    log: ctx.log,
    watchdogMs: env.watchdogMs,
    frameMaxAgeMs: ctx.config.systemd.frameMaxAgeMs,
    inferMaxAgeMs: ctx.config.systemd.inferMaxAgeMs,
    sources: () => ({ frameSource: s.frameSource, detector: s.detector, booth: s.booth }),
    ...(opts.timers ? { timers: opts.timers } : {}),
  });
  if (transport) ctx.log.info({ socket: env.socket, watchdogMs: env.watchdogMs }, 'speaking sd_notify');
  return notifier;
}

/**
 * services.notifier. It needs nothing, so it starts first: from then on it extends
 * systemd's start timeout while the detector loads its models (a TensorRT engine build
 * takes minutes). READY=1 goes out once every module has started (the daemon's
 * allStarted hook), STOPPING=1 first thing on shutdown (stopBegins); its own stop, the
 * last of all, closes the socket. Without NOTIFY_SOCKET (or with systemd.notify off)
 * it is a silent no-op.
 */
export function notifyModule(opts: NotifyModuleOptions = {}): ModuleSpec {
  return defineModule({
    name: 'notifier',
    needs: [],
    watches: ['frameSource', 'detector', 'booth'],
    provides: ['notifier'],
    create(ctx) {
      const notifier = buildNotifier(ctx, opts);
      return {
        lifecycle: {
          name: 'notifier',
          start: () => {
            notifier.watchLoading();
            return Promise.resolve();
          },
          stop: () => {
            notifier.close();
            return Promise.resolve();
          },
          health: () => notifier.health(),
        },
        services: { notifier },
        allStarted: () => notifier.ready(),
        stopBegins: () => notifier.stopping(),
      };
    },
  });
}
