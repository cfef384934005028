import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ManualClock } from '../../../src/clock.js';
import type { Services } from '../../../src/daemon.js';
import { WorkerDetector } from '../../../src/infer/detector.js';
import { inferModule } from '../../../src/infer/module.js';
import { silentLogger } from '../../../src/log.js';

describe('inferModule', () => {
  it('registers services.detector and returns it as the lifecycle, starting nothing', async () => {
    const services: Services = {};
    const spec = inferModule();
    expect(spec.name).toBe('detector');
    const mod = await spec.create({ config: parseConfig('{}', 'test'), log: silentLogger, clock: new ManualClock(), services, requestExit: () => undefined });
    expect(mod).toBeInstanceOf(WorkerDetector);
    expect(services.detector).toBe(mod);
    expect(mod?.health?.()).toMatchObject({ name: 'inference', healthy: false });
    await mod?.stop();
  });
});
