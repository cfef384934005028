// Module wiring: the start order comes from what each module needs and wants, and a need
// nobody provides or needs that form a cycle stop the start with POKERFACE_ERR_WIRING.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { isPokerfaceError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { defaultModules } from '../../src/modules.js';
import { defineModule, startOrder, type ModuleSpec, type ServiceName } from '../../src/wiring.js';
import type { ResultsStore } from '../../src/types.js';

const results: ResultsStore = { append: () => undefined, recent: () => [], totals: () => [] };

/** A module that records its start and stop; its services are stand-ins (only the keys matter here). */
function mod(name: string, decl: { needs?: ServiceName[]; wants?: ServiceName[]; provides?: ServiceName[]; off?: boolean }, log: string[] = []): ModuleSpec {
  return {
    name,
    needs: decl.needs ?? [],
    wants: decl.wants ?? [],
    provides: decl.provides ?? [],
    create: () =>
      decl.off
        ? null
        : {
            lifecycle: {
              name,
              start: async () => void log.push(`start ${name}`),
              stop: async () => void log.push(`stop ${name}`),
            },
            services: Object.fromEntries((decl.provides ?? []).map((k) => [k, results])),
          },
  };
}

const names = (specs: ModuleSpec[]): string[] => specs.map((s) => s.name);

function wiringError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isPokerfaceError(e, 'POKERFACE_ERR_WIRING')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('no wiring error');
}

describe('start order', () => {
  it('puts each module after the providers of what it needs or wants, keeping the given order for ties', () => {
    const specs = [
      mod('booth', { needs: ['frameSource', 'detector'], wants: ['results'], provides: ['booth'] }),
      mod('api', { wants: ['booth', 'mqtt'], provides: ['api'] }),
      mod('capture', { provides: ['frameSource'] }),
      mod('results', { provides: ['results'] }),
      mod('detector', { provides: ['detector'] }),
      mod('loner', {}),
    ];
    expect(names(startOrder(specs))).toEqual(['capture', 'results', 'detector', 'booth', 'api', 'loner']);
  });

  it('keeps the order of the default modules (the notifier first, the API last)', () => {
    expect(names(startOrder(defaultModules()))).toEqual(['notifier', 'children', 'results', 'detector', 'capture', 'player', 'controls', 'booth', 'restart-limit', 'broker', 'mqtt', 'api']);
  });

  it('refuses a need nobody provides, naming the module and the service', () => {
    const msg = wiringError(() => startOrder([mod('booth', { needs: ['frameSource'], provides: ['booth'] })]));
    expect(msg).toContain('booth needs service "frameSource", which no module provides');
  });

  it('does not count a service some module only may provide as provided', () => {
    const player: ModuleSpec = { ...mod('player', { provides: ['player'] }), mayProvide: ['screen'] };
    expect(wiringError(() => startOrder([player, mod('hud-user', { needs: ['screen'] })]))).toContain('only may provide');
    expect(names(startOrder([mod('hud-user', { wants: ['screen'] }), player]))).toEqual(['player', 'hud-user']);
  });

  it('refuses needs that form a cycle, naming the modules around it', () => {
    const msg = wiringError(() =>
      startOrder([
        mod('free', { provides: ['results'] }),
        mod('a', { needs: ['booth'], provides: ['mqtt'] }),
        mod('b', { needs: ['mqtt'], wants: ['results'], provides: ['booth'] }),
      ]),
    );
    expect(msg).toContain('needs form a cycle');
    expect(msg).toContain('a needs "booth" (from b)');
    expect(msg).toContain('b needs "mqtt" (from a)');
  });

  it('counts a want as an order constraint too, so wants can form a cycle', () => {
    expect(wiringError(() => startOrder([mod('a', { wants: ['booth'], provides: ['mqtt'] }), mod('b', { wants: ['mqtt'], provides: ['booth'] })]))).toContain('cycle');
  });

  it('refuses a service two modules provide', () => {
    expect(wiringError(() => startOrder([mod('a', { provides: ['results'] }), mod('b', { provides: ['results'] })]))).toContain('provided by both a and b');
    expect(wiringError(() => startOrder([mod('fake-daemon', { provides: ['daemon'] })]))).toContain('provided by both the daemon and fake-daemon');
  });
});

describe('the daemon and the wiring', () => {
  it('starts in the derived order and stops in reverse', async () => {
    const log: string[] = [];
    const d = new Daemon({
      config: defaultConfig(),
      log: silentLogger,
      modules: [mod('booth', { needs: ['results'], provides: ['booth'] }, log), mod('results', { provides: ['results'] }, log)],
    });
    await d.start();
    expect(d.serviceMap.results).toBe(results);
    await d.stop();
    expect(log).toEqual(['start results', 'start booth', 'stop booth', 'stop results']);
  });

  it('refuses to start, starting nothing, when a need has no provider', async () => {
    const log: string[] = [];
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: [mod('first', {}, log), mod('booth', { needs: ['frameSource'] }, log)] });
    await expect(d.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_WIRING' });
    expect(log).toEqual([]);
  });

  it('fails the start when the provider of a need is switched off, and stops what started', async () => {
    const log: string[] = [];
    const d = new Daemon({
      config: defaultConfig(),
      log: silentLogger,
      modules: [mod('first', {}, log), mod('results', { provides: ['results'], off: true }, log), mod('booth', { needs: ['results'] }, log)],
    });
    const err = await d.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'POKERFACE_ERR_WIRING' });
    expect((err as Error).message).toContain('booth needs "results"');
    expect(log).toEqual(['start first', 'stop first']);
  });

  it('leaves an optional want out when its provider is switched off', async () => {
    const log: string[] = [];
    const d = new Daemon({
      config: defaultConfig(),
      log: silentLogger,
      modules: [mod('results', { provides: ['results'], off: true }, log), mod('booth', { wants: ['results'] }, log)],
    });
    await d.start();
    expect(d.serviceMap.results).toBeUndefined();
    await d.stop();
    expect(log).toEqual(['start booth', 'stop booth']);
  });

  it('refuses a module that hands back a service it did not declare, or leaves out one it did', async () => {
    const undeclared: ModuleSpec = { name: 'sneaky', needs: [], provides: [], create: () => ({ lifecycle: null, services: { results } }) };
    await expect(new Daemon({ config: defaultConfig(), log: silentLogger, modules: [undeclared] }).start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_WIRING' });
    const forgetful: ModuleSpec = { name: 'forgetful', needs: [], provides: ['results'], create: () => ({ lifecycle: null, services: {} }) };
    await expect(new Daemon({ config: defaultConfig(), log: silentLogger, modules: [forgetful] }).start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_WIRING' });
  });

  it('calls allStarted once everything started and stopBegins before anything stops', async () => {
    const log: string[] = [];
    const hooked: ModuleSpec = {
      name: 'hooked',
      needs: [],
      provides: [],
      create: () => ({
        lifecycle: { name: 'hooked', start: async () => void log.push('start hooked'), stop: async () => void log.push('stop hooked') },
        services: {},
        allStarted: () => void log.push('all started'),
        stopBegins: () => void log.push('stop begins'),
      }),
    };
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: [hooked, mod('b', {}, log)] });
    await d.start();
    await d.stop();
    await d.stop();
    expect(log).toEqual(['start hooked', 'start b', 'all started', 'stop begins', 'stop b', 'stop hooked']);
  });

  it('does not call the hooks of a start that failed', async () => {
    const log: string[] = [];
    const hooked: ModuleSpec = {
      name: 'hooked',
      needs: [],
      provides: [],
      create: () => ({ lifecycle: null, services: {}, allStarted: () => void log.push('all started'), stopBegins: () => void log.push('stop begins') }),
    };
    const bad: ModuleSpec = { name: 'bad', needs: [], provides: [], create: () => ({ lifecycle: { name: 'bad', start: () => Promise.reject(new Error('boom')), stop: async () => undefined }, services: {} }) };
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: [hooked, bad] });
    await expect(d.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_STARTUP' });
    await d.stop();
    expect(log).toEqual([]);
  });
});

describe('defineModule', () => {
  it('types a module against what it declares (checked by tsc: the lines marked below do not compile)', () => {
    const spec = defineModule({
      name: 'typed',
      needs: ['results'],
      wants: ['screen'],
      provides: ['booth'],
      create(ctx) {
        const r: ResultsStore = ctx.services.results; // a need is there
        void r;
        void ctx.services.screen?.wantsFace; // a want may be absent
        // @ts-expect-error a service the module did not declare
        void ctx.services.player;
        // @ts-expect-error a misnamed service
        void ctx.services.result;
        return null;
      },
    });
    expect(spec).toMatchObject({ name: 'typed', needs: ['results'], provides: ['booth'] });
    defineModule({
      name: 'forgets',
      needs: [],
      provides: ['results'],
      // @ts-expect-error a module must hand back what it provides
      create: () => ({ lifecycle: null, services: {} }),
    });
    defineModule({
      name: 'misnamed',
      // @ts-expect-error a service name that does not exist
      needs: ['resluts'],
      provides: [],
      create: () => null,
    });
  });
});
