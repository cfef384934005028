// Runs one CaptureDriver as a FrameSource that never gives up: a frame-age watchdog,
// restarts with capped exponential backoff, error codes in stats, and nothing left
// running after stop(). Bad input never throws out of start(): the source reports
// `restarting`, then `failed` with lastError, and keeps retrying.
import { PokerfaceError, isPokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CaptureStats, Clock, Frame, FrameSource, ModuleHealth, Off, SourceState } from '../types.js';
import { Listeners } from '../listeners.js';
import type { CaptureDriver, DriverSession, DriverSink, SessionEnd } from './driver.js';
import { FrameDelivery, deferImmediate, type Defer, type FrameCallback } from './delivery.js';
import { StderrLog } from './stderr-log.js';
import { systemTimers, type TimerHandle, type Timers } from '../timers.js';
import { Backoff } from '../backoff.js';
import type { Geometry } from './transform.js';

/** after this many failures in a row without a frame, the state reads `failed` */
export const FAILED_AFTER = 3;
/** a session that delivered frames for this long resets the backoff */
const HEALTHY_RESET_MS = 1000;

export interface SupervisorOptions {
  driver: CaptureDriver;
  geometry: Geometry;
  clock: Clock;
  log: Logger;
  stallMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  stderrLinesPerMinute: number;
  timers?: Timers;
  defer?: Defer;
  /** told the pid of every child process a session starts (the pidfile of ops/children.ts) */
  onChild?: (pid: number) => void;
}

export interface CaptureStatsEx extends CaptureStats {
  backend: string;
  /** frames handed to a consumer that took them */
  delivered: number;
  /** frames completed by the backend (delivered + dropped) */
  captured: number;
  width: number;
  height: number;
  consecutiveFailures: number;
  stderrSuppressed: number;
}

/** While the supervisor retries by itself (a restart of the daemon would not help). */
export interface CaptureRecovery {
  /** wall-clock epoch ms since frames stopped (or since start when none came yet) */
  since: number;
  /** the delay before the next attempt (the backoff step now in use) */
  retryEveryMs: number;
  attempts: number;
  code: string;
  message: string;
  /** how far the next step (a retry timer, or the stall check of the attempt under way) is overdue; 0 normally */
  overdueMs: number;
}

export class SupervisedSource implements FrameSource {
  private state: SourceState = 'idle';
  private session: DriverSession | null = null;
  private generation = 0;
  private closing: Promise<void>[] = [];
  private watchdog: TimerHandle | null = null;
  private restartTimer: TimerHandle | null = null;
  private backoff: Backoff | null = null;
  private consecutiveFailures = 0;
  private reconnects = 0;
  private stalls = 0;
  private lastError: PokerfaceError | null = null;
  private sessionStartedAt = 0;
  private sessionFirstFrameAt: number | null = null;
  private sessionFrameCount = 0;
  /** wall epoch ms when frames stopped (first failure after frames flowed), null while they flow */
  private downSince: number | null = null;
  private nextAttemptAt: number | null = null;
  private fpsWindowStart = 0;
  private fpsWindowFrames = 0;
  private fps = 0;
  private stopped = false;
  private delivery: FrameDelivery | null = null;
  /** outlives each session's FrameDelivery: a consumer added once gets every session's frames */
  private readonly consumers = new Listeners<Frame>({ error: ({ err }) => this.consumerThrew(err) }, 'frame');
  private consumerErrors = 0;
  private readonly offer = (f: Frame): boolean => this.consumers.offer(f);
  private stderrLog: StderrLog | null = null;

  constructor(private readonly opts: SupervisorOptions) {}

  get backend(): string {
    return this.opts.driver.name;
  }

  /** pid of the running child process, if the backend runs one */
  get pid(): number | null {
    return this.session?.pid ?? null;
  }

  onFrame(cb: FrameCallback): Off {
    return this.consumers.add(cb);
  }

  private consumerThrew(err: unknown): void {
    const n = ++this.consumerErrors;
    if (n === 1 || n % 100 === 0) this.opts.log.error({ err, count: n }, 'frame consumer threw');
  }

  async start(): Promise<void> {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    const { clock, log } = this.opts;
    this.stopped = false;
    this.consumerErrors = 0;
    this.delivery = new FrameDelivery(this.opts.geometry, clock, this.opts.defer ?? deferImmediate, () => this.captured());
    this.delivery.onFrame(this.offer);
    this.stderrLog = new StderrLog(log, clock, this.opts.stderrLinesPerMinute, this.opts.driver.name);
    this.state = 'starting';
    this.downSince = clock.wall();
    this.fpsWindowStart = clock.now();
    log.info({ backend: this.opts.driver.name, input: this.opts.driver.describe }, 'camera starting');
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    this.delivery?.cancel();
    this.closeSession();
    const closing = this.closing;
    this.closing = [];
    await Promise.all(closing);
    if (this.state !== 'idle') this.state = 'stopped';
  }

  /** Close the running session and open a fresh one (staff request, tests). */
  restart(reason = 'restart requested'): void {
    if (this.stopped || this.state === 'idle') return;
    this.fail(new PokerfaceError('POKERFACE_ERR_CAMERA_EXITED', reason), false);
  }

  /** End the backend abruptly, as a crash would; false when nothing runs. */
  killBackend(): boolean {
    const s = this.session;
    if (!s) return false;
    if (s.kill) s.kill();
    else this.restart('backend killed');
    return true;
  }

  stats(): CaptureStatsEx {
    const now = this.opts.clock.now();
    const d = this.delivery;
    const last = d?.lastCaptureAt ?? null;
    // a source that went quiet must not keep reporting its old rate
    const fps = now - this.fpsWindowStart > 2500 ? this.windowFps(now) : this.fps;
    return {
      state: this.state,
      frames: d?.captured ?? 0,
      fps: Math.round(fps * 10) / 10,
      dropped: d?.dropped ?? 0,
      reconnects: this.reconnects,
      stalls: this.stalls,
      lastFrameAgeMs: last === null ? null : Math.max(0, Math.round(now - last)),
      lastError: this.lastError ? { code: this.lastError.code, message: this.lastError.message } : undefined,
      backend: this.opts.driver.name,
      delivered: d?.delivered ?? 0,
      captured: d?.captured ?? 0,
      width: this.opts.geometry.width,
      height: this.opts.geometry.height,
      consecutiveFailures: this.consecutiveFailures,
      stderrSuppressed: this.stderrLog?.suppressedTotal ?? 0,
    };
  }

  /**
   * Non-null while the source is retrying with backoff after a failure: the notifier keeps
   * the systemd watchdog fed then (a daemon restart would not bring a missing camera back)
   * and reports this instead.
   */
  recovery(): CaptureRecovery | null {
    if (this.stopped || (this.state !== 'restarting' && this.state !== 'failed') || !this.lastError) return null;
    const now = this.opts.clock.now();
    const due = this.restartTimer !== null ? this.nextAttemptAt : this.session !== null ? this.sessionStartedAt + this.opts.stallMs : null;
    return {
      since: this.downSince ?? this.opts.clock.wall(),
      retryEveryMs: this.backoff?.last ?? 0,
      attempts: this.consecutiveFailures,
      code: this.lastError.code,
      message: this.lastError.message,
      overdueMs: due === null ? 0 : Math.max(0, Math.round(now - due)),
    };
  }

  health(): ModuleHealth {
    const rec = this.recovery();
    if (rec) return { name: 'capture', healthy: false, reasons: [describeRecovery('camera', rec)] };
    const s = this.stats();
    const reasons: string[] = [];
    const err = s.lastError ? `${s.lastError.code}: ${s.lastError.message}` : 'no error recorded';
    if (s.state === 'failed') reasons.push(`camera failed (${this.consecutiveFailures} attempts, retrying): ${err}`);
    // one quick restart (a killed child) is not worth a 503; a restart that drags on is
    else if (s.state === 'restarting' && (s.lastFrameAgeMs === null || s.lastFrameAgeMs > this.opts.stallMs)) reasons.push(`camera restarting: ${err}`);
    else if (s.state === 'stopped' && !this.stopped) reasons.push('camera input ended');
    else if (s.state === 'idle' || (s.state === 'stopped' && this.stopped)) reasons.push('camera not running');
    return { name: 'capture', healthy: reasons.length === 0, reasons };
  }

  // ------------------------------------------------------------ sessions

  private open(): void {
    if (this.stopped) return;
    const { clock, driver } = this.opts;
    const gen = ++this.generation;
    this.sessionStartedAt = clock.now();
    this.sessionFirstFrameAt = null;
    this.sessionFrameCount = 0;
    this.delivery?.resetStream();
    this.stderrLog?.clearTail();
    const live = (): boolean => gen === this.generation && !this.stopped;
    const delivery = this.delivery as FrameDelivery;
    const stderr = this.stderrLog as StderrLog;
    const sink: DriverSink = {
      bytes: (chunk) => {
        if (live()) delivery.pushBytes(chunk);
      },
      frame: (data, w, h) => {
        if (!live()) return;
        const err = delivery.pushFrame(data, w, h);
        if (err) this.fail(err);
      },
      droppedUpstream: (n) => {
        if (live()) delivery.droppedUpstream(n);
      },
      stderr: (chunk) => {
        if (gen === this.generation) stderr.write(chunk);
      },
      stderrTail: () => {
        stderr.end();
        return stderr.tail();
      },
      partialBytes: () => delivery.partialBytes,
      sessionFrames: () => (gen === this.generation ? this.sessionFrameCount : 0),
      end: (e) => {
        if (live()) this.ended(e);
      },
    };
    try {
      this.session = driver.open(sink);
      const pid = this.session.pid;
      if (pid) this.opts.onChild?.(pid);
    } catch (e) {
      this.session = null;
      this.fail(isPokerfaceError(e) ? e : new PokerfaceError('POKERFACE_ERR_CAMERA_PIPELINE', (e as Error).message, { cause: e }));
      return;
    }
    this.armWatchdog(this.opts.stallMs);
  }

  private captured(): void {
    const now = this.opts.clock.now();
    this.sessionFrameCount++;
    this.fpsWindowFrames++;
    if (now - this.fpsWindowStart >= 1000) {
      this.fps = this.windowFps(now);
      this.fpsWindowStart = now;
      this.fpsWindowFrames = 0;
    }
    if (this.sessionFirstFrameAt === null) {
      this.sessionFirstFrameAt = now;
      this.consecutiveFailures = 0;
      this.downSince = null;
      if (this.state !== 'running') {
        this.opts.log.info({ backend: this.opts.driver.name, reconnects: this.reconnects }, 'camera frames flowing');
      }
      this.state = 'running';
    } else if (this.backoff && this.backoff.attempts > 0 && now - this.sessionFirstFrameAt >= HEALTHY_RESET_MS) {
      this.backoff.reset();
    }
  }

  private windowFps(now: number): number {
    const span = now - this.fpsWindowStart;
    return span > 0 ? (this.fpsWindowFrames * 1000) / span : 0;
  }

  private ended(e: SessionEnd): void {
    if (e.kind === 'ended') {
      this.opts.log.info({ backend: this.opts.driver.name, frames: this.sessionFrameCount }, 'camera input ended');
      this.clearTimers();
      this.closeSession();
      this.state = 'stopped';
      return;
    }
    // fail() still closes the session: a worker may be winding down after its message
    this.fail(e.error);
  }

  private fail(err: PokerfaceError, countFailure = true): void {
    if (this.stopped) return;
    const { log, driver } = this.opts;
    this.clearTimers();
    this.closeSession();
    this.lastError = err;
    this.downSince ??= this.opts.clock.wall();
    if (countFailure) this.consecutiveFailures++;
    this.state = this.consecutiveFailures >= FAILED_AFTER ? 'failed' : 'restarting';
    this.backoff ??= new Backoff({ initialMs: this.opts.backoffInitialMs, maxMs: this.opts.backoffMaxMs });
    const delay = this.backoff.next();
    this.nextAttemptAt = this.opts.clock.now() + delay;
    log.warn(
      { backend: driver.name, code: err.code, attempt: this.consecutiveFailures, retryInMs: delay, state: this.state },
      `camera ${this.state}: ${err.message}`,
    );
    const hint = driver.failureHint?.(this.consecutiveFailures);
    if (hint) log.warn({ backend: driver.name, attempt: this.consecutiveFailures }, hint);
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = null;
      this.nextAttemptAt = null;
      if (this.stopped) return;
      this.reconnects++;
      this.open();
    }, delay);
  }

  private closeSession(): void {
    const s = this.session;
    this.session = null;
    this.generation++;
    if (!s) return;
    const p = s.close().catch((e: unknown) => this.opts.log.error({ err: e }, 'capture session did not close cleanly'));
    const tracked = p.finally(() => {
      this.closing = this.closing.filter((x) => x !== tracked);
    });
    this.closing.push(tracked);
  }

  private armWatchdog(ms: number): void {
    if (this.watchdog !== null) this.timers.clearTimeout(this.watchdog);
    this.watchdog = this.timers.setTimeout(() => this.checkStall(), ms);
  }

  private checkStall(): void {
    this.watchdog = null;
    if (this.stopped || this.session === null) return;
    const now = this.opts.clock.now();
    const last = this.sessionFirstFrameAt === null ? this.sessionStartedAt : Math.max(this.sessionStartedAt, this.delivery?.lastCaptureAt ?? 0);
    const age = now - last;
    if (age >= this.opts.stallMs) {
      this.stalls++;
      const what = this.sessionFirstFrameAt === null ? 'no first frame' : 'no frame';
      this.fail(new PokerfaceError('POKERFACE_ERR_CAMERA_STALL', `${what} for ${Math.round(age)} ms (${this.opts.driver.describe})`));
      return;
    }
    this.armWatchdog(Math.max(10, this.opts.stallMs - age));
  }

  private clearTimers(): void {
    if (this.watchdog !== null) this.timers.clearTimeout(this.watchdog);
    if (this.restartTimer !== null) this.timers.clearTimeout(this.restartTimer);
    this.watchdog = null;
    this.restartTimer = null;
  }

  private get timers(): Timers {
    return this.opts.timers ?? systemTimers;
  }
}

/** "camera missing since 12:03:05, retrying every 30 s (POKERFACE_ERR_CAMERA_NOT_FOUND: /dev/video0: ...)" */
export function describeRecovery(what: string, r: Pick<CaptureRecovery, 'since' | 'retryEveryMs' | 'code' | 'message'>): string {
  const how = /NOT_FOUND/.test(r.code) ? 'missing' : 'failing';
  return `${what} ${how} since ${clockTime(r.since)}, retrying every ${humanMs(r.retryEveryMs)} (${r.code}: ${r.message})`;
}

/** HH:MM:SS in the booth's local time zone */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function humanMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}
