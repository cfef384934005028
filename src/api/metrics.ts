// GET /api/metrics in Prometheus text format, in base units (seconds, bytes), cumulative
// figures as counters ending in _total, latencies as histograms. Gauges and counters that
// mirror another module's figures read it when scraped; histograms and the round counters
// follow the booth's results and the detector's timing hook while running. Process and
// Node.js figures are prom-client's default metrics (process_*, nodejs_*).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Off } from '../types.js';
import { LoopLagSampler, type LoopLag } from './loop-lag.js';
import { inferenceTimings, type StaffServices } from './services.js';
import { boothFrameStats, droppedFrames, safe } from './stats.js';

export interface MetricsIdentity {
  version: string;
  boothId: string;
  /** the shared event-loop lag sampler (the staff console reads the same one); default: one of its own */
  loopLag?: LoopLag;
}

const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const PHASES = ['attract', 'select', 'countdown', 'playing', 'result'] as const;

/** A counter whose value is another module's running total, read at scrape time. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(Math.max(0, read() ?? 0));
    },
  });
}

export class Metrics {
  readonly registry = new Registry();
  private readonly rounds: Counter<'outcome' | 'mode' | 'level'>;
  private readonly timeToCrack: Histogram<'mode' | 'level'>;
  private readonly inferSeconds: Histogram;
  private readonly loopLag: LoopLag;
  private readonly lagSeconds: Histogram;
  private defaultsOn = false;
  private offs: Off[] = [];

  constructor(
    private readonly svc: StaffServices,
    id: MetricsIdentity,
  ) {
    const reg = this.registry;
    const r = [reg];
    const cam = (): ReturnType<NonNullable<StaffServices['frameSource']>['stats']> | undefined => safe(() => svc.frameSource?.stats());
    const det = (): ReturnType<NonNullable<StaffServices['detector']>['stats']> | undefined => safe(() => svc.detector?.stats());
    const mq = (): ReturnType<NonNullable<StaffServices['mqtt']>['status']> | undefined => safe(() => svc.mqtt?.status());

    new Gauge({
      name: 'pokerface_build_info',
      help: 'always 1; the labels say which pokerface version runs on which booth',
      labelNames: ['version', 'booth_id', 'node_version'],
      registers: r,
    }).set({ version: id.version, booth_id: id.boothId, node_version: process.versions.node }, 1);

    // camera
    new Gauge({
      name: 'pokerface_camera_fps',
      help: 'camera frames per second',
      registers: r,
      collect() {
        this.set(cam()?.fps ?? 0);
      },
    });
    mirroredCounter(reg, 'pokerface_camera_captured_frames_total', 'frames the camera source completed (delivered + dropped)', () => cam()?.frames);
    mirroredCounter(reg, 'pokerface_camera_dropped_frames_total', 'camera frames inference never took because a newer one replaced them first (latest wins)', () => {
      const c = cam();
      return c ? droppedFrames(svc, c.dropped) : undefined;
    });
    mirroredCounter(reg, 'pokerface_camera_reconnects_total', 'camera source restarts', () => cam()?.reconnects);
    new Gauge({
      name: 'pokerface_camera_up',
      help: '1 while the camera source is running',
      registers: r,
      collect() {
        this.set(cam()?.state === 'running' ? 1 : 0);
      },
    });

    // inference
    this.inferSeconds = new Histogram({
      name: 'pokerface_inference_seconds',
      help: 'inference time per frame',
      buckets: [0.002, 0.004, 0.006, 0.008, 0.01, 0.012, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.06, 0.075, 0.1, 0.15, 0.25, 0.5, 1],
      registers: r,
    });
    new Gauge({
      name: 'pokerface_inference_recent_seconds',
      help: "percentiles of the detector's last answers (stat = p50, p95, p99); for detectors without a per-frame timing hook",
      labelNames: ['stat'],
      registers: r,
      collect() {
        this.reset();
        const s = det();
        if (!s) return;
        this.set({ stat: 'p50' }, s.msP50 / 1000);
        this.set({ stat: 'p95' }, s.msP95 / 1000);
        const p99 = (s as { msP99?: unknown }).msP99;
        if (typeof p99 === 'number') this.set({ stat: 'p99' }, p99 / 1000);
      },
    });
    new Gauge({
      name: 'pokerface_inference_provider_info',
      help: 'always 1 for the execution provider in use (tensorrt, cuda, cpu)',
      labelNames: ['provider'],
      registers: r,
      collect() {
        this.reset();
        const s = det();
        if (s) this.set({ provider: s.provider }, 1);
      },
    });
    mirroredCounter(reg, 'pokerface_inference_frames_total', 'frames the detector answered', () => det()?.frames);
    mirroredCounter(reg, 'pokerface_inference_worker_restarts_total', 'inference workers replaced (crashed or timed out)', () => det()?.workerRestarts);

    // Where camera frames go: received by the booth, answered by the detector, or replaced
    // while inference was busy (latest wins, by design).
    new Counter({
      name: 'pokerface_booth_frames_total',
      help: 'camera frames by what became of them in the booth (received, processed = detected and answered, dropped = the same figure as pokerface_camera_dropped_frames_total, errors)',
      labelNames: ['stage'],
      registers: r,
      collect() {
        this.reset();
        const b = boothFrameStats(svc.booth);
        if (!b) return;
        this.inc({ stage: 'received' }, b.frames);
        this.inc({ stage: 'processed' }, b.detected);
        this.inc({ stage: 'dropped' }, b.dropped);
        this.inc({ stage: 'errors' }, b.detectErrors);
      },
    });

    // game
    this.rounds = new Counter({
      name: 'pokerface_rounds_total',
      help: 'finished rounds by mode, level and outcome (cracked, survived, aborted)',
      labelNames: ['mode', 'level', 'outcome'],
      registers: r,
    });
    this.timeToCrack = new Histogram({
      name: 'pokerface_time_to_crack_seconds',
      help: 'how long a player kept a straight face in rounds that ended cracked',
      labelNames: ['mode', 'level'],
      buckets: [1, 2, 3, 5, 8, 10, 15, 20, 30, 45, 60, 90, 120],
      registers: r,
    });
    new Gauge({
      name: 'pokerface_game_phase',
      help: '1 for the phase the booth is in (attract, select, countdown, playing, result), 0 for the others',
      labelNames: ['phase'],
      registers: r,
      collect() {
        this.reset();
        const phase = safe(() => svc.booth?.state().phase);
        if (phase === undefined) return;
        for (const p of PHASES) this.set({ phase: p }, p === phase ? 1 : 0);
      },
    });

    // MQTT
    new Gauge({
      name: 'pokerface_mqtt_queued_events',
      help: 'MQTT events waiting for the broker or its acknowledgement',
      registers: r,
      collect() {
        this.set(mq()?.queued ?? 0);
      },
    });
    mirroredCounter(reg, 'pokerface_mqtt_dropped_events_total', 'MQTT events dropped because the queue was full', () => mq()?.dropped);
    mirroredCounter(reg, 'pokerface_mqtt_reconnects_total', 'reconnections to the MQTT broker', () => mq()?.reconnects);
    new Gauge({
      name: 'pokerface_mqtt_connected',
      help: '1 while connected to the MQTT broker',
      registers: r,
      collect() {
        this.set(mq()?.connected ? 1 : 0);
      },
    });

    // main thread
    const lag = new Histogram({
      name: 'pokerface_event_loop_lag_seconds',
      help: 'how late a 20 ms timer on the main thread fired',
      buckets: [0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1],
      registers: r,
    });
    this.lagSeconds = lag;
    this.loopLag = id.loopLag ?? new LoopLagSampler();
  }

  start(): void {
    if (!this.defaultsOn) {
      // registers process_* and nodejs_* (and starts prom-client's event-loop monitor) once
      collectDefaultMetrics({ register: this.registry });
      // gauges named *_total (sums of the per-type series beside them) that promtool rejects
      for (const name of NON_COUNTER_TOTALS) this.registry.removeSingleMetric(name);
      this.defaultsOn = true;
    }
    const booth = this.svc.booth;
    if (booth) {
      this.offs.push(
        booth.onResult((res) => {
          const level = String(res.level);
          this.rounds.inc({ mode: res.mode, level, outcome: res.outcome });
          if (res.outcome === 'cracked') this.timeToCrack.observe({ mode: res.mode, level }, res.durationMs / 1000);
        }),
      );
    }
    const t = inferenceTimings(this.svc.detector);
    if (t) this.offs.push(t.onInference((ms) => this.inferSeconds.observe(ms / 1000)));
    this.offs.push(this.loopLag.onLag((ms) => this.lagSeconds.observe(ms / 1000)));
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
