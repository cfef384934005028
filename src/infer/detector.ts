// The Detector the booth uses: a host for the inference worker.
//
// Latest wins, nothing queues: at most one frame is in the worker and at most one waits
// (a LatestSlot of shared-memory frames). detect() puts the frame in shared memory and
// returns a promise. When a newer frame arrives while one is already waiting, the waiting
// one's promise rejects with POKERFACE_ERR_INFER_DROPPED and the newer frame takes its
// place. So a caller can simply call detect() for every camera frame and ignore DROPPED
// rejections: it always gets the freshest answer the hardware can give, and memory stays
// flat however slow inference is.
//
// Shared memory, and who owns it: the worker reads the pixels straight from a
// SharedArrayBuffer, so a frame has to be in one before it is posted. A frame in ordinary
// memory (a camera buffer, which its source refills with the next frame as soon as the
// callback returns) is copied into one of the detector's own shared buffers before
// detect() returns: that copy is the only one on its way to the worker. A frame whose
// pixels already lie in a SharedArrayBuffer at offset 0 is lent, not copied: it is
// posted as it is, and the caller must leave those bytes alone until the promise
// settles (the booth runner's frame slot, which copies each camera frame once into shared
// memory and keeps it until the answer, relies on this).
//
// A worker that crashes, or does not answer within model.workerTimeoutMs, is terminated
// and replaced (counted in stats().workerRestarts / timeouts); the frame it held rejects
// with POKERFACE_ERR_INFER_WORKER / POKERFACE_ERR_INFER_TIMEOUT.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { PokerfaceError, isPokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Detector, DetectorInfo, Face, Frame, InferStats, Lifecycle, ModuleHealth } from '../types.js';
import { LatestSlot } from '../latest-slot.js';
import { copyInto, sharedBytes } from '../shared-bytes.js';
import type { ModelConfig, PipelineResult } from './pipeline.js';
import { checkFrame, channels } from './preprocess.js';
import { RUN_IDLE, RUN_RETIRED, reviveError, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { providerSettings } from './providers.js';
import { systemTimers, type TimerHandle, type Timers } from '../timers.js';
import { Backoff } from '../backoff.js';
import { Listeners } from '../listeners.js';

export type { Timers };

export interface WorkerDetectorOptions {
  config: ModelConfig;
  log: Logger;
  clock?: Clock;
  timers?: Timers;
  /** worker entry (tests pass their own); default: ./worker.js (or .ts under vitest) */
  workerUrl?: URL;
  /** passed to the worker as workerData.test */
  workerTest?: unknown;
  /** how long a worker may take to load its models (TensorRT engine builds take minutes) */
  startTimeoutMs?: number;
  logLevel?: string;
}

interface Job {
  id: number;
  width: number;
  height: number;
  format: Frame['format'];
  byteLength: number;
  focus: [number, number, number, number] | null;
  sentAt: number;
  resolve(r: PipelineResult): void;
  reject(e: Error): void;
}

/** A frame on its way to the worker: the detector's own shared buffer, or a lent one. */
interface SharedFrame {
  /** the detector's own shared memory (see shared-bytes.ts), grown as frames need */
  own: Buffer;
  /** what is posted: the memory of `own`, or the caller's lent buffer */
  buf: SharedArrayBuffer;
  job: Job | null;
}

function newSharedFrame(): SharedFrame {
  const own = sharedBytes(0);
  return { own, buf: own.buffer as SharedArrayBuffer, job: null };
}

export function defaultWorkerUrl(): URL {
  const ts = import.meta.url.endsWith('.ts');
  return new URL(ts ? './worker.ts' : './worker.js', import.meta.url);
}

/**
 * Worker code that loads a TypeScript entry through tsx (tests and `tsx` runs from
 * source; compiled builds load worker.js directly). `--import tsx` in a worker's
 * execArgv does not register the loader on Node 20, so the worker registers it itself.
 */
function tsBootstrap(entry: URL): string {
  // the ESM build of tsx's API (its exports map: "./esm/api" -> import -> dist/esm/api/index.mjs)
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = pathToFileURL(join(dirname(pkg), 'dist/esm/api/index.mjs')).href;
  return `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry.href)}); })`;
}

/** While the detector replaces a worker by itself (a daemon restart would not help). */
export interface InferRecovery {
  /** wall-clock epoch ms since inference stopped answering (the worker was given up on) */
  since: number;
  /** the delay before the next attempt to start a worker (0 while one loads) */
  retryEveryMs: number;
  restarts: number;
  message: string;
  /** how far the next step (the respawn timer, or the load timeout of the worker loading) is overdue */
  overdueMs: number;
}

const LATENCY_WINDOW = 256;
/** what the reused frame message holds between frames (it keeps no frame's memory alive) */
const EMPTY_BUF = new SharedArrayBuffer(0);
const facesOf = (r: PipelineResult): Face[] => r.faces;
const MAX_RESPAWN_DELAY_MS = 30_000;
/** how long close() waits for a worker to release its sessions before terminating it */
const CLOSE_WAIT_MS = 1000;

export class WorkerDetector implements Detector, Lifecycle {
  readonly name = 'detector';
  private worker: Worker | null = null;
  private ready = false;
  private closed = false;
  private inflight: Job | null = null;
  /** frames waiting for (and in) the worker: at most one of each */
  private readonly queue = new LatestSlot<SharedFrame>(newSharedFrame);
  private timer: unknown = null;
  private respawnTimer: unknown = null;
  /** a replacement that fails to start is retried after 1 s, 2 s, 4 s ... up to 30 s */
  private readonly respawnBackoff = new Backoff({ initialMs: 1000, maxMs: MAX_RESPAWN_DELAY_MS });
  private respawnAt: number | null = null;
  private loadDeadline: number | null = null;
  /** wall epoch ms the running worker was given up on; null while inference answers */
  private downSince: number | null = null;
  /** workers given up on while inside a native run (they cannot be terminated): when, by worker */
  private readonly abandoned = new Map<Worker, number>();
  /** rejects the start() / respawn in progress (close() during a model load) */
  private abortStart: (() => void) | null = null;
  private nextId = 1;
  private readonly runFlags = new WeakMap<Worker, Int32Array>();
  private detectorInfo: DetectorInfo | null = null;
  private frames = 0;
  private restarts = 0;
  private timeouts = 0;
  private lastAnswer: number | null = null;
  /** mono ms the worker now running became ready */
  private readySince: number | null = null;
  private lastError: string | null = null;
  private readonly latencies = new Float64Array(LATENCY_WINDOW);
  private latencyCount = 0;
  private readonly inferenceListeners: Listeners<number>;
  private readonly frameMsg: Extract<ToWorker, { type: 'frame' }> = { type: 'frame', id: 0, buf: EMPTY_BUF, byteLength: 0, width: 0, height: 0, format: 'rgb24', focus: null };

  constructor(private readonly opts: WorkerDetectorOptions) {
    this.inferenceListeners = new Listeners(opts.log, 'inference');
  }

  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }
  private get timers(): Timers {
    return this.opts.timers ?? systemTimers;
  }

  async start(): Promise<void> {
    if (this.worker || this.closed) throw new Error('detector already started or closed');
    const trt = this.opts.config.providers.some((p) => providerSettings(p).name === 'tensorrt');
    await this.spawn(this.opts.startTimeoutMs ?? (trt ? 20 * 60_000 : 60_000));
  }

  /** Start a worker and wait for it to load its models. */
  private spawn(timeoutMs: number): Promise<void> {
    const url = this.opts.workerUrl ?? defaultWorkerUrl();
    const runFlag = new SharedArrayBuffer(4);
    const data: WorkerInit = {
      config: this.opts.config,
      runFlag,
      logLevel: this.opts.logLevel ?? this.opts.log.level ?? 'info',
      ...(this.opts.workerTest === undefined ? {} : { test: this.opts.workerTest }),
    };
    const w = url.pathname.endsWith('.ts') ? new Worker(tsBootstrap(url), { eval: true, workerData: data }) : new Worker(url, { workerData: data });
    this.runFlags.set(w, new Int32Array(runFlag));
    this.worker = w;
    this.ready = false;
    this.loadDeadline = this.clock.now() + timeoutMs;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        this.abortStart = null;
        this.timers.clearTimeout(startTimer);
        if (err) reject(err);
        else resolve();
      };
      this.abortStart = (): void => settle(new PokerfaceError('POKERFACE_ERR_INFER_CLOSED', 'closed while the models were loading'));
      const startTimer = this.timers.setTimeout(() => {
        settle(new PokerfaceError('POKERFACE_ERR_INFER_TIMEOUT', `worker did not load its models within ${timeoutMs} ms`));
        this.retire(w);
      }, timeoutMs);
      w.on('message', (m: FromWorker) => {
        if (w !== this.worker) return;
        if (m.type === 'log') return this.relayLog(m.line);
        if (m.type === 'ready') {
          this.ready = true;
          this.readySince = this.clock.now();
          this.loadDeadline = null;
          this.downSince = null;
          this.detectorInfo = m.info;
          this.respawnBackoff.reset();
          settle(null);
          this.pump();
          return;
        }
        if (m.type === 'failed') {
          const err = reviveError(m.code, m.message);
          this.lastError = err.message;
          this.retire(w);
          settle(err);
          return;
        }
        this.onAnswer(m);
      });
      // @types/node 24 types the worker's 'error' argument as any: a thrown value need not be an Error.
      w.on('error', (thrown: unknown) => {
        if (w !== this.worker) return;
        const e = thrown instanceof Error ? thrown : new Error(String(thrown));
        this.lastError = e.message;
        this.opts.log.error({ err: e.message }, 'inference worker crashed');
        settle(new PokerfaceError('POKERFACE_ERR_INFER_WORKER', e.message));
        this.replace(new PokerfaceError('POKERFACE_ERR_INFER_WORKER', e.message));
      });
      w.on('exit', (code) => {
        if (w !== this.worker) return;
        const err = new PokerfaceError('POKERFACE_ERR_INFER_WORKER', `worker exited with code ${code}`);
        this.lastError = err.message;
        this.opts.log.error({ code }, 'inference worker exited');
        settle(err);
        this.replace(err);
      });
    });
  }

  private relayLog(line: string): void {
    try {
      const { level, msg, ...rest } = JSON.parse(line) as { level: number; msg?: string };
      const name = level >= 50 ? 'error' : level >= 40 ? 'warn' : level >= 30 ? 'info' : 'debug';
      this.opts.log[name]({ ...rest, worker: true }, msg ?? '');
    } catch {
      this.opts.log.info({ worker: true }, line);
    }
  }

  /** Stop listening to a worker and terminate it. */
  private retire(w: Worker): void {
    if (this.worker === w) {
      this.worker = null;
      this.ready = false;
    }
    w.removeAllListeners('message');
    void this.endWorker(w);
  }

  /**
   * terminate() aborts the whole process when the worker is inside onnxruntime's native
   * session.run (see RUN_IDLE in protocol.ts), so only an idle worker (or one stuck in
   * JavaScript) is terminated; a busy one is marked retired and exits by itself once its
   * frame is done. A worker stuck inside native code cannot be stopped in-process at all:
   * it is abandoned, and its replacement carries on.
   */
  private endWorker(w: Worker): Promise<void> {
    const flag = this.runFlags.get(w);
    if (flag && Atomics.exchange(flag, 0, RUN_RETIRED) !== RUN_IDLE) {
      // busy in a native run: it leaves by itself when the run returns; if it never does,
      // the notifier withholds the watchdog (only a process restart frees that thread)
      this.abandoned.set(w, this.clock.now());
      w.once('exit', () => this.abandoned.delete(w));
      return Promise.resolve();
    }
    return w.terminate().then(
      () => undefined,
      () => undefined,
    );
  }

  /** Fail the frame in the worker, drop the worker and start a new one. */
  private replace(err: PokerfaceError): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const job = this.inflight;
    this.inflight = null;
    this.queue.release();
    job?.reject(err);
    if (this.worker) this.retire(this.worker);
    if (this.closed || !this.detectorInfo) return; // never started: start() reports it
    this.restarts++;
    this.downSince ??= this.clock.wall();
    this.scheduleRespawn(0);
  }

  /** the wait reported while a respawn is pending: the backoff's last step, 500 ms before any (the first respawn, right after a crash, is immediate) */
  private respawnDelay(): number {
    return this.respawnBackoff.last || 500;
  }

  private scheduleRespawn(delay: number): void {
    if (this.closed || this.respawnTimer !== null) return;
    this.respawnAt = this.clock.now() + delay;
    this.respawnTimer = this.timers.setTimeout(() => {
      this.respawnTimer = null;
      this.respawnAt = null;
      if (this.closed) return;
      this.opts.log.warn({ restarts: this.restarts }, 'starting a new inference worker');
      this.spawn(this.opts.startTimeoutMs ?? 60_000).catch((e: unknown) => {
        if (this.closed) return;
        this.opts.log.error({ err: (e as Error).message }, 'replacement inference worker failed to start');
        this.scheduleRespawn(this.respawnBackoff.next());
      });
    }, delay);
  }

  private onAnswer(m: Extract<FromWorker, { type: 'result' | 'error' }>): void {
    const job = this.inflight;
    if (!job || job.id !== m.id) return; // a late answer for a frame already given up on
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.inflight = null;
    this.queue.release();
    const now = this.clock.now();
    this.lastAnswer = now;
    if (m.type === 'result') {
      this.frames++;
      const ms = now - job.sentAt;
      this.latencies[this.latencyCount++ % LATENCY_WINDOW] = ms;
      this.inferenceListeners.emit(ms);
      job.resolve({ faces: m.faces, timings: m.timings });
    } else {
      job.reject(reviveError(m.code, m.message));
    }
    this.pump();
  }

  /** Send the waiting frame if the worker is free. */
  private pump(): void {
    if (!this.ready || this.inflight || !this.queue.waiting || !this.worker) return;
    const item = this.queue.take() as SharedFrame;
    const job = item.job as Job;
    item.job = null;
    this.inflight = job;
    job.sentAt = this.clock.now();
    // one message object, refilled: postMessage copies it before it returns
    const msg = this.frameMsg;
    msg.id = job.id;
    msg.buf = item.buf;
    msg.byteLength = job.byteLength;
    msg.width = job.width;
    msg.height = job.height;
    msg.format = job.format;
    msg.focus = job.focus;
    this.worker.postMessage(msg);
    msg.buf = EMPTY_BUF;
    msg.focus = null;
    const timeoutMs = this.opts.config.workerTimeoutMs;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.timeouts++;
      this.opts.log.error({ timeoutMs }, 'inference worker did not answer in time; replacing it');
      this.replace(new PokerfaceError('POKERFACE_ERR_INFER_TIMEOUT', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  }

  detect(f: Frame, focus: readonly [number, number, number, number] | null = null): Promise<Face[]> {
    return this.detectTimed(f, focus).then(facesOf);
  }

  /** detect() with the per-stage timings measured in the worker. */
  detectTimed(f: Frame, focus: readonly [number, number, number, number] | null = null): Promise<PipelineResult> {
    if (this.closed) return Promise.reject(new PokerfaceError('POKERFACE_ERR_INFER_CLOSED'));
    try {
      checkFrame(f);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const byteLength = f.width * f.height * channels(f.format);
    // never the frame in the worker, nor the one waiting (it may still win)
    const item = this.queue.claim();
    const lent = f.data.buffer;
    if (lent instanceof SharedArrayBuffer && f.data.byteOffset === 0) {
      item.buf = lent;
    } else {
      if (item.own.byteLength < byteLength) item.own = sharedBytes(byteLength);
      copyInto(item.own, f.data, byteLength);
      item.buf = item.own.buffer as SharedArrayBuffer;
    }
    return new Promise<PipelineResult>((resolve, reject) => {
      // copied: the caller may reuse its tuple for the next frame before this one is sent
      const box: [number, number, number, number] | null = focus ? [focus[0], focus[1], focus[2], focus[3]] : null;
      item.job = { id: this.nextId++, width: f.width, height: f.height, format: f.format, byteLength, focus: box, sentAt: 0, resolve, reject };
      const replaced = this.queue.publish();
      if (replaced) {
        const old = replaced.job;
        replaced.job = null;
        old?.reject(new PokerfaceError('POKERFACE_ERR_INFER_DROPPED'));
      }
      this.pump();
    });
  }

  /** Every answered frame's round-trip time (ms), for the metrics histogram. */
  onInference(cb: (ms: number) => void): () => void {
    return this.inferenceListeners.add(cb);
  }

  info(): DetectorInfo {
    return this.detectorInfo ?? { kind: this.opts.config.kind, provider: 'none', fallbacks: [], models: [] };
  }

  stats(): InferStats {
    const n = Math.min(this.latencyCount, LATENCY_WINDOW);
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
    const pct = (p: number): number => (n === 0 ? 0 : (sorted[Math.min(n - 1, Math.floor(p * n))] as number));
    const now = this.clock.now();
    const stuck = this.inflight !== null && now - this.inflight.sentAt > this.opts.config.workerTimeoutMs;
    return {
      provider: this.detectorInfo?.provider ?? 'none',
      frames: this.frames,
      msP50: pct(0.5),
      msP95: pct(0.95),
      msP99: pct(0.99),
      workerRestarts: this.restarts,
      timeouts: this.timeouts,
      lastAnswerAgeMs: this.lastAnswer === null ? null : now - this.lastAnswer,
      healthy: !this.closed && this.ready && !stuck,
    };
  }

  /**
   * True while a worker is loading its models (at start, or replacing a failed one): the
   * systemd notifier sends EXTEND_TIMEOUT meanwhile, since a first TensorRT engine build
   * takes minutes.
   */
  isLoading(): boolean {
    return !this.closed && this.worker !== null && !this.ready;
  }

  /**
   * Non-null while the detector is replacing a worker by itself (waiting out a respawn
   * backoff, or a replacement loading its models): the notifier keeps the systemd
   * watchdog fed then and reports this instead.
   */
  recovery(): InferRecovery | null {
    if (this.closed || !this.detectorInfo || this.ready) return null;
    const loading = this.worker !== null;
    if (!loading && this.respawnTimer === null) return null;
    const now = this.clock.now();
    const due = loading ? this.loadDeadline : this.respawnAt;
    return {
      since: this.downSince ?? this.clock.wall(),
      retryEveryMs: loading ? 0 : this.respawnDelay(),
      restarts: this.restarts,
      message: loading ? `a new inference worker is loading its models${this.lastError ? ` (after: ${this.lastError})` : ''}` : `waiting to start a new inference worker${this.lastError ? ` (last error: ${this.lastError})` : ''}`,
      overdueMs: due === null ? 0 : Math.max(0, Math.round(now - due)),
    };
  }

  /**
   * ms inference has been silent, counted from the later of its last answer and the
   * current worker becoming ready (a fresh replacement has not had a frame yet); null
   * before the first answer of the first worker.
   */
  silentMs(): number | null {
    if (this.lastAnswer === null) return null;
    return Math.round(this.clock.now() - Math.max(this.lastAnswer, this.readySince ?? this.lastAnswer));
  }

  /** ms the oldest worker given up on inside a native run has been left running; 0 when none. */
  abandonedForMs(): number {
    let oldest: number | null = null;
    for (const at of this.abandoned.values()) oldest = oldest === null ? at : Math.min(oldest, at);
    return oldest === null ? 0 : Math.round(this.clock.now() - oldest);
  }

  /**
   * Test seam, for fault tests only: the live worker thread, so a test can post it a
   * `debug` message (a hang or a crash; see protocol.ts). Null while none runs.
   */
  debugWorker(): Worker | null {
    return this.worker;
  }

  /** Frames replaced by a newer one before inference got to them. */
  droppedFrames(): number {
    return this.queue.dropped;
  }

  health(): ModuleHealth {
    const s = this.stats();
    const reasons: string[] = [];
    if (this.closed) reasons.push('detector closed');
    else if (!this.ready) reasons.push(`inference worker not ready${this.lastError ? `: ${this.lastError}` : ''}`);
    else if (!s.healthy) reasons.push('inference worker is not answering');
    // 'inference', the component name staff see in /api/health (not the module name)
    return { name: 'inference', healthy: reasons.length === 0, reasons };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    if (this.respawnTimer !== null) this.timers.clearTimeout(this.respawnTimer);
    this.timer = null;
    this.respawnTimer = null;
    this.abortStart?.();
    const closedErr = (): PokerfaceError => new PokerfaceError('POKERFACE_ERR_INFER_CLOSED');
    const waiting = this.queue.clear();
    const job = waiting?.job ?? null;
    if (waiting) waiting.job = null;
    job?.reject(closedErr());
    this.inflight?.reject(closedErr());
    this.inflight = null;
    this.queue.release();
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    if (!w) return;
    w.removeAllListeners('message');
    // ask for a clean close (sessions released), but do not wait long for a stuck worker
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.postMessage({ type: 'close' } satisfies ToWorker);
    let t: TimerHandle | null = null;
    await Promise.race([exited, new Promise<void>((r) => (t = this.timers.setTimeout(r, CLOSE_WAIT_MS)))]);
    this.timers.clearTimeout(t);
    await this.endWorker(w);
  }

  stop(): Promise<void> {
    return this.close();
  }
}

export function isDropped(e: unknown): boolean {
  return isPokerfaceError(e, 'POKERFACE_ERR_INFER_DROPPED');
}
