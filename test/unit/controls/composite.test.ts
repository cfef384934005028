import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../../src/config/load.js';
import { buildControls } from '../../../src/controls/build.js';
import { FakeLineDriver } from '../../../src/controls/fake-line-driver.js';
import { controlsModule } from '../../../src/controls/module.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import type { ButtonSource, VirtualButtons } from '../../../src/types.js';
import { collect, controlsConfig, FakeTty, LINES, manualTime, SIX_BUTTONS } from './helpers.js';

const BOTH = SIX_BUTTONS.replace('backends: [gpio]', 'backends: [gpio, keyboard]');

describe('composite controls', () => {
  it('merges gpio, keyboard and virtual presses into one stream', async () => {
    const { clock, timers } = manualTime();
    const driver = new FakeLineDriver();
    const tty = new FakeTty();
    const c = buildControls(controlsConfig(BOTH), { clock, timers, log: silentLogger, driver, input: tty, interrupt: () => {} });
    const events = collect(c);
    await c.start();
    driver.edge('gpiochip0', LINES.funny, true);
    timers.advance(50);
    tty.type('3');
    c.pressVirtual('start', 'hold');
    expect(events.map((e) => `${e.source} ${e.name} ${e.kind}`)).toEqual(['gpio funny press', 'keyboard level3 press', 'virtual start hold']);
    expect(c.health()).toEqual({
      healthy: true,
      backends: [
        { name: 'gpio', state: 'ok' },
        { name: 'keyboard', state: 'ok' },
        { name: 'virtual', state: 'ok' },
      ],
    });
    await c.stop();
    expect(timers.size).toBe(0);
    expect(tty.isRaw).toBe(false);
  });

  it('rejects unknown virtual buttons with POKERFACE_ERR_UNKNOWN_BUTTON', async () => {
    const { clock, timers } = manualTime();
    const c = buildControls(controlsConfig('backends: []'), { clock, timers, log: silentLogger });
    await c.start();
    expect(() => c.pressVirtual('nope' as never)).toThrowError(expect.objectContaining({ code: 'POKERFACE_ERR_UNKNOWN_BUTTON' }));
    await c.stop();
  });

  it('remembers the lights asked for and hands them to backends started later', async () => {
    const { clock, timers } = manualTime();
    const driver = new FakeLineDriver();
    const c = buildControls(controlsConfig(SIX_BUTTONS), { clock, timers, log: silentLogger, driver });
    c.setLights({ funny: 'on' });
    await c.start();
    await new Promise((r) => setImmediate(r));
    expect(c.lights()).toEqual({ funny: 'on' });
    expect(driver.level('gpiochip0', 5)).toBe(true);
    await c.stop();
    expect(driver.level('gpiochip0', 5)).toBe(false);
  });
});

describe('controlsModule in the daemon', () => {
  it('GPIO that cannot open: the daemon runs, keyboard and virtual buttons work, health says controls are degraded and why', async () => {
    const { timers } = manualTime();
    const driver = new FakeLineDriver();
    driver.failOpen.add('gpiochip0');
    const tty = new FakeTty();
    const config = parseConfig(`controls:\n${BOTH.split('\n').map((l) => `  ${l}`).join('\n')}\n`, 'test');
    const daemon = new Daemon({ config, log: silentLogger, modules: [controlsModule({ driver, input: tty, timers, interrupt: () => {} })] });
    await daemon.start();
    const buttons = daemon.serviceMap.buttons as ButtonSource & VirtualButtons;
    const events = collect(buttons);
    buttons.pressVirtual('level1');
    tty.type('f');
    expect(events.map((e) => `${e.source} ${e.name}`)).toEqual(['virtual level1', 'keyboard funny']);
    const [h] = daemon.health();
    expect(h?.name).toBe('controls');
    expect(h?.healthy).toBe(false);
    expect(h?.reasons[0]).toMatch(/^gpio: .*POKERFACE_ERR_GPIO_OPEN/);
    expect(h?.reasons[1]).toContain('still work');
    expect(buttons.health().backends.map((b) => `${b.name} ${b.state}`)).toEqual(['gpio failed', 'keyboard ok', 'virtual ok']);
    await daemon.stop();
    expect(timers.size).toBe(0);
  });

  it('registers services.buttons and is healthy with the default demo-less config and virtual buttons only', async () => {
    const config = defaultConfig();
    const daemon = new Daemon({
      config: { ...config, controls: { ...config.controls, backends: [] } },
      log: silentLogger,
      modules: [controlsModule()],
    });
    await daemon.start();
    expect(daemon.serviceMap.buttons).toBeDefined();
    expect(daemon.health()).toEqual([{ name: 'controls', healthy: true, reasons: [] }]);
    await daemon.stop();
  });
});
