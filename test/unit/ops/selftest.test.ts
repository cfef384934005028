// The selftest harness with fake modules: no camera, screen, broker or network.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import type { ModuleSpec, ServiceName } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { VirtualButtonSource } from '../../../src/controls/virtual.js';
import { FakePlayer } from '../../../src/player/fake.js';
import { formatReport, runSelftest, type ModuleLoader } from '../../../src/ops/selftest/harness.js';
import type { MqttProbe } from '../../../src/ops/selftest/mqtt-probe.js';
import { selectSteps } from '../../../src/ops/selftest/steps.js';
import type { CaptureStats, Detector, Frame, FrameSource } from '../../../src/types.js';

class FakeCamera implements FrameSource {
  private cbs: Array<(f: Frame) => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private n = 0;
  private readonly frame: Frame = { seq: 0, ts: 0, width: 8, height: 6, format: 'bgr24', data: new Uint8Array(8 * 6 * 3) };
  constructor(private readonly fps: number) {}
  start(): Promise<void> {
    this.timer = setInterval(() => {
      this.frame.seq = ++this.n;
      this.frame.ts = systemClock.now();
      for (const cb of this.cbs) cb(this.frame);
    }, 1000 / this.fps);
    return Promise.resolve();
  }
  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    return Promise.resolve();
  }
  onFrame(cb: (f: Frame) => void): void {
    this.cbs.push(cb);
  }
  stats(): CaptureStats {
    return { state: 'running', frames: this.n, fps: this.fps, dropped: 0, reconnects: 0, stalls: 0, lastFrameAgeMs: 1 };
  }
}

const detector: Detector = {
  detect: () => Promise.resolve([{ box: [1, 1, 4, 4], score: 0.93, emotions: { neutral: 0.9, happy: 0.05 } }]),
  info: () => ({ kind: 'two-stage', provider: 'cpu', fallbacks: [], models: [] }),
  stats: () => ({ provider: 'cpu', frames: 1, msP50: 1, msP95: 1, workerRestarts: 0, timeouts: 0, lastAnswerAgeMs: 1, healthy: true }),
  close: () => Promise.resolve(),
};

function spec(name: string, service: Record<string, unknown>, life?: { start(): Promise<void>; stop(): Promise<void> }): ModuleSpec {
  return {
    name,
    needs: [],
    provides: Object.keys(service) as ServiceName[],
    create: () => ({ lifecycle: { name, start: () => life?.start() ?? Promise.resolve(), stop: () => life?.stop() ?? Promise.resolve() }, services: service }),
  };
}

describe('selftest harness', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function setup(opts: { missing?: string[]; fps?: number } = {}) {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-selftest-'));
    mkdirSync(join(dir, 'attract'));
    writeFileSync(join(dir, 'attract', 'loop.mp4'), 'not really a video');
    const base = defaultConfig();
    const config = { ...base, demo: true, camera: { ...base.camera, fps: 30 }, player: { ...base.player, mediaDir: dir }, mqtt: { ...base.mqtt, url: 'mqtt://127.0.0.1:1883' } };
    const cam = new FakeCamera(opts.fps ?? 30);
    const buttons = new VirtualButtonSource(systemClock, silentLogger);
    const player = new FakePlayer();
    const specs: Record<string, ModuleSpec> = {
      detector: spec('detector', { detector }),
      capture: spec('capture', { frameSource: cam }, cam),
      player: spec('player', { player }, player),
      controls: spec('controls', { buttons }, buttons),
      mqtt: spec('mqtt', { mqtt: { health: () => ({ healthy: true, reasons: [] }) } }),
      api: spec('api', { api: { url: () => 'http://0.0.0.0:8080' } }),
    };
    const loader: ModuleLoader = (name) => {
      if (opts.missing?.includes(name)) return Promise.reject(Object.assign(new Error(`Cannot find module '/app/dist/${name}/module.js'`), { code: 'ERR_MODULE_NOT_FOUND' }));
      const s = specs[name];
      return s ? Promise.resolve(s) : Promise.reject(new Error(`no ${name}`));
    };
    const probes: Array<{ pub: string; payload: string; sub: string }> = [];
    const mqttProbe: MqttProbe = {
      roundTrip: (_addr, pub, payload, sub) => {
        probes.push({ pub, payload, sub });
        const { transaction } = JSON.parse(payload) as { transaction: string };
        return Promise.resolve(JSON.stringify({ v: 1, transaction, ok: false, code: 'POKERFACE_ERR_MQTT_UNKNOWN_COMMAND' }));
      },
    };
    const urls: string[] = [];
    const fakeFetch = ((url: string) => {
      urls.push(url);
      return Promise.resolve(new Response(JSON.stringify({ version: '9.9.9' }), { status: url.endsWith('/health') ? 503 : 200 }));
    }) as typeof fetch;
    const said: string[] = [];
    return { config: config as never, loader, mqttProbe, fetch: fakeFetch, said, probes, urls, player };
  }

  it('passes every step in demo mode with working modules', async () => {
    const s = setup();
    const report = await runSelftest({ config: s.config, log: silentLogger, clock: systemClock, steps: selectSteps([]), loader: s.loader, say: (t) => s.said.push(t), mqttProbe: s.mqttProbe, fetch: s.fetch, cameraWatchMs: 300, buttonTimeoutMs: 1000 });
    expect(report.steps.filter((x) => !x.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.steps.map((x) => x.name)).toEqual(['camera', 'face', 'inference', 'button:funny', 'button:scary', 'button:level1', 'button:level2', 'button:level3', 'button:start', 'lights', 'player', 'mqtt', 'rest']);
    expect(report.steps[1]?.detail).toMatch(/^1 face, score 0\.93/);
    expect(report.steps[2]?.detail).toMatch(/^provider cpu, p50 /);
    expect(s.probes[0]).toMatchObject({ pub: 'pokerface/booth/request/selftest', sub: 'pokerface/booth/response/selftest' });
    expect(s.urls).toEqual(['http://127.0.0.1:8080/api/version', 'http://127.0.0.1:8080/api/health']);
    expect(s.player.played[0]?.clip).toBe(join(dir, 'attract', 'loop.mp4'));
    expect(s.player.running).toBe(false); // stopped after the run
    expect(formatReport(report)).toMatch(/selftest PASSED \(13 steps\)$/);
    expect(s.said.some((l) => l.startsWith('press the FUNNY button'))).toBe(true);
  });

  it('a module that is not there fails its steps, never a faked pass', async () => {
    const s = setup({ missing: ['player', 'capture'] });
    const report = await runSelftest({ config: s.config, log: silentLogger, clock: systemClock, steps: selectSteps(['camera', 'player', 'rest']), loader: s.loader, say: () => undefined, mqttProbe: s.mqttProbe, fetch: s.fetch, cameraWatchMs: 300 });
    expect(report).toEqual({
      passed: false,
      steps: [
        { name: 'camera', passed: false, detail: 'module not available (capture: not built yet)' },
        { name: 'player', passed: false, detail: 'module not available (player: not built yet)' },
        expect.objectContaining({ name: 'rest', passed: true }),
      ],
    });
    expect(formatReport(report)).toMatch(/selftest FAILED \(2 of 3 steps failed\)$/);
  });

  it('a slow camera fails with its fps', async () => {
    const s = setup({ fps: 5 });
    const report = await runSelftest({ config: s.config, log: silentLogger, clock: systemClock, steps: selectSteps(['camera']), loader: s.loader, say: () => undefined, mqttProbe: s.mqttProbe, fetch: s.fetch, cameraWatchMs: 300 });
    expect(report.steps[0]?.passed).toBe(false);
    expect(report.steps[0]?.detail).toMatch(/fps \(configured 30\).*below half/);
  });

  it('--only knows the step names and "buttons"', () => {
    expect(selectSteps(['buttons']).map((x) => x.name)).toHaveLength(6);
    expect(() => selectSteps(['bogus'])).toThrow(/unknown step bogus/);
  });
});
