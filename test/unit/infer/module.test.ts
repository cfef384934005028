import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ManualClock } from '../../../src/clock.js';
import { WorkerDetector } from '../../../src/infer/detector.js';
import { inferModule } from '../../../src/infer/module.js';
import { silentLogger } from '../../../src/log.js';
import type { Services } from '../../../src/wiring.js';

describe('inferModule', () => {
  it('offers services.detector and returns it as the lifecycle, starting nothing', async () => {
    const spec = inferModule();
    expect(spec.name).toBe('detector');
    expect(spec.provides).toEqual(['detector']);
    const made = await spec.create({ config: parseConfig('{}', 'test'), log: silentLogger, clock: new ManualClock(), services: {}, requestExit: () => undefined });
    const mod = made?.lifecycle;
    expect(mod).toBeInstanceOf(WorkerDetector);
    const services: Services = made?.services ?? {};
    expect(services.detector).toBe(mod);
    expect(mod?.health?.()).toMatchObject({ name: 'inference', healthy: false });
    await mod?.stop();
  });
});
