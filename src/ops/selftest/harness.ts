// Runs the selftest: brings up only the modules the chosen steps need, each on its own
// (one that fails to load or start fails its steps, not the whole run), runs the steps
// in order and stops everything it started.
import type { FrozenConfig } from '../../config/schema.js';
import { createModule, type ModuleSpec, type ServiceName, type Services } from '../../wiring.js';
import type { Logger } from '../../log.js';
import type { Clock, Lifecycle, ModuleHealth } from '../../types.js';
import type { MqttProbe } from './mqtt-probe.js';
import type { SelftestReport, Step, StepEnv, StepResult } from './types.js';

/** module name → its factory, or why it cannot be had */
export type ModuleLoader = (name: string) => Promise<ModuleSpec>;

/** The daemon's modules, by name, in an order their needs allow (see src/modules.ts). */
export const MODULE_ORDER = ['detector', 'capture', 'player', 'controls', 'restart-limit', 'broker', 'mqtt', 'api'] as const;

const FACTORIES: Record<string, { file: string; exports: string[] }> = {
  detector: { file: '../../infer/module.js', exports: ['inferModule', 'detectorModule'] },
  capture: { file: '../../capture/module.js', exports: ['captureModule'] },
  player: { file: '../../player/module.js', exports: ['playerModule'] },
  controls: { file: '../../controls/module.js', exports: ['controlsModule'] },
  'restart-limit': { file: '../../ops/restart-limit.js', exports: ['restartLimitModule'] },
  broker: { file: '../../api/module.js', exports: ['brokerModule'] },
  mqtt: { file: '../../api/module.js', exports: ['mqttModule'] },
  api: { file: '../../api/module.js', exports: ['apiModule'] },
};

/** Import a module factory by name; the path is a variable so a module still being written does not break the build. */
export const importModule: ModuleLoader = async (name) => {
  const f = FACTORIES[name];
  if (!f) throw new Error(`no module named ${name}`);
  const mod = (await import(f.file)) as Record<string, unknown>;
  for (const e of f.exports) {
    const factory = mod[e];
    if (typeof factory === 'function') return (factory as () => ModuleSpec)();
  }
  throw new Error(`${f.file} exports none of ${f.exports.join(', ')}`);
};

export interface SelftestOptions {
  config: FrozenConfig;
  log: Logger;
  clock: Clock;
  steps: Step[];
  loader?: ModuleLoader;
  say: (text: string) => void;
  buttonTimeoutMs?: number;
  cameraWatchMs?: number;
  mqttProbe: MqttProbe;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export async function runSelftest(o: SelftestOptions): Promise<SelftestReport> {
  const loader = o.loader ?? importModule;
  const needed = new Set(o.steps.flatMap((s) => s.modules));
  // the embedded broker is a dependency of mqtt
  if (needed.has('mqtt') && o.config.mqtt.url === 'embedded') needed.add('broker');
  // both staff interfaces need the one restart limiter
  if (needed.has('mqtt') || needed.has('api')) needed.add('restart-limit');
  const services: Services = {};
  const started: Lifecycle[] = [];
  const unavailable = new Map<string, string>();
  const ctx = {
    config: o.config,
    log: o.log,
    clock: o.clock,
    requestExit: (code: number, reason: string): void => o.log.warn({ code, reason }, 'a module asked to exit during the selftest; ignored'),
  };
  services.daemon = { health: (): ModuleHealth[] => started.map((m) => m.health?.() ?? { name: m.name, healthy: true, reasons: [] }) };

  const stopAll = async (): Promise<void> => {
    while (started.length > 0) {
      const m = started.pop() as Lifecycle;
      try {
        await m.stop();
      } catch (e) {
        o.log.warn({ err: e, module: m.name }, 'module failed to stop cleanly');
      }
    }
  };

  try {
    for (const name of MODULE_ORDER) {
      if (!needed.has(name)) continue;
      const before = new Set(Object.keys(services));
      try {
        const spec = await loader(name);
        const made = await createModule(spec, { ...ctx, log: o.log.child({ module: spec.name }) }, services);
        if (!made) {
          unavailable.set(name, 'switched off in the configuration');
          continue;
        }
        if (made.lifecycle) {
          await made.lifecycle.start();
          started.push(made.lifecycle);
        }
      } catch (e) {
        const msg = (e as Error).message;
        const notFound = (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && msg.includes((FACTORIES[name]?.file ?? '?').replace('../../', '/').replace(/\.js$/, '.'));
        unavailable.set(name, notFound ? 'not built yet' : msg);
        // a module that registered its service but failed to start must not be used
        for (const k of Object.keys(services) as ServiceName[]) if (!before.has(k)) delete services[k];
      }
    }
    const env: StepEnv = {
      config: o.config,
      log: o.log,
      clock: o.clock,
      services,
      unavailable,
      demo: o.config.demo,
      buttonTimeoutMs: o.buttonTimeoutMs ?? (o.config.demo ? 5000 : 20_000),
      cameraWatchMs: o.cameraWatchMs ?? 3000,
      say: o.say,
      sleep: o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      mqttProbe: o.mqttProbe,
      fetch: o.fetch ?? fetch,
      scratch: {},
    };
    const results: StepResult[] = [];
    for (const step of o.steps) {
      let r: StepResult;
      try {
        r = { name: step.name, ...(await step.run(env)) };
      } catch (e) {
        r = { name: step.name, passed: false, detail: `error: ${(e as Error).message}` };
      }
      o.say(`${r.passed ? 'PASS' : 'FAIL'} ${r.name}: ${r.detail}`);
      results.push(r);
    }
    return { passed: results.every((r) => r.passed), steps: results };
  } finally {
    await stopAll();
  }
}

/** The PASS/FAIL table for a terminal. */
export function formatReport(r: SelftestReport): string {
  const w = Math.max(4, ...r.steps.map((s) => s.name.length));
  const lines = [`${'STEP'.padEnd(w)}  RESULT  DETAIL`, ...r.steps.map((s) => `${s.name.padEnd(w)}  ${s.passed ? 'PASS  ' : 'FAIL  '}  ${s.detail}`)];
  lines.push('', r.passed ? `selftest PASSED (${r.steps.length} steps)` : `selftest FAILED (${r.steps.filter((s) => !s.passed).length} of ${r.steps.length} steps failed)`);
  return lines.join('\n');
}
