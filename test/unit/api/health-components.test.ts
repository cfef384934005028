// /api/health lists each component once: the inference worker and the notifier used to
// appear twice (`inference` and `detector`, `notifier-service` and `notifier`).
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../../src/config/load.js';
import { Daemon, mergeHealth, type ModuleSpec } from '../../../src/daemon.js';
import { healthReport } from '../../../src/api/health.js';
import { staffServices } from '../../../src/api/services.js';
import { inferModule } from '../../../src/infer/module.js';
import { silentLogger } from '../../../src/log.js';
import { notifyModule } from '../../../src/ops/module.js';
import { FakeDetector, StubFrameSource, StubPlayer } from './fakes.js';

const mqttOk = { status: () => ({ connected: true, queued: 0, dropped: 0, reconnects: 0 }), health: () => ({ name: 'mqtt', healthy: true, reasons: [] }) };

describe('health components', () => {
  it('merges entries of the same name: healthy only if all are, reasons once each', () => {
    expect(
      mergeHealth([
        { name: 'notifier', healthy: true, reasons: [] },
        { name: 'x', healthy: true, reasons: [] },
        { name: 'notifier', healthy: false, reasons: ['late', 'late'] },
      ]),
    ).toEqual([
      { name: 'notifier', healthy: false, reasons: ['late'] },
      { name: 'x', healthy: true, reasons: [] },
    ]);
  });

  it('the daemon reports the notifier and the inference worker once each, under the names /api/health uses', async () => {
    const detectorSpec = inferModule();
    // the real module objects, not started: only their health() is read
    const create = async (spec: ModuleSpec): Promise<ModuleSpec> => {
      const made = await spec.create({ config: defaultConfig(), log: silentLogger, clock: { now: () => 0, wall: () => 0 }, services: {}, requestExit: () => undefined });
      const mod = made?.lifecycle;
      return {
        name: spec.name,
        needs: [],
        provides: [],
        create: () => (mod ? { lifecycle: { name: mod.name, start: () => Promise.resolve(), stop: () => mod.stop(), ...(mod.health ? { health: () => mod.health?.() ?? { name: mod.name, healthy: true, reasons: [] } } : {}) }, services: {} } : null),
      };
    };
    const d = new Daemon({
      config: defaultConfig(),
      log: silentLogger,
      modules: [notifyModule({ env: {} }), await create(detectorSpec)],
    });
    await d.start();
    try {
      const names = d.health().map((h) => h.name);
      expect(names.sort()).toEqual(['inference', 'notifier']);
      const report = healthReport(
        staffServices({ frameSource: new StubFrameSource(), detector: new FakeDetector(), player: new StubPlayer(), mqtt: mqttOk, daemon: d }),
        parseConfig('{}', 't'),
      );
      const components = report.components.map((c) => c.name);
      expect(new Set(components).size).toBe(components.length);
      expect(components).toEqual(['capture', 'inference', 'player', 'mqtt', 'notifier']);
    } finally {
      await d.stop();
    }
  });
});
