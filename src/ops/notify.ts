// The sd_notify protocol (systemd Type=notify): READY=1 once the booth is up, WATCHDOG=1
// only while the pipeline really works (frames flow and inference answers), STATUS=
// lines people see in `systemctl status`, EXTEND_TIMEOUT_USEC= while a TensorRT engine
// is built, STOPPING=1 on shutdown. The transport is injected (notify-socket.ts).
import type { Logger } from '../log.js';
import type { CaptureStats, Clock, GameState, InferStats, ModuleHealth } from '../types.js';
import type { NotifyTransport } from './notify-socket.js';
import { systemTimers, type IntervalTimers } from '../timers.js';
import { clockTime, describeRecovery, humanMs, type CaptureRecovery } from '../capture/supervisor.js';
import type { InferRecovery } from '../infer/detector.js';

/** What the notifier reads from the running booth; each may be absent (module off). */
export interface NotifierSources {
  frameSource?: { stats(): Pick<CaptureStats, 'lastFrameAgeMs' | 'fps'>; recovery?(): CaptureRecovery | null } | undefined;
  detector?:
    | {
        stats(): Pick<InferStats, 'lastAnswerAgeMs' | 'provider' | 'msP50'>;
        isLoading?(): boolean;
        recovery?(): InferRecovery | null;
        silentMs?(): number | null;
        abandonedForMs?(): number;
      }
    | undefined;
  booth?: { state(): Pick<GameState, 'phase'> } | undefined;
}

export type Timers = IntervalTimers;

export interface NotifierOptions {
  /** null: not under systemd; every call is a no-op */
  transport: NotifyTransport | null;
  clock: Clock;
  log: Logger;
  /** the watchdog interval systemd asked for (WATCHDOG_USEC in ms), null when none */
  watchdogMs: number | null;
  frameMaxAgeMs: number;
  inferMaxAgeMs: number;
  /** read on every tick, so modules created after the notifier are seen */
  sources: () => NotifierSources;
  /** STATUS= refresh when there is no watchdog (default 10 s) */
  statusEveryMs?: number;
  /** while the detector loads (TensorRT engine build), ask for this much more time every loadingCheckMs (default 30 s / 5 s) */
  loadingExtendMs?: number;
  loadingCheckMs?: number;
  timers?: Timers;
}

export interface PipelineCheck {
  /** false: a restart can help, pings are withheld (reasons say why) */
  ok: boolean;
  reasons: string[];
  /**
   * Faults a part is healing by itself (a camera retried with backoff, an inference worker
   * being replaced): pings go on, since a restart would not help, and these are reported.
   */
  recovering: string[];
}

/** What other modules may call (services.notifier). */
export interface NotifierService {
  /** tell systemd a slow step (TensorRT engine build) needs this much more time; also suspends the inference check for as long */
  extendTimeout(ms: number): void;
  /** free-form STATUS= line, e.g. "building TensorRT engine" */
  status(text: string): void;
  check(): PipelineCheck;
}

export class Notifier implements NotifierService {
  private timer: unknown = null;
  private loadingTimer: unknown = null;
  private readyAt: number | null = null;
  private inferGraceUntil = Number.NEGATIVE_INFINITY;
  /** mono ms the camera was last seen down (retrying, or no fresh frame) */
  private cameraDownAt: number | null = null;
  private last: PipelineCheck = { ok: true, reasons: [], recovering: [] };
  private withheld = false;
  private pings = 0;
  private sendErrors = 0;
  private lastSendError: string | null = null;
  private stopped = false;

  constructor(private readonly opts: NotifierOptions) {}

  get enabled(): boolean {
    return this.opts.transport !== null;
  }

  get watchdogPings(): number {
    return this.pings;
  }

  /**
   * While the detector reports isLoading() (a worker building a TensorRT engine, at start
   * or when a replaced worker rebuilds), keep extending systemd's timeout and suspend the
   * inference check, so neither the start timeout nor the watchdog fires mid-build.
   */
  watchLoading(): void {
    if (!this.opts.transport || this.loadingTimer !== null || this.stopped) return;
    const timers = this.opts.timers ?? systemTimers;
    this.loadingTimer = timers.setInterval(() => this.checkLoading(), this.opts.loadingCheckMs ?? 5000);
    this.checkLoading();
  }

  private checkLoading(): void {
    // after READY a replacement worker loading is a recovery check() sees; the extra
    // grace would outlive the load and hide a worker that hangs right after it
    if (this.readyAt !== null) return;
    const det = this.opts.sources().detector;
    if (!det?.isLoading?.()) return;
    this.extendTimeout(this.opts.loadingExtendMs ?? 30_000);
    if (this.readyAt === null) this.status('loading models (TensorRT engines are built on the first start)');
  }

  /** READY=1 and start the watchdog / status ticker. Call when everything else is up. */
  ready(): void {
    if (!this.opts.transport || this.readyAt !== null || this.stopped) return;
    this.readyAt = this.opts.clock.now();
    this.send(`READY=1\nSTATUS=${this.statusLine(this.check())}`);
    const wd = this.opts.watchdogMs;
    // Half the interval, as sd_watchdog_enabled(3) advises: one late tick is not fatal.
    const every = wd !== null ? Math.max(10, Math.floor(wd / 2)) : (this.opts.statusEveryMs ?? 10_000);
    const timers = this.opts.timers ?? systemTimers;
    this.timer = timers.setInterval(() => this.tick(), every);
    this.tick();
    this.watchLoading();
  }

  /** One watchdog/status round; public so tests and a manual clock can drive it. */
  tick(): void {
    if (!this.opts.transport || this.stopped) return;
    const c = this.check();
    if (c.recovering.length > 0 && this.last.recovering.length === 0) {
      this.opts.log.warn({ recovering: c.recovering }, 'a part is retrying by itself: watchdog pings go on (a restart would not help)');
    }
    this.last = c;
    const status = `STATUS=${this.statusLine(c)}`;
    if (this.opts.watchdogMs === null) {
      this.send(status);
      return;
    }
    if (c.ok) {
      if (this.withheld) this.opts.log.info('pipeline healthy again: watchdog pings resume');
      this.withheld = false;
      this.pings++;
      this.send(`WATCHDOG=1\n${status}`);
    } else {
      if (!this.withheld) this.opts.log.warn({ reasons: c.reasons }, 'pipeline stuck: watchdog pings withheld, systemd will restart the daemon if this lasts');
      this.withheld = true;
      this.send(status);
    }
  }

  check(): PipelineCheck {
    const reasons: string[] = [];
    const recovering: string[] = [];
    const { frameSource, detector } = this.opts.sources();
    const now = this.opts.clock.now();
    // Right after start the first frame or answer may still be on its way: a null age
    // counts as stuck only once the allowed age has passed since READY.
    const sinceReady = this.readyAt === null ? 0 : now - this.readyAt;
    let cameraDown = false;
    if (frameSource) {
      const rec = frameSource.recovery?.() ?? null;
      if (rec && rec.overdueMs < overdueLimit(this.opts.frameMaxAgeMs)) recovering.push(describeRecovery('camera', rec));
      else if (rec) reasons.push(`camera retry overdue by ${rec.overdueMs} ms`);
      const age = frameSource.stats().lastFrameAgeMs;
      cameraDown = rec !== null || (age === null && sinceReady > 0) || (age !== null && age >= this.opts.frameMaxAgeMs);
      if (!rec) {
        if (age === null) {
          if (sinceReady >= this.opts.frameMaxAgeMs) reasons.push('no camera frame yet');
        } else if (age >= this.opts.frameMaxAgeMs) reasons.push(`no camera frame for ${Math.round(age)} ms`);
      }
    }
    // Without frames inference has nothing to answer: its silence counts only from the
    // moment frames flow again (or it would stop the pings for a camera being retried).
    if (cameraDown) this.cameraDownAt = now;
    if (detector && now >= this.inferGraceUntil) {
      const rec = detector.recovery?.() ?? null;
      if (rec && rec.overdueMs < overdueLimit(this.opts.inferMaxAgeMs)) {
        const every = rec.retryEveryMs > 0 ? `, retrying every ${humanMs(rec.retryEveryMs)}` : '';
        recovering.push(`inference down since ${clockTime(rec.since)}${every}: ${rec.message}`);
      } else if (rec) reasons.push(`inference worker replacement overdue by ${rec.overdueMs} ms`);
      else if (!cameraDown) {
        const raw = detector.silentMs ? detector.silentMs() : detector.stats().lastAnswerAgeMs;
        const age = raw === null || this.cameraDownAt === null ? raw : Math.min(raw, now - this.cameraDownAt);
        const since = this.cameraDownAt === null ? sinceReady : Math.min(sinceReady, now - this.cameraDownAt);
        if (age === null) {
          if (since >= this.opts.inferMaxAgeMs) reasons.push('inference has not answered yet');
        } else if (age >= this.opts.inferMaxAgeMs) reasons.push(`inference silent for ${Math.round(age)} ms`);
      }
      const abandoned = detector.abandonedForMs?.() ?? 0;
      if (abandoned >= this.opts.inferMaxAgeMs) reasons.push(`an inference worker stuck in native code for ${abandoned} ms (only a restart frees it)`);
    }
    return { ok: reasons.length === 0, reasons, recovering };
  }

  /** What parts are healing by themselves now (for health, MQTT, the console). */
  recovering(): string[] {
    return this.check().recovering;
  }

  extendTimeout(ms: number): void {
    const extra = Math.max(0, Math.round(ms));
    this.inferGraceUntil = Math.max(this.inferGraceUntil, this.opts.clock.now() + extra);
    this.send(`EXTEND_TIMEOUT_USEC=${extra * 1000}`);
  }

  status(text: string): void {
    this.send(`STATUS=${oneLine(text)}`);
  }

  /** STOPPING=1 and stop the ticker; sends nothing after. */
  stopping(): void {
    if (this.stopped) return;
    this.clearTimer();
    if (this.opts.transport) this.send('STOPPING=1\nSTATUS=stopping');
    this.stopped = true;
  }

  /** Stop the ticker without telling systemd anything (used when start fails). */
  halt(): void {
    this.clearTimer();
    this.stopped = true;
  }

  /** Stop the ticker and release the socket (after stopping(), or instead of it). */
  close(): void {
    this.halt();
    this.opts.transport?.close();
  }

  health(): ModuleHealth {
    const reasons = this.withheld ? this.last.reasons.map((r) => `watchdog withheld: ${r}`) : [];
    if (this.lastSendError) reasons.push(`notify socket: ${this.lastSendError}`);
    return { name: 'notifier', healthy: reasons.length === 0, reasons };
  }

  private statusLine(c: PipelineCheck): string {
    const { frameSource, detector, booth } = this.opts.sources();
    const parts: string[] = [];
    if (booth) parts.push(`phase ${booth.state().phase}`);
    if (frameSource) parts.push(`${frameSource.stats().fps.toFixed(1)} fps`);
    if (detector) {
      const s = detector.stats();
      parts.push(`${s.provider} ${s.msP50.toFixed(1)} ms`);
    }
    if (!c.ok) parts.push(`STUCK: ${c.reasons.join('; ')}`);
    if (c.recovering.length > 0) parts.push(`RECOVERING: ${c.recovering.join('; ')}`);
    return oneLine(parts.length > 0 ? parts.join(', ') : 'running');
  }

  private clearTimer(): void {
    const timers = this.opts.timers ?? systemTimers;
    if (this.timer !== null) timers.clearInterval(this.timer);
    if (this.loadingTimer !== null) timers.clearInterval(this.loadingTimer);
    this.timer = null;
    this.loadingTimer = null;
  }

  private send(message: string): void {
    const t = this.opts.transport;
    if (!t || this.stopped) return;
    t.send(message).then(
      () => {
        this.lastSendError = null;
      },
      (e: unknown) => {
        this.sendErrors++;
        const msg = (e as Error).message;
        if (this.lastSendError !== msg) this.opts.log.warn({ err: e, errors: this.sendErrors }, 'sd_notify send failed');
        this.lastSendError = msg;
      },
    );
  }
}

/**
 * How late a retry may be before it counts as wedged (a lost timer). Timers run late on
 * a loaded machine, and a stalled event loop stops the pings by itself anyway, so this
 * only has to catch a retry that will never come.
 */
function overdueLimit(maxAgeMs: number): number {
  return Math.max(10_000, maxAgeMs);
}

/** STATUS= is one line: a newline would start a new assignment. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').slice(0, 400);
}

/** NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID as sd_notify(3)/sd_watchdog_enabled(3) define them. */
export function notifyEnv(env: NodeJS.ProcessEnv, pid: number): { socket: string | null; watchdogMs: number | null } {
  const socket = env.NOTIFY_SOCKET && env.NOTIFY_SOCKET.length > 0 ? env.NOTIFY_SOCKET : null;
  let watchdogMs: number | null = null;
  const usec = env.WATCHDOG_USEC ? Number(env.WATCHDOG_USEC) : NaN;
  const forPid = env.WATCHDOG_PID ? Number(env.WATCHDOG_PID) : pid;
  if (Number.isFinite(usec) && usec > 0 && forPid === pid) watchdogMs = usec / 1000;
  return { socket, watchdogMs };
}
