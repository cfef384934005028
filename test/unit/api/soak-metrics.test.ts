// The figures the soak bench reads from /api/metrics: frame flow, inference timing and
// event-loop lag.
import { describe, expect, it } from 'vitest';
import { LoopLagSampler } from '../../../src/api/loop-lag.js';
import { Metrics } from '../../../src/api/metrics.js';
import { TestTimers } from '../../test-timers.js';
import { waitFor } from '../../wait-for.js';
import { FakeBooth, FakeDetector, StubFrameSource } from './fakes.js';

describe('LoopLagSampler', () => {
  it('records how late each tick fired, never below zero, and stops', () => {
    let t = 0;
    const seen: number[] = [];
    const timers = new TestTimers();
    const s = new LoopLagSampler({ intervalMs: 20, now: () => t, timers });
    const off = s.onLag((ms) => seen.push(ms));
    t = 20;
    timers.interval(0)?.fire();
    t = 55; // 15 ms late
    timers.interval(0)?.fire();
    t = 74; // a millisecond early
    timers.interval(0)?.fire();
    off();
    expect(seen).toEqual([0, 15, 0]);
    expect(timers.interval(0)).toBeNull();
  });
});

describe('Metrics for the soak bench', () => {
  it('exposes captured, received, processed and dropped frames, inference p99 and a lag histogram', async () => {
    const booth = Object.assign(new FakeBooth(), { stats: () => ({ frames: 90, detected: 60, dropped: 30, detectErrors: 0, cameraLost: 0, cameraDown: false }) });
    const frameSource = new StubFrameSource();
    frameSource.st = { ...frameSource.st, frames: 91 };
    const detector = new FakeDetector();
    detector.st = { ...detector.st, frames: 60, ...{ msP99: 33 } };
    const m = new Metrics({ booth, frameSource, detector }, { version: '0.0.0', boothId: 'b' });
    m.start();
    try {
      detector.emitTiming(7);
      await waitFor(async () => /pokerface_event_loop_lag_seconds_count [1-9]/.test(await m.text()), { what: 'an event-loop lag sample' });
      const text = await m.text();
      for (const line of [
        'pokerface_camera_captured_frames_total 91',
        'pokerface_booth_frames_total{stage="received"} 90',
        'pokerface_booth_frames_total{stage="processed"} 60',
        'pokerface_booth_frames_total{stage="dropped"} 30',
        'pokerface_inference_frames_total 60',
        'pokerface_inference_recent_seconds{stat="p99"} 0.033',
        'pokerface_inference_seconds_bucket{le="0.008"} 1',
        'pokerface_event_loop_lag_seconds_bucket{le="+Inf"} ',
      ]) {
        expect(text).toContain(line);
      }
      expect(Number(/pokerface_event_loop_lag_seconds_count (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
    } finally {
      m.stop();
    }
  });
});
