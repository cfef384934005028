import { describe, expect, it } from 'vitest';
import { FakeLineDriver } from '../../../src/controls/fake-line-driver.js';
import { GpioButtons } from '../../../src/controls/gpio-backend.js';
import { silentLogger } from '../../../src/log.js';
import { collect, controlsConfig, LINES, manualTime, SIX_BUTTONS } from './helpers.js';

/** let the fake driver's promises settle */
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(yaml = SIX_BUTTONS, prepare?: (d: FakeLineDriver) => void) {
  const config = controlsConfig(yaml);
  const { clock, timers } = manualTime();
  const driver = new FakeLineDriver();
  prepare?.(driver);
  let mono = 5_000_000_000n;
  const gpio = new GpioButtons({ config, driver, clock, timers, log: silentLogger, monoNs: () => mono });
  const events = collect(gpio);
  const setMono = (ns: bigint): void => void (mono = ns);
  return { config, clock, timers, driver, gpio, events, setMono };
}

describe('GPIO backend', () => {
  it('opens one watch per chip/active-low/bias group with the configured flags', async () => {
    const { driver, gpio } = setup(`gpio:
  chip: gpiochip0
  buttons:
    funny: { line: 17 }
    scary: { line: 27 }
    level1: { line: 3, chip: gpiochip1, activeLow: false, bias: pull-down }
    start: { line: 25, bias: as-is, debounceMs: 10 }`);
    await gpio.start();
    expect(driver.openWatches()).toEqual([
      { chip: 'gpiochip0', lines: [17, 27], activeLow: true, bias: 'pull-up' },
      { chip: 'gpiochip1', lines: [3], activeLow: false, bias: 'pull-down' },
      { chip: 'gpiochip0', lines: [25], activeLow: true, bias: 'as-is' },
    ]);
    await gpio.stop();
    expect(driver.openWatches()).toEqual([]);
  });

  it('two buttons pressed at once, bouncing into each other, give one press each and one hold each', async () => {
    const { driver, gpio, events, timers, clock } = setup();
    await gpio.start();
    const t0 = clock.now();
    const seq: Array<[number, boolean]> = [
      [LINES.funny, true],
      [LINES.scary, true],
      [LINES.funny, false],
      [LINES.scary, false],
      [LINES.funny, true],
      [LINES.scary, true],
    ];
    for (const [line, level] of seq) {
      driver.edge('gpiochip0', line, level);
      timers.advance(2);
    }
    timers.advance(2000);
    expect(events.map((e) => `${e.name} ${e.kind} ${e.ts - t0}`)).toEqual(['funny press 0', 'scary press 2', 'funny hold 1000', 'scary hold 1002']);
    await gpio.stop();
  });

  it('start uses staffHoldMs for its only hold (staff: back to attract)', async () => {
    const { driver, gpio, events, timers, clock, config } = setup();
    await gpio.start();
    const t0 = clock.now();
    driver.edge('gpiochip0', LINES.start, true);
    timers.advance(config.holdMs + 500);
    expect(events.map((e) => e.kind)).toEqual(['press']);
    timers.advance(config.staffHoldMs);
    expect(events).toEqual([
      { name: 'start', kind: 'press', ts: t0, source: 'gpio' },
      { name: 'start', kind: 'hold', ts: t0 + config.staffHoldMs, source: 'gpio' },
    ]);
    await gpio.stop();
  });

  it('stamps edges with the kernel timestamp mapped onto the clock by its age', async () => {
    const { driver, gpio, events, timers, clock, setMono } = setup();
    await gpio.start();
    setMono(9_000_000_000n);
    driver.edge('gpiochip0', LINES.level2, true, 9_000_000_000n - 25_000_000n); // 25 ms old
    const now = clock.now();
    timers.advance(100);
    expect(events[0]?.ts).toBe(now - 25);
    // a timestamp from another clock (far off) falls back to arrival time
    driver.edge('gpiochip0', LINES.level2, false);
    timers.advance(100);
    const arrival = clock.now();
    driver.edge('gpiochip0', LINES.level3, true, 1n);
    timers.advance(100);
    expect(events[1]?.ts).toBe(arrival);
    await gpio.stop();
  });

  it('a line driver that fails to open: clear error in health, start still resolves, retries with backoff until it opens', async () => {
    const { driver, gpio, timers, events } = setup(SIX_BUTTONS, (d) => d.failOpen.add('gpiochip0:25'));
    await gpio.start();
    let h = gpio.health();
    expect(h.healthy).toBe(false);
    expect(h.backends[0]?.state).toBe('failed');
    expect(h.backends[0]?.error).toContain('POKERFACE_ERR_GPIO_OPEN');
    expect(h.backends[0]?.error).toContain('funny,scary,level1,level2,level3,start (gpiochip0');
    expect(driver.watchAttempts).toBe(1);
    timers.advance(1000);
    await flush();
    expect(driver.watchAttempts).toBe(2);
    timers.advance(1999);
    await flush();
    expect(driver.watchAttempts).toBe(2);
    timers.advance(1);
    await flush();
    expect(driver.watchAttempts).toBe(3);
    driver.failOpen.clear();
    timers.advance(4000);
    await flush();
    h = gpio.health();
    expect(h).toEqual({ healthy: true, backends: [{ name: 'gpio', state: 'ok' }] });
    driver.edge('gpiochip0', LINES.funny, true);
    timers.advance(50);
    expect(events.map((e) => e.name)).toEqual(['funny']);
    await gpio.stop();
    expect(timers.size).toBe(0);
  });

  it('backoff stops growing at gpio.retryMaxMs', async () => {
    const { driver, gpio, timers } = setup(`gpio:
  retryMaxMs: 3000
  buttons:
    funny: { line: 17 }`, (d) => d.failOpen.add('gpiochip0'));
    await gpio.start();
    for (let t = 0; t < 18_000; t += 100) {
      timers.advance(100);
      await flush();
    }
    // 1 s, 2 s, then every 3 s: attempts at 0, 1, 3, 6, 9, 12, 15, 18
    expect(driver.watchAttempts).toBe(8);
    await gpio.stop();
  });

  it('missing tools give GPIO_UNAVAILABLE in health', async () => {
    const { gpio } = setup(SIX_BUTTONS, (d) => (d.unavailable = true));
    await gpio.start();
    expect(gpio.health().backends[0]?.error).toContain('POKERFACE_ERR_GPIO_UNAVAILABLE');
    await gpio.stop();
  });

  it('a monitor that dies: unhealthy, a held button is forgotten (no hold), reopened after 1 s', async () => {
    const { driver, gpio, timers, events } = setup();
    await gpio.start();
    driver.edge('gpiochip0', LINES.level1, true);
    timers.advance(100);
    driver.kill('gpiochip0', LINES.level1);
    expect(gpio.health().healthy).toBe(false);
    timers.advance(999);
    expect(events.map((e) => e.kind)).toEqual(['press']);
    timers.advance(1);
    await flush();
    expect(gpio.health().healthy).toBe(true);
    expect(driver.openWatches()).toHaveLength(1);
    await gpio.stop();
  });

  it('stop during a slow open waits for it and leaves no watch open', async () => {
    const { driver, gpio } = setup();
    let release!: () => void;
    driver.gate = new Promise((r) => (release = r));
    const starting = gpio.start();
    await flush();
    const stopping = gpio.stop();
    release();
    await Promise.all([starting, stopping]);
    expect(driver.watchAttempts).toBe(1);
    expect(driver.openWatches()).toEqual([]);
    expect(driver.openOutputsByChip.size).toBe(0);
  });

  it('refuses a line used twice, as a config error', async () => {
    // with the gpio backend on, loading the config already refuses this (src/config/checks.ts);
    // the backend keeps its own check for a config built any other way
    const { gpio } = setup(`backends: [keyboard]
gpio:
  buttons:
    funny: { line: 17 }
  lights:
    scary: { line: 17 }`);
    await expect(gpio.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_CONFIG_INVALID', message: expect.stringContaining('gpiochip0 line 17') as unknown });
  });

  it('with no buttons configured it is degraded, not failed', async () => {
    const { gpio } = setup('backends: [gpio]');
    await gpio.start();
    expect(gpio.health()).toEqual({ healthy: true, backends: [{ name: 'gpio', state: 'degraded', error: 'no buttons configured in controls.gpio.buttons' }] });
    await gpio.stop();
  });
});

describe('GPIO button lights', () => {
  it('start all off (active-low honoured), on/off/blink at blinkMs, all off on stop', async () => {
    const { driver, gpio, timers, config } = setup();
    await gpio.start();
    // funny 5, scary 6 active-high; start 26 active-low
    expect(driver.writes.at(-1)).toEqual({ chip: 'gpiochip0', values: new Map([[5, false], [6, false], [26, true]]) });
    gpio.setLights({ funny: 'on', start: 'blink' });
    await Promise.resolve();
    expect([driver.level('gpiochip0', 5), driver.level('gpiochip0', 6), driver.level('gpiochip0', 26)]).toEqual([true, false, false]);
    timers.advance(config.blinkMs);
    await Promise.resolve();
    expect(driver.level('gpiochip0', 26)).toBe(true); // blink phase off → active-low line high
    timers.advance(config.blinkMs);
    await Promise.resolve();
    expect(driver.level('gpiochip0', 26)).toBe(false);
    const writes = driver.writes.length;
    gpio.setLights({ scary: 'off' }); // no change: nothing written
    await Promise.resolve();
    expect(driver.writes.length).toBe(writes);
    gpio.setLights({ start: 'on' }); // blinking stops
    expect(timers.size).toBe(0);
    await gpio.stop();
    expect(driver.writes.at(-1)?.values).toEqual(new Map([[5, false], [6, false], [26, true]]));
    expect(driver.openOutputsByChip.get('gpiochip0')).toBe(false);
    expect(timers.size).toBe(0);
  });

  it('lights that fail to open leave the buttons working: degraded, still healthy', async () => {
    const { driver, gpio, timers, events } = setup(SIX_BUTTONS, (d) => (d.failOutputs = true));
    await gpio.start();
    expect(gpio.health().healthy).toBe(true);
    expect(gpio.health().backends[0]).toMatchObject({ state: 'degraded', error: expect.stringContaining('lights: gpiochip0: POKERFACE_ERR_GPIO_OPEN') as unknown });
    gpio.setLights({ funny: 'blink' });
    driver.edge('gpiochip0', LINES.funny, true);
    timers.advance(50);
    expect(events).toHaveLength(1);
    await gpio.stop();
    expect(timers.size).toBe(0);
  });
});
