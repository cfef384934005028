// Camera frames on their way to inference. Each is copied once, into one of the booth's
// few shared-memory slot buffers (which the worker detector posts without copying again),
// and that buffer stays untouched until its answer is judged.
// The one dropped-frames figure: camera frames that inference never took because a newer
// one replaced them first, whether in the camera's hand-off (the event loop was behind)
// or in the booth's wait for the detector. The booth runner counts it; MQTT stats,
// /api/stats, /api/metrics and the console's /api/system all report that same number.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import { Metrics } from '../../../src/api/metrics.js';
import { StaffConsole } from '../../../src/api/routes-console.js';
import { statsPayload, type ProcessInfo } from '../../../src/api/stats.js';
import type { StaffServices } from '../../../src/api/services.js';
import type { Frame } from '../../../src/types.js';
import { makeBooth } from './fakes.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

const proc: ProcessInfo = { rssBytes: () => 0, uptimeS: () => 0 };
/** one event-loop turn: the camera hand-off delivers from a setImmediate */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function rig() {
  // sync: false is the daemon's hand-off: frames are handed on from a setImmediate
  const booth = makeBooth({ width: 32, height: 24, sync: false });
  await booth.start();
  stops.push(() => booth.stopAll());
  const { src, detector, runner } = booth;
  const svc: StaffServices = { booth: runner.control, frameSource: src, detector };
  return { src, detector, runner, svc };
}

describe('the frame hand-off to the detector', () => {
  it('copies each frame once into shared memory, reuses at most three buffers, and keeps the one in flight intact', async () => {
    const { src, detector } = await rig();
    const camera = new Set<ArrayBufferLike>();
    src.onFrame((f) => void camera.add(f.data.buffer));
    const handed: Array<{ seq: number; data: Uint8Array; first: number }> = [];
    const inner = detector.detect.bind(detector);
    detector.detect = (f: Frame) => {
      handed.push({ seq: f.seq, data: f.data, first: f.data[0] ?? -1 });
      return inner(f);
    };
    for (let i = 0; i < 40; i++) {
      detector.gate = i % 4 !== 3; // answers held now and then, so frames wait and get replaced
      src.emit();
      await turn();
      if (i % 4 === 3) detector.release();
      for (let k = 0; k < 3; k++) await turn();
    }
    detector.release();
    expect(handed.length).toBeGreaterThan(5);
    const buffers = new Set(handed.map((h) => h.data.buffer));
    for (const h of handed) {
      // in shared memory at offset 0: the worker detector lends it to its worker as it is
      expect(h.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(h.data.byteOffset).toBe(0);
      expect(camera.has(h.data.buffer)).toBe(false);
      // the fake camera writes byte 0 of frame k as (k - 1) & 255
      expect(h.first).toBe((h.seq - 1) & 255);
    }
    expect(buffers.size).toBeLessThanOrEqual(3);
  });

  it('the frame in flight is not overwritten by newer frames until its answer is in', async () => {
    const { src, detector } = await rig();
    let inFlight: Frame | null = null;
    const inner = detector.detect.bind(detector);
    detector.detect = (f: Frame) => {
      inFlight ??= f;
      return inner(f);
    };
    detector.gate = true;
    src.emit();
    await turn();
    const f = inFlight as Frame | null;
    expect(f?.seq).toBe(1);
    const before = [...(f?.data ?? [])];
    for (let i = 0; i < 10; i++) {
      src.emit();
      await turn();
    }
    expect([...(f?.data ?? [])]).toEqual(before);
  });
});

describe('the dropped-frames figure', () => {
  it('counts frames replaced in the camera hand-off and in the wait for the detector, and every staff interface reports it', async () => {
    const { src, detector, runner, svc } = await rig();
    const seen: number[] = [];
    const inner = detector.detect.bind(detector);
    detector.detect = (f: Frame) => {
      seen.push(f.seq);
      return inner(f);
    };
    detector.gate = true;
    src.emit();
    await turn(); // frame 1 goes to the detector and stays there
    src.emit();
    src.emit();
    src.emit();
    await turn(); // 2 and 3 are replaced in the camera's hand-off before it ran; 4 waits
    src.emit();
    await turn(); // 5 replaces 4 in the booth's wait
    expect(seen).toEqual([1]);
    expect(src.stats().dropped).toBe(2); // the camera hand-off's own part
    expect(runner.stats()).toMatchObject({ frames: 3, dropped: 3 });

    detector.release();
    for (let i = 0; i < 5; i++) await turn();
    expect(seen).toEqual([1, 5]);
    detector.release();
    for (let i = 0; i < 5; i++) await turn();
    expect(runner.stats()).toMatchObject({ frames: 3, detected: 2, dropped: 3 });

    // one figure, one name, everywhere staff look
    expect(statsPayload(svc, proc).camera?.dropped).toBe(3);
    const metrics = new Metrics(svc, { version: 'test', boothId: 'b' });
    const text = await metrics.text();
    expect(text).toMatch(/^pokerface_camera_dropped_frames_total 3$/m);
    expect(text).toMatch(/^pokerface_booth_frames_total\{stage="dropped"\} 3$/m);
    const console = new StaffConsole({ config: defaultConfig(), services: svc, clock: new ManualClock(), proc });
    expect(console.system().camera?.dropped).toBe(3);
  });

  it('frames while the booth is stopped, and a camera that starts counting again, are not drops', async () => {
    const { src, runner } = await rig();
    src.emit();
    await turn();
    await runner.stop();
    src.emit();
    src.emit();
    await turn();
    await runner.start();
    src.emit();
    await turn();
    expect(runner.stats()).toMatchObject({ frames: 2, dropped: 0 });
    // a camera started afresh numbers its frames from 1 again
    await src.stop();
    await src.start();
    src.emit();
    await turn();
    src.emit();
    await turn();
    expect(runner.stats()).toMatchObject({ frames: 4, dropped: 0 });
  });
});
