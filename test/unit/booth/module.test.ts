// boothModule() inside the real Daemon: it finds the services registered before it and
// offers services.booth; missing services make it unhealthy, not the daemon fail.
import { describe, expect, it } from 'vitest';
import { boothModule } from '../../../src/booth/module.js';
import { ManualClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import { Daemon, type ModuleSpec } from '../../../src/daemon.js';
import { FakeFrameSource } from '../../../src/capture/fake.js';
import { VirtualButtonSource } from '../../../src/controls/virtual.js';
import { silentLogger } from '../../../src/log.js';
import { FakePlayer } from '../../../src/player/fake.js';
import type { BoothControl } from '../../../src/types.js';
import { makeMedia, ScriptedDetector } from './fakes.js';

function provider(name: string, make: () => unknown): ModuleSpec {
  return {
    name,
    create(ctx) {
      ctx.services[name] = make();
      return { name, start: async () => undefined, stop: async () => undefined };
    },
  };
}

describe('boothModule', () => {
  it('registers services.booth and reports healthy with every service present', async () => {
    const clock = new ManualClock(5000);
    const player = new FakePlayer({ clock, clipMs: null, playable: () => true });
    const buttons = new VirtualButtonSource(clock, silentLogger);
    await player.start();
    await buttons.start();
    const d = new Daemon({
      config: defaultConfig(),
      log: silentLogger,
      clock,
      modules: [
        provider('frameSource', () => new FakeFrameSource({ clock })),
        provider('detector', () => new ScriptedDetector()),
        provider('player', () => player),
        provider('media', () => makeMedia()),
        provider('buttons', () => buttons),
        boothModule(),
      ],
    });
    await d.start();
    const booth = d.serviceMap.booth as BoothControl;
    expect(booth.state().phase).toBe('attract');
    expect(booth.press('funny')).toEqual({ ok: true });
    expect(booth.state()).toMatchObject({ phase: 'select', mode: 'funny' });
    expect(d.health().find((h) => h.name === 'booth')).toEqual({ name: 'booth', healthy: true, reasons: [] });
    await d.stop();
    await player.stop();
    expect(booth.start()).toMatchObject({ ok: false, code: 'POKERFACE_ERR_BOOTH_NOT_READY' });
  });

  it('starts without its services and says what is missing', async () => {
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, clock: new ManualClock(), modules: [boothModule()] });
    await d.start();
    const h = d.health().find((x) => x.name === 'booth');
    expect(h?.healthy).toBe(false);
    expect(h?.reasons).toEqual(
      expect.arrayContaining(['service frameSource is missing', 'service detector is missing', 'service player is missing', 'service media is missing', 'service buttons is missing']),
    );
    await d.stop();
  });
});
