import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { healthReport } from '../../../src/api/health.js';
import { staffServices } from '../../../src/api/services.js';
import { facesSvg } from '../../../src/api/snapshot.js';
import { FakeDetector, StubFrameSource, StubPlayer } from './fakes.js';

const mqttOk = { status: () => ({ connected: true, queued: 0, dropped: 0, reconnects: 0 }), health: () => ({ name: 'mqtt', healthy: true, reasons: [] }) };

describe('health report', () => {
  it('names each unhealthy part', () => {
    const frames = new StubFrameSource();
    const det = new FakeDetector();
    frames.st = { ...frames.st, lastFrameAgeMs: 9000 };
    det.st = { ...det.st, healthy: false, lastAnswerAgeMs: 8000 };
    const h = healthReport(staffServices({ frameSource: frames, detector: det, player: new StubPlayer(), mqtt: mqttOk }), parseConfig('{}', 't'));
    expect(h.healthy).toBe(false);
    expect(h.reasons).toEqual(['capture: newest camera frame is 9000 ms old', 'inference: inference is unhealthy', 'inference: inference last answered 8000 ms ago']);
  });

  it('does not require the player or MQTT when the config switches them off, and adds other modules', () => {
    const svc = staffServices({
      frameSource: new StubFrameSource(),
      detector: new FakeDetector(),
      daemon: { health: () => [{ name: 'booth', healthy: false, reasons: ['no media'] }, { name: 'mqtt', healthy: false, reasons: ['dup'] }] },
    });
    const h = healthReport(svc, parseConfig('player:\n  enabled: false\nmqtt:\n  enabled: false\n', 't'));
    expect(h.reasons).toEqual(['booth: no media', 'mqtt: dup']);
    const ok = healthReport(staffServices({ frameSource: new StubFrameSource(), detector: new FakeDetector() }), parseConfig('player:\n  enabled: false\nmqtt:\n  enabled: false\n', 't'));
    expect(ok).toMatchObject({ healthy: true, reasons: [] });
  });

  it('treats a service that throws as unhealthy instead of failing', () => {
    const broken = { onFrame: () => undefined, stats: () => { throw new Error('x'); } };
    const h = healthReport(staffServices({ frameSource: broken, detector: new FakeDetector(), player: new StubPlayer(), mqtt: mqttOk }), parseConfig('{}', 't'));
    expect(h.reasons).toEqual(['capture: capture stats failed']);
  });
});

describe('snapshot face boxes', () => {
  it('scales boxes from the detection frame to the snapshot frame', () => {
    const svg = facesSvg(640, 480, { width: 320, height: 240, faces: [{ box: [10, 20, 30, 40], score: 1, emotions: {} }] });
    expect(svg).toContain('x="20.0" y="40.0" width="60.0" height="80.0"');
    expect(facesSvg(640, 480, null)).toBeNull();
    expect(facesSvg(640, 480, { width: 0, height: 0, faces: [{ box: [1, 1, 1, 1], score: 1, emotions: {} }] })).toBeNull();
  });
});
