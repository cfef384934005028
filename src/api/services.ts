// The services the staff interfaces read. Each is optional: a module that is absent (or
// switched off) simply reads as "not running".
import type { BoothControl, Detector, FrameSource, ModuleHealth, Player, ResultsStore } from '../types.js';

/** What services.mqtt offers the REST API and metrics. */
export interface MqttStatus {
  connected: boolean;
  queued: number;
  dropped: number;
  reconnects: number;
}

export interface StaffServices {
  booth?: BoothControl | undefined;
  frameSource?: Pick<FrameSource, 'onFrame' | 'stats'> | undefined;
  detector?: (Pick<Detector, 'info' | 'stats'> & Partial<InferenceTimings>) | undefined;
  player?: Pick<Player, 'stats'> | undefined;
  results?: Pick<ResultsStore, 'recent' | 'totals'> | undefined;
  mqtt?: { status(): MqttStatus; health(): ModuleHealth } | undefined;
  daemon?: { health(): ModuleHealth[] } | undefined;
  media?: StaffMedia | undefined;
}

/** What the staff console reads of the media library (services.media). */
export interface StaffMedia {
  /** absolute media folder */
  readonly root: string;
  summary(): { total: number; empty: string[]; skipped: Array<{ file: string; reason: string }> };
  clips(): Array<{ folder: string; clip: { file: string; name: string; durationMs: number } }>;
}

/** An optional per-inference timing hook a detector may offer. */
export interface InferenceTimings {
  onInference(cb: (ms: number) => void): () => void;
}

/** A live, read-only view: a service registered after the view was made is still seen. */
export function staffServices(services: Readonly<StaffServices>): StaffServices {
  return {
    get booth() {
      return services.booth;
    },
    get frameSource() {
      return services.frameSource;
    },
    get detector() {
      return services.detector;
    },
    get player() {
      return services.player;
    },
    get results() {
      return services.results;
    },
    get mqtt() {
      return services.mqtt;
    },
    get daemon() {
      return services.daemon;
    },
    get media() {
      return services.media;
    },
  };
}

/** The detector's per-inference timing hook, when it has one. */
export function inferenceTimings(d: StaffServices['detector']): InferenceTimings | undefined {
  const on = d?.onInference;
  return on ? { onInference: (cb) => on.call(d, cb) } : undefined;
}
