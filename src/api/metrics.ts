// GET /api/metrics in Prometheus text format. Gauges read the services when scraped;
// counters follow the booth's results and the detector's timing hook while running.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Off } from '../types.js';
import { inferenceTimings, type StaffServices } from './services.js';
import { safe, type ProcessInfo } from './stats.js';

export class Metrics {
  readonly registry = new Registry();
  private readonly rounds: Counter<'outcome' | 'mode' | 'level'>;
  private readonly inferMs: Histogram;
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
      buckets: [2, 5, 10, 20, 35, 50, 75, 100, 150, 250, 500, 1000],
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
  }

  stop(): void {
    for (const off of this.offs.splice(0)) safe(off);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
