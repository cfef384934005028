// GET /api/metrics in Prometheus text format. Gauges read the services when scraped;
// counters follow the booth's results and the detector's timing hook while running.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Off } from '../types.js';
import { LoopLagSampler } from './loop-lag.js';
import { inferenceTimings, type StaffServices } from './services.js';
import { safe, type ProcessInfo } from './stats.js';

export class Metrics {
  readonly registry = new Registry();
  private readonly rounds: Counter<'outcome' | 'mode' | 'level'>;
  private readonly inferMs: Histogram;
  private readonly loopLag: LoopLagSampler;
  private offs: Off[] = [];

  constructor(
    private readonly svc: StaffServices,
    proc: ProcessInfo,
  ) {
    const r = [this.registry];
    const cam = (): ReturnType<NonNullable<StaffServices['frameSource']>['stats']> | undefined => safe(() => svc.frameSource?.stats());
    new Gauge({
      name: 'pokerface_camera_fps',
      help: 'camera frames per second',
      registers: r,
      collect() {
        this.set(cam()?.fps ?? 0);
      },
    });
    new Gauge({
      name: 'pokerface_camera_captured_frames',
      help: 'frames the camera source completed since the daemon started (delivered + dropped)',
      registers: r,
      collect() {
        this.set(cam()?.frames ?? 0);
      },
    });
    new Gauge({
      name: 'pokerface_camera_dropped_frames',
      help: 'camera frames dropped since the daemon started (latest-wins)',
      registers: r,
      collect() {
        this.set(cam()?.dropped ?? 0);
      },
    });
    new Gauge({
      name: 'pokerface_camera_reconnects',
      help: 'camera source restarts since the daemon started',
      registers: r,
      collect() {
        this.set(cam()?.reconnects ?? 0);
      },
    });
    new Gauge({
      name: 'pokerface_camera_up',
      help: '1 while the camera source is running',
      registers: r,
      collect() {
        this.set(cam()?.state === 'running' ? 1 : 0);
      },
    });
    this.inferMs = new Histogram({
      name: 'pokerface_inference_ms',
      help: 'inference time per frame in milliseconds',
      buckets: [2, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 35, 40, 50, 60, 75, 100, 150, 250, 500, 1000],
      registers: r,
    });
    new Gauge({
      name: 'pokerface_inference_quantile_ms',
      help: 'inference time quantiles reported by the detector',
      labelNames: ['quantile', 'provider'],
      registers: r,
      collect() {
        this.reset();
        const s = safe(() => svc.detector?.stats());
        if (!s) return;
        this.set({ quantile: '0.5', provider: s.provider }, s.msP50);
        this.set({ quantile: '0.95', provider: s.provider }, s.msP95);
        const p99 = (s as { msP99?: unknown }).msP99;
        if (typeof p99 === 'number') this.set({ quantile: '0.99', provider: s.provider }, p99);
      },
    });
    new Gauge({
      name: 'pokerface_inference_frames',
      help: 'frames the detector answered since the daemon started',
      registers: r,
      collect() {
        this.set(safe(() => svc.detector?.stats().frames) ?? 0);
      },
    });
    new Gauge({
      name: 'pokerface_inference_worker_restarts',
      help: 'inference workers replaced (crashed or timed out) since the daemon started',
      registers: r,
      collect() {
        this.set(safe(() => svc.detector?.stats().workerRestarts) ?? 0);
      },
    });
    // Where camera frames go: captured by the source, received by the booth, answered by
    // the detector, or replaced while inference was busy (latest wins, by design).
    new Gauge({
      name: 'pokerface_booth_frames',
      help: 'camera frames by what became of them in the booth (received, processed = detected and answered, dropped = replaced while inference was busy, errors)',
      labelNames: ['stage'],
      registers: r,
      collect() {
        this.reset();
        const b = safe(() => boothStats(svc.booth));
        if (!b) return;
        this.set({ stage: 'received' }, b.frames);
        this.set({ stage: 'processed' }, b.detected);
        this.set({ stage: 'dropped' }, b.dropped);
        this.set({ stage: 'errors' }, b.detectErrors);
      },
    });
    this.rounds = new Counter({
      name: 'pokerface_rounds_total',
      help: 'finished rounds by outcome',
      labelNames: ['outcome', 'mode', 'level'],
      registers: r,
    });
    new Gauge({
      name: 'pokerface_mqtt_queued_events',
      help: 'MQTT events waiting for the broker or its acknowledgement',
      registers: r,
      collect() {
        this.set(safe(() => svc.mqtt?.status().queued) ?? 0);
      },
    });
    new Gauge({
      name: 'pokerface_mqtt_dropped_events',
      help: 'MQTT events dropped because the queue was full',
      registers: r,
      collect() {
        this.set(safe(() => svc.mqtt?.status().dropped) ?? 0);
      },
    });
    new Gauge({
      name: 'pokerface_mqtt_connected',
      help: '1 while connected to the MQTT broker',
      registers: r,
      collect() {
        this.set(safe(() => svc.mqtt?.status().connected) ? 1 : 0);
      },
    });
    const lag = new Histogram({
      name: 'pokerface_event_loop_lag_ms',
      help: 'how late a 20 ms timer on the main thread fired, in milliseconds',
      buckets: [1, 2, 3, 5, 7.5, 10, 12.5, 15, 17.5, 20, 25, 30, 40, 50, 75, 100, 250, 500, 1000],
      registers: r,
    });
    this.loopLag = new LoopLagSampler((ms) => lag.observe(ms));
    new Gauge({
      name: 'pokerface_process_heap_used_bytes',
      help: 'V8 heap in use on the main thread (tells a JS leak from native growth in RSS)',
      registers: r,
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
    new Gauge({
      name: 'pokerface_process_external_bytes',
      help: 'memory of Buffers and ArrayBuffers outside the V8 heap (frames, sockets)',
      registers: r,
      collect() {
        this.set(process.memoryUsage().external);
      },
    });
    new Gauge({
      name: 'pokerface_process_rss_bytes',
      help: 'resident set size of the daemon',
      registers: r,
      collect() {
        this.set(proc.rssBytes());
      },
    });
  }

  start(): void {
    const booth = this.svc.booth;
    if (booth) {
      this.offs.push(booth.onResult((res) => this.rounds.inc({ outcome: res.outcome, mode: res.mode, level: String(res.level) })));
    }
    const t = inferenceTimings(this.svc.detector);
    if (t) this.offs.push(t.onInference((ms) => this.inferMs.observe(ms)));
    this.loopLag.start();
  }

  stop(): void {
    this.loopLag.stop();
    for (const off of this.offs.splice(0)) safe(off);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

interface BoothFrameStats {
  frames: number;
  detected: number;
  dropped: number;
  detectErrors: number;
}

/** The booth runner offers stats() beside BoothControl; read it only when it is there. */
function boothStats(b: unknown): BoothFrameStats | undefined {
  const f = (b as { stats?: unknown } | undefined)?.stats;
  if (typeof f !== 'function') return undefined;
  const s = (f as () => unknown).call(b) as Partial<BoothFrameStats> | undefined;
  if (!s || typeof s.frames !== 'number' || typeof s.detected !== 'number') return undefined;
  return { frames: s.frames, detected: s.detected, dropped: s.dropped ?? 0, detectErrors: s.detectErrors ?? 0 };
}
