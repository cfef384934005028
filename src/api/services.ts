// The services the staff interfaces read, looked up by the agreed names and checked by
// shape, so a module that is absent (or switched off) simply reads as "not running".
import type { Services } from '../daemon.js';
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
  frameSource?: FrameSource | undefined;
  detector?: Detector | undefined;
  player?: Player | undefined;
  results?: ResultsStore | undefined;
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

/** An optional per-inference timing hook an infer module may offer (duck-typed). */
export interface InferenceTimings {
  onInference(cb: (ms: number) => void): () => void;
}

const has = (o: unknown, ...methods: string[]): boolean =>
  typeof o === 'object' && o !== null && methods.every((m) => typeof (o as Record<string, unknown>)[m] === 'function');

/** A live view over `services`: modules registered later are still seen. */
export function staffServices(services: Services): StaffServices {
  const pick = <K extends keyof StaffServices>(name: string, ...methods: string[]): StaffServices[K] =>
    (has(services[name], ...methods) ? services[name] : undefined) as StaffServices[K];
  return {
    get booth() {
      return pick<'booth'>('booth', 'state', 'onState', 'onEvent', 'onScore', 'press', 'start', 'stop');
    },
    get frameSource() {
      return pick<'frameSource'>('frameSource', 'onFrame', 'stats');
    },
    get detector() {
      return pick<'detector'>('detector', 'info', 'stats');
    },
    get player() {
      return pick<'player'>('player', 'stats');
    },
    get results() {
      return pick<'results'>('results', 'recent', 'totals');
    },
    get mqtt() {
      return pick<'mqtt'>('mqtt', 'status', 'health');
    },
    get daemon() {
      return pick<'daemon'>('daemon', 'health');
    },
    get media() {
      return pick<'media'>('media', 'summary', 'clips');
    },
  };
}

export function inferenceTimings(d: Detector | undefined): InferenceTimings | undefined {
  return has(d, 'onInference') ? (d as unknown as InferenceTimings) : undefined;
}
