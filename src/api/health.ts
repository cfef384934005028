// GET /api/health: healthy only when capture, inference, player and MQTT are (those the
// config switches on), and every started module says so.
import type { FrozenConfig } from '../config/schema.js';
import type { StaffServices } from './services.js';
import { safe } from './stats.js';
import { redact } from '../redact.js';
import { clockTime, describeRecovery, type CaptureRecovery } from '../capture/supervisor.js';
import type { InferRecovery } from '../infer/detector.js';

export interface HealthReport {
  healthy: boolean;
  reasons: string[];
  components: Array<{ name: string; healthy: boolean; reasons: string[] }>;
}

export function healthReport(svc: StaffServices, config: FrozenConfig): HealthReport {
  const components: HealthReport['components'] = [];
  // reasons quote error messages that may carry a camera or broker URL: redacted here, once
  const add = (name: string, healthy: boolean, reasons: string[]): void => void components.push({ name, healthy, reasons: reasons.map(redact) });

  const cam = svc.frameSource;
  const cs = cam ? safe(() => cam.stats()) : undefined;
  if (!cam) add('capture', false, ['capture is not running']);
  else if (!cs) add('capture', false, ['capture stats failed']);
  else {
    const r: string[] = [];
    const rec = safe(() => (cam as { recovery?(): CaptureRecovery | null }).recovery?.()) ?? null;
    if (rec) r.push(describeRecovery('camera', rec));
    else if (cs.state !== 'running') r.push(`camera is ${cs.state}${cs.lastError ? `: ${cs.lastError.message}` : ''}`);
    if (rec) {
      // the reason above says it all: camera missing since..., retrying every...
    } else if (cs.lastFrameAgeMs === null) r.push('no camera frame yet');
    else if (cs.lastFrameAgeMs > config.systemd.frameMaxAgeMs) r.push(`newest camera frame is ${Math.round(cs.lastFrameAgeMs)} ms old`);
    add('capture', r.length === 0, r);
  }

  const det = svc.detector;
  const is = det ? safe(() => det.stats()) : undefined;
  if (!det) add('inference', false, ['inference is not running']);
  else if (!is) add('inference', false, ['inference stats failed']);
  else {
    const r: string[] = [];
    const rec = safe(() => (det as { recovery?(): InferRecovery | null }).recovery?.()) ?? null;
    if (rec) r.push(`inference down since ${clockTime(rec.since)}: ${rec.message}`);
    else if (!is.healthy) r.push('inference is unhealthy');
    if (is.lastAnswerAgeMs !== null && is.lastAnswerAgeMs > config.systemd.inferMaxAgeMs) r.push(`inference last answered ${Math.round(is.lastAnswerAgeMs)} ms ago`);
    add('inference', r.length === 0, r);
  }

  if (config.player.enabled) {
    const pl = svc.player;
    const ps = pl ? safe(() => pl.stats()) : undefined;
    if (!pl) add('player', false, ['player is not running']);
    else add('player', ps?.healthy === true, ps?.healthy === true ? [] : ['player (mpv) is unhealthy']);
  }

  if (config.mqtt.enabled) {
    const m = svc.mqtt;
    const mh = m ? safe(() => m.health()) : undefined;
    if (!m) add('mqtt', false, ['MQTT is not running']);
    else add('mqtt', mh?.healthy === true, mh?.reasons ?? ['MQTT health failed']);
  }

  const covered = new Set(components.map((c) => c.name));
  for (const h of safe(() => svc.daemon?.health()) ?? []) {
    // each component once: a module reporting under a name above is already covered
    if (covered.has(h.name)) continue;
    covered.add(h.name);
    add(h.name, h.healthy, h.reasons);
  }
  const reasons = components.flatMap((c) => c.reasons.map((r) => `${c.name}: ${r}`));
  return { healthy: components.every((c) => c.healthy), reasons, components };
}
