// boothModule() inside the real Daemon: it finds the services it needs (their providers
// start first) and offers services.booth; a need nobody provides stops the start.
import { describe, expect, it } from 'vitest';
import { boothModule } from '../../../src/booth/module.js';
import { ManualClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import { Daemon, type ModuleSpec, type ServiceMap, type ServiceName } from '../../../src/daemon.js';
import { FakeFrameSource } from '../../../src/capture/fake.js';
import { VirtualButtonSource } from '../../../src/controls/virtual.js';
import { silentLogger } from '../../../src/log.js';
import { FakePlayer } from '../../../src/player/fake.js';
import type { BoothControl } from '../../../src/types.js';
import { makeMedia, ScriptedDetector } from './fakes.js';

function provider<K extends ServiceName>(name: K, make: () => ServiceMap[K]): ModuleSpec {
  return {
    name,
    needs: [],
    provides: [name],
    create: () => ({ lifecycle: { name, start: async () => undefined, stop: async () => undefined }, services: { [name]: make() } }),
  };
}

/** The booth only picks clips; the rest of the media library's surface is for staff and reload. */
function media(): ServiceMap['media'] {
  return { ...makeMedia(), root: '/media', reload: async () => undefined, summary: () => ({ dir: '/media', folders: [], attract: 1, total: 1, empty: [], skipped: [] }), clips: () => [], durationMs: () => undefined };
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
        boothModule(), // listed first: still started after what it needs
        provider('detector', () => new ScriptedDetector()),
        provider('player', () => player),
        provider('media', media),
        provider('buttons', () => buttons),
        provider('frameSource', () => new FakeFrameSource({ clock })),
      ],
    });
    await d.start();
    const booth: BoothControl | undefined = d.serviceMap.booth;
    if (!booth) throw new Error('no services.booth');
    expect(booth.state().phase).toBe('attract');
    expect(booth.press('funny')).toEqual({ ok: true });
    expect(booth.state()).toMatchObject({ phase: 'select', mode: 'funny' });
    expect(d.health().find((h) => h.name === 'booth')).toEqual({ name: 'booth', healthy: true, reasons: [] });
    await d.stop();
    await player.stop();
    expect(booth.start()).toMatchObject({ ok: false, code: 'POKERFACE_ERR_BOOTH_NOT_READY' });
  });

  it('refuses to start without the services it needs and says which', async () => {
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, clock: new ManualClock(), modules: [boothModule()] });
    const err = await d.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'POKERFACE_ERR_WIRING' });
    expect((err as Error).message).toContain('booth needs service "frameSource", which no module provides');
  });
});
