// A FrameSource with no camera behind it, for other modules' tests and the demo without
// ffmpeg: frames on demand (emit) or at a steady rate, a camera that can "go away"
// (fail/recover) or crash (killBackend). It runs the real supervisor, so stats, health,
// restarts and the latest-wins hand-off behave exactly as with a real backend.
import { PokerfaceError, type ErrorCode } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { systemClock } from '../clock.js';
import type { CaptureStats, Clock, Frame, FrameSource, ModuleHealth, Off, PixelFormat } from '../types.js';
import { deferImmediate, deferSync } from './delivery.js';
import type { CaptureDriver, DriverSession, DriverSink } from './driver.js';
import { SupervisedSource, type CaptureStatsEx } from './supervisor.js';
import { systemTimers, type TimerHandle, type Timers } from '../timers.js';
import { frameBytes, type Rotation } from './transform.js';

export interface FakeFrameSourceOptions {
  width?: number;
  height?: number;
  format?: PixelFormat;
  /** > 0: emit frames on a timer at this rate; 0 (default): only emit() makes frames */
  fps?: number;
  /** deliver inside emit() instead of on the next event-loop turn (default: true when fps is 0) */
  sync?: boolean;
  clock?: Clock;
  timers?: Timers;
  log?: Logger;
  stallMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  mirror?: boolean;
  rotate?: Rotation;
  scaleWidth?: number;
}

export class FakeFrameSource implements FrameSource {
  private readonly inner: SupervisedSource;
  private readonly o: Required<Pick<FakeFrameSourceOptions, 'width' | 'height' | 'format' | 'fps'>> & { clock: Clock; timers: Timers };
  private sink: DriverSink | null = null;
  private image: Uint8Array | null = null;
  private readonly buf: Uint8Array;
  private failure: PokerfaceError | null = null;
  private n = 0;

  constructor(opts: FakeFrameSourceOptions = {}) {
    const width = opts.width ?? 64;
    const height = opts.height ?? 48;
    const format = opts.format ?? 'bgr24';
    const fps = opts.fps ?? 0;
    const clock = opts.clock ?? systemClock;
    const timers = opts.timers ?? systemTimers;
    this.o = { width, height, format, fps, clock, timers };
    this.buf = new Uint8Array(frameBytes(width, height, format));
    const driver: CaptureDriver = { name: 'fake', describe: `fake ${width}x${height} ${format}`, open: (sink) => this.open(sink) };
    this.inner = new SupervisedSource({
      driver,
      geometry: { width, height, format, mirror: opts.mirror ?? false, rotate: opts.rotate ?? 0, scaleWidth: opts.scaleWidth ?? 0 },
      clock,
      log: opts.log ?? silentLogger,
      stallMs: opts.stallMs ?? (fps > 0 ? 3000 : 600_000),
      backoffInitialMs: opts.backoffInitialMs ?? 50,
      backoffMaxMs: opts.backoffMaxMs ?? 1000,
      stderrLinesPerMinute: 30,
      timers,
      defer: (opts.sync ?? fps === 0) ? deferSync : deferImmediate,
    });
  }

  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  onFrame(cb: (f: Frame) => void): Off {
    return this.inner.onFrame(cb);
  }
  stats(): CaptureStats & CaptureStatsEx {
    return this.inner.stats();
  }
  health(): ModuleHealth {
    return this.inner.health();
  }
  restart(reason?: string): void {
    this.inner.restart(reason);
  }
  /** The fake camera "crashes": the supervisor restarts it after its backoff. */
  killBackend(): boolean {
    return this.inner.killBackend();
  }

  /** Pixels for the following frames (width*height*channels bytes); null: a moving test pattern. */
  setImage(data: Uint8Array | null): void {
    if (data && data.byteLength !== this.buf.byteLength) {
      throw new PokerfaceError('POKERFACE_ERR_FRAME_INVALID', `fake image has ${data.byteLength} bytes, expected ${this.buf.byteLength}`);
    }
    this.image = data;
  }

  /** Make one frame now. False when the source is not running (stopped, failed, restarting). */
  emit(): boolean {
    const sink = this.sink;
    if (!sink) return false;
    if (this.image) this.buf.set(this.image);
    else {
      const k = this.n++ & 255;
      for (let i = 0; i < this.buf.length; i++) this.buf[i] = (i + k) & 255;
    }
    sink.frame(this.buf, this.o.width, this.o.height);
    return true;
  }

  /** The camera goes away: the running session ends with this error and new ones fail until recover(). */
  fail(code: ErrorCode = 'POKERFACE_ERR_CAMERA_NOT_FOUND', message = 'fake camera unplugged'): void {
    this.failure = new PokerfaceError(code, message);
    const sink = this.sink;
    this.sink = null;
    sink?.end({ kind: 'failed', error: this.failure });
  }

  /** The camera is back; the next retry succeeds. */
  recover(): void {
    this.failure = null;
  }

  private open(sink: DriverSink): DriverSession {
    if (this.failure) throw this.failure;
    this.sink = sink;
    let timer: TimerHandle | null = null;
    let closed = false;
    const { fps, timers, clock } = this.o;
    if (fps > 0) {
      const period = 1000 / fps;
      let next = clock.now() + period;
      const tick = (): void => {
        if (closed || this.sink !== sink) return;
        this.emit();
        next += period;
        timer = timers.setTimeout(tick, Math.max(0, next - clock.now()));
      };
      timer = timers.setTimeout(tick, period);
    }
    const finish = (): void => {
      closed = true;
      if (timer !== null) timers.clearTimeout(timer);
      if (this.sink === sink) this.sink = null;
    };
    return {
      pid: null,
      close: async () => finish(),
      kill: () => {
        finish();
        sink.end({ kind: 'failed', error: new PokerfaceError('POKERFACE_ERR_CAMERA_EXITED', 'fake camera crashed') });
      },
    };
  }
}
