// /api/metrics as Prometheus tooling sees it: promtool-clean, base units, counters with
// _total, game metrics, and a generated docs table that lists every metric.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/api/metrics.js';
import { exposedMetrics, metricsReference } from '../../../src/api/metrics-reference.js';
import { FakeBooth, FakeDetector, StubFrameSource } from './fakes.js';

function populated(): { m: Metrics; booth: FakeBooth; detector: FakeDetector } {
  const booth = Object.assign(new FakeBooth(), { stats: () => ({ frames: 90, detected: 60, dropped: 30, detectErrors: 1 }) });
  booth.current = { phase: 'playing', mode: 'funny', level: 2, clip: 'funny/2/a.mp4', since: 0 };
  const frameSource = new StubFrameSource();
  const detector = new FakeDetector();
  detector.st = { ...detector.st, frames: 60, ...{ msP99: 33 } };
  const mqtt = { status: () => ({ connected: true, queued: 2, dropped: 1, reconnects: 3 }), health: () => ({ name: 'mqtt', healthy: true, reasons: [] }) };
  const m = new Metrics({ booth, frameSource, detector, mqtt }, { version: '1.2.3', boothId: 'hall-7' });
  return { m, booth, detector };
}

describe('Prometheus metrics', () => {
  it('passes `promtool check metrics` with every series filled in', async () => {
    const { m, booth, detector } = populated();
    m.start();
    try {
      detector.emitTiming(12);
      booth.results.emit({ id: 'r1', endedAt: 0, mode: 'funny', level: 2, clip: null, outcome: 'cracked', peak: 0.8, durationMs: 4200 });
      booth.results.emit({ id: 'r2', endedAt: 0, mode: 'scary', level: 1, clip: null, outcome: 'survived', peak: 0.1, durationMs: 30000 });
      const text = await m.text();
      // promtool exits non-zero and prints the problems when the exposition breaks a rule
      const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
      expect(out.trim()).toBe('');
      for (const line of [
        'pokerface_build_info{version="1.2.3",booth_id="hall-7",node_version="',
        'pokerface_booth_frames_total{stage="processed"} 60',
        'pokerface_inference_frames_total 60',
        'pokerface_inference_recent_seconds{stat="p99"} 0.033',
        'pokerface_inference_provider_info{provider="cpu"} 1',
        'pokerface_inference_seconds_bucket{le="0.012"} 1',
        'pokerface_rounds_total{mode="funny",level="2",outcome="cracked"} 1',
        'pokerface_rounds_total{mode="scary",level="1",outcome="survived"} 1',
        'pokerface_time_to_crack_seconds_sum{mode="funny",level="2"} 4.2',
        'pokerface_game_phase{phase="playing"} 1',
        'pokerface_game_phase{phase="attract"} 0',
        'pokerface_mqtt_dropped_events_total 1',
        'pokerface_mqtt_reconnects_total 3',
        'process_resident_memory_bytes ',
        'nodejs_heap_size_used_bytes ',
      ]) {
        expect(text).toContain(line);
      }
    } finally {
      m.stop();
    }
  });

  it('uses base units and counter names: no milliseconds, no gauge named _total, no quantile label on a gauge', () => {
    for (const x of exposedMetrics()) {
      expect(x.name, x.name).not.toMatch(/_ms($|_)|milli/);
      if (x.type === 'counter') expect(x.name, x.name).toMatch(/_total$/);
      else expect(x.name, x.name).not.toMatch(/_total$/);
      if (x.type !== 'summary') expect(x.labelNames ?? [], x.name).not.toContain('quantile');
    }
  });

  it('docs/metrics.md is what the registry generates (run `pokerface metrics reference > docs/metrics.md`)', () => {
    const md = metricsReference();
    expect(readFileSync('docs/metrics.md', 'utf8')).toBe(md.endsWith('\n') ? md : `${md}\n`);
    for (const x of exposedMetrics()) expect(md).toContain(`\`${x.name}\``);
  });
});
