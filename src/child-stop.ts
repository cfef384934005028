// The one way a child process is ended: ask politely (SIGTERM, or the caller's own quit
// command), give it a grace period, then SIGKILL; killNow skips the request and the
// grace, for a run that has timed out and holds nothing worth a clean exit. It never
// spawns: each adapter hands in its own child and the promise that settles when that
// child is gone (stopChild), or, for processes known only by PID (the children a killed
// predecessor left, ops/children.ts), a way to tell whether each still lives (stopPids).
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/** what stopChild needs of a process: Node's ChildProcess fits */
export interface KillableChild {
  kill(signal?: NodeJS.Signals | number): unknown;
}

export interface StopChildOptions {
  /** how long the child gets after the polite request before SIGKILL (0: at the next timer turn) */
  graceMs: number;
  timers?: Timers;
  /**
   * the polite request (default SIGTERM); null sends none, for a caller that has already
   * asked in its own way (mpv's IPC `quit`)
   */
  signal?: NodeJS.Signals | null;
}

export type StopOutcome = 'exited' | 'killed';

/** The escalation both helpers share; only how "gone" is seen differs. */
interface Escalation {
  ask(): void;
  /** true when everything left within ms */
  goneWithin(ms: number): Promise<boolean>;
  kill(): void;
}

/** graceMs null: no request, no wait, SIGKILL now */
async function escalate(graceMs: number | null, e: Escalation): Promise<StopOutcome> {
  if (graceMs !== null) {
    e.ask();
    if (await e.goneWithin(graceMs)) return 'exited';
  }
  e.kill();
  return 'killed';
}

/**
 * Ends a child and resolves once `exited` settles: 'exited' when it left within the
 * grace, 'killed' when it needed SIGKILL. A rejected `exited` counts as gone.
 */
export function stopChild(child: KillableChild, exited: Promise<unknown>, opts: StopChildOptions): Promise<StopOutcome> {
  return end(child, exited, opts.graceMs, opts);
}

/**
 * SIGKILL now, sent before this returns; resolves ('killed') once `exited` settles. For
 * a run that overran its timeout: each call site says why it needs no clean exit.
 */
export function killNow(child: KillableChild, exited: Promise<unknown>): Promise<StopOutcome> {
  return end(child, exited, null, {});
}

async function end(child: KillableChild, exited: Promise<unknown>, graceMs: number | null, opts: { timers?: Timers; signal?: NodeJS.Signals | null }): Promise<StopOutcome> {
  const timers = opts.timers ?? systemTimers;
  const gone = exited.then(
    () => true,
    () => true,
  );
  const signal = opts.signal === undefined ? 'SIGTERM' : opts.signal;
  const outcome = await escalate(graceMs, {
    ask: () => {
      if (signal !== null) child.kill(signal);
    },
    goneWithin: async (ms) => {
      let timer: TimerHandle | null = null;
      const inTime = await Promise.race([gone, new Promise<false>((resolve) => (timer = timers.setTimeout(() => resolve(false), ms)))]);
      timers.clearTimeout(timer);
      return inTime;
    },
    kill: () => child.kill('SIGKILL'),
  });
  if (outcome === 'killed') await gone;
  return outcome;
}

/** what stopPids needs of the process table; ops/children.ts's ProcessTable fits */
export interface PidSignals {
  kill(pid: number, signal: NodeJS.Signals): void;
}

export interface StopPidsOptions {
  /** how long the processes get after SIGTERM before SIGKILL */
  graceMs: number;
  /** still the same process (not gone, PID not reused): only those are signalled again */
  alive: (pid: number) => boolean;
  /** the injected wait between looks (a process that is not our child sends no exit event) */
  sleep: (ms: number) => Promise<void>;
  /** how often to look (default 50 ms) */
  pollMs?: number;
  /** told of each PID just before it gets SIGKILL */
  onKill?: (pid: number) => void;
}

/**
 * Ends processes that are not our children, by PID: SIGTERM to all, look every pollMs
 * until all are gone or the grace is spent, then SIGKILL to those still alive. A signal
 * that fails (gone meanwhile, EPERM) is ignored. 'killed' when any needed SIGKILL.
 */
export function stopPids(pids: readonly number[], procs: PidSignals, opts: StopPidsOptions): Promise<StopOutcome> {
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    try {
      procs.kill(pid, sig);
    } catch {
      // gone meanwhile, or not ours to signal (EPERM): nothing more to do
    }
  };
  const pollMs = opts.pollMs ?? 50;
  return escalate(opts.graceMs, {
    ask: () => {
      for (const pid of pids) signal(pid, 'SIGTERM');
    },
    goneWithin: async (ms) => {
      for (let waited = 0; waited < ms && pids.some(opts.alive); waited += pollMs) await opts.sleep(pollMs);
      return !pids.some(opts.alive);
    },
    kill: () => {
      for (const pid of pids) {
        if (!opts.alive(pid)) continue;
        opts.onKill?.(pid);
        signal(pid, 'SIGKILL');
      }
    },
  });
}
