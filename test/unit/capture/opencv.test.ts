import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { opencvDriver, opencvChildCommand } from '../../../src/capture/opencv.js';
import { SupervisedSource } from '../../../src/capture/supervisor.js';
import { TestTimers } from '../../test-timers.js';

describe('opencv backend without the addon', () => {
  it('reports itself unavailable with a code, keeps the failed state and retries, never throws', async () => {
    const cam = parseConfig(JSON.stringify({ camera: { backend: 'opencv' } }), 't').camera;
    let spawned = 0;
    const driver = opencvDriver(cam, {
      installed: () => false,
      spawn: () => {
        spawned++;
        throw new Error('must not spawn');
      },
    });
    const clock = new ManualClock();
    const timers = new TestTimers(clock);
    const src = new SupervisedSource({
      driver,
      geometry: { width: 640, height: 480, format: 'bgr24', mirror: false, rotate: 0, scaleWidth: 0 },
      clock,
      log: silentLogger,
      stallMs: 3000,
      backoffInitialMs: 100,
      backoffMaxMs: 1000,
      stderrLinesPerMinute: 30,
      timers,
    });
    await src.start();
    for (let i = 0; i < 50; i++) {
      clock.advance(100);
      timers.runDue();
    }
    const st = src.stats();
    expect(st.state).toBe('failed');
    expect(st.lastError?.code).toBe('POKERFACE_ERR_CAPTURE_BACKEND');
    expect(st.reconnects).toBeGreaterThan(3);
    expect(spawned).toBe(0);
    await src.stop();
  });

  it('runs the child through node (and tsx from sources)', () => {
    const c = opencvChildCommand({ source: 0, api: 'any', width: 640, height: 480 });
    expect(c.cmd).toBe(process.execPath);
    expect(c.args.at(-2)).toMatch(/opencv-child\.(ts|js)$/);
    expect(JSON.parse(c.args.at(-1) as string)).toEqual({ source: 0, api: 'any', width: 640, height: 480 });
  });
});
