// The one way a child process is ended: ask politely (SIGTERM, or the caller's own quit
// command), give it a grace period on the injected timers, then SIGKILL. It never spawns;
// each adapter (capture/child.ts, controls/gpiod.ts, player/mpv.ts) hands in its own child
// and the promise that settles when that child is gone.
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/** what stopChild needs of a process: Node's ChildProcess fits */
export interface KillableChild {
  kill(signal?: NodeJS.Signals | number): unknown;
}

export interface StopChildOptions {
  /** how long the child gets after the polite request before SIGKILL */
  graceMs: number;
  timers?: Timers;
  /**
   * the polite request (default SIGTERM); null sends none, for a caller that has already
   * asked in its own way (mpv's IPC `quit`)
   */
  signal?: NodeJS.Signals | null;
}

export type StopOutcome = 'exited' | 'killed';

/**
 * Ends a child and resolves once `exited` settles: 'exited' when it left within the
 * grace, 'killed' when it needed SIGKILL. A rejected `exited` counts as gone.
 */
export async function stopChild(child: KillableChild, exited: Promise<unknown>, opts: StopChildOptions): Promise<StopOutcome> {
  const timers = opts.timers ?? systemTimers;
  const gone = exited.then(
    () => true,
    () => true,
  );
  const signal = opts.signal === undefined ? 'SIGTERM' : opts.signal;
  if (signal !== null) child.kill(signal);
  let timer: TimerHandle | null = null;
  const inTime = await Promise.race([gone, new Promise<false>((resolve) => (timer = timers.setTimeout(() => resolve(false), opts.graceMs)))]);
  timers.clearTimeout(timer);
  if (inTime) return 'exited';
  child.kill('SIGKILL');
  await gone;
  return 'killed';
}
