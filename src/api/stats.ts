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
    camera: cam ? { fps: round1(cam.fps), dropped: cam.dropped, reconnects: cam.reconnects } : null,
    infer: inf ? { provider: inf.provider, msP50: round1(inf.msP50), msP95: round1(inf.msP95) } : null,
    mqtt: { queued: m.queued, dropped: m.dropped },
    process: { rssMb: round1(proc.rssBytes() / 1048576), uptimeS: Math.round(proc.uptimeS()) },
  };
}

/** A broken service must not take the staff interfaces down with it. */
export function safe<R>(f: () => R): R | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
