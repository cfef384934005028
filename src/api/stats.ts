// One snapshot of the numbers staff watch: MQTT `stats`, GET /api/stats and /metrics.
import { PAYLOAD_VERSION, type StatsPayload } from './payloads.js';
import type { StaffServices } from './services.js';

export interface ProcessInfo {
  rssBytes(): number;
  uptimeS(): number;
}

export const nodeProcessInfo: ProcessInfo = {
  rssBytes: () => process.memoryUsage.rss(),
  uptimeS: () => process.uptime(),
};

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** `queued`/`dropped` come from the caller when it is the MQTT publisher itself. */
export function statsPayload(svc: StaffServices, proc: ProcessInfo, mqtt?: { queued: number; dropped: number }): StatsPayload {
  const cam = safe(() => svc.frameSource?.stats());
  const inf = safe(() => svc.detector?.stats());
  const m = mqtt ?? safe(() => svc.mqtt?.status()) ?? { queued: 0, dropped: 0 };
  return {
    v: PAYLOAD_VERSION,
    camera: cam ? { fps: round1(cam.fps), dropped: droppedFrames(svc, cam.dropped), reconnects: cam.reconnects } : null,
    infer: inf ? { provider: inf.provider, msP50: round1(inf.msP50), msP95: round1(inf.msP95) } : null,
    mqtt: { queued: m.queued, dropped: m.dropped },
    process: { rssMb: round1(proc.rssBytes() / 1048576), uptimeS: Math.round(proc.uptimeS()) },
  };
}

/**
 * The one dropped-frames figure (MQTT stats, GET /api/stats, /api/metrics, the console):
 * camera frames that inference never took because a newer one replaced them first. The
 * booth runner counts it where camera frames meet inference (src/booth/runner.ts); with
 * no booth, nothing takes frames for inference and the camera hand-off's own count is it.
 */
export function droppedFrames(svc: StaffServices, cameraDropped: number): number {
  return boothFrameStats(svc.booth)?.dropped ?? cameraDropped;
}

export interface BoothFrameStats {
  frames: number;
  detected: number;
  dropped: number;
  detectErrors: number;
}

/** The booth runner offers stats() beside BoothControl; read it only when it is there. */
export function boothFrameStats(b: unknown): BoothFrameStats | undefined {
  const s = safe(() => {
    const f = (b as { stats?: unknown } | undefined)?.stats;
    return typeof f === 'function' ? ((f as () => unknown).call(b) as Partial<BoothFrameStats> | undefined) : undefined;
  });
  if (!s || typeof s.frames !== 'number' || typeof s.detected !== 'number') return undefined;
  return { frames: s.frames, detected: s.detected, dropped: s.dropped ?? 0, detectErrors: s.detectErrors ?? 0 };
}

/** A broken service must not take the staff interfaces down with it. */
export function safe<R>(f: () => R): R | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
