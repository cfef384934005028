import { silentLogger } from '../../../src/log.js';
import { buildControls } from '../../../src/controls/build.js';
import { FakeLineDriver } from '../../../src/controls/fake-line-driver.js';
import { GpioButtons } from '../../../src/controls/gpio-backend.js';
import { KEY_REPEAT_DELAY_MS, KeyboardButtons } from '../../../src/controls/keyboard.js';
import { VirtualButtonSource } from '../../../src/controls/virtual.js';
import type { ButtonName } from '../../../src/types.js';
import { buttonSourceContract, type ContractHarness } from './contract.js';
import { controlsConfig, FakeTty, LINES, manualTime, SIX_BUTTONS } from './helpers.js';

function gpioHarness(): ContractHarness {
  const config = controlsConfig(SIX_BUTTONS);
  const { clock, timers } = manualTime();
  const driver = new FakeLineDriver();
  const source = new GpioButtons({ config, driver, clock, timers, log: silentLogger });
  const holdFor = (name: ButtonName): number => (name === 'start' ? config.staffHoldMs : config.holdMs);
  return {
    source,
    kind: 'gpio',
    press(name) {
      // a bouncy press and release, as a real arcade switch gives
      for (const level of [true, false, true, false, true]) {
        driver.edge('gpiochip0', LINES[name], level);
        timers.advance(3);
      }
      timers.advance(100);
      driver.edge('gpiochip0', LINES[name], false);
      timers.advance(100);
    },
    hold(name) {
      driver.edge('gpiochip0', LINES[name], true);
      timers.advance(holdFor(name) + 200);
      driver.edge('gpiochip0', LINES[name], false);
      timers.advance(100);
    },
    pendingTimers: () => timers.size,
  };
}

function keyboardHarness(): ContractHarness {
  const config = controlsConfig('backends: [keyboard]');
  const { clock, timers } = manualTime();
  const tty = new FakeTty();
  const source = new KeyboardButtons({ config, input: tty, clock, timers, log: silentLogger, interrupt: () => {} });
  const keyOf = (name: ButtonName): string => Object.entries(config.keyboard.keys).find(([, b]) => b === name)?.[0] ?? '?';
  const holdFor = (name: ButtonName): number => (name === 'start' ? config.staffHoldMs : config.holdMs);
  return {
    source,
    kind: 'keyboard',
    press(name) {
      tty.type(keyOf(name));
      timers.advance(KEY_REPEAT_DELAY_MS + 1);
    },
    hold(name) {
      // the terminal's auto-repeat: first repeat after 500 ms, then every 33 ms
      const key = keyOf(name);
      tty.type(key);
      timers.advance(500);
      for (let t = 500; t < holdFor(name) + 100; t += 33) {
        tty.type(key);
        timers.advance(33);
      }
      timers.advance(KEY_REPEAT_DELAY_MS + 1);
    },
    pendingTimers: () => timers.size,
  };
}

function virtualHarness(): ContractHarness {
  const { clock, timers } = manualTime();
  const source = new VirtualButtonSource(clock, silentLogger);
  return {
    source,
    kind: 'virtual',
    press(name) {
      source.pressVirtual(name);
      clock.advance(10);
    },
    hold(name) {
      source.pressVirtual(name, 'hold');
      clock.advance(10);
    },
    pendingTimers: () => timers.size,
  };
}

function compositeHarness(): ContractHarness {
  const config = controlsConfig(`${SIX_BUTTONS.replace('backends: [gpio]', 'backends: [gpio, keyboard]')}`);
  const { clock, timers } = manualTime();
  const driver = new FakeLineDriver();
  const tty = new FakeTty();
  const source = buildControls(config, { clock, timers, log: silentLogger, driver, input: tty, interrupt: () => {} });
  const holdFor = (name: ButtonName): number => (name === 'start' ? config.staffHoldMs : config.holdMs);
  return {
    source,
    kind: 'gpio',
    press(name) {
      driver.edge('gpiochip0', LINES[name], true);
      timers.advance(100);
      driver.edge('gpiochip0', LINES[name], false);
      timers.advance(100);
    },
    hold(name) {
      driver.edge('gpiochip0', LINES[name], true);
      timers.advance(holdFor(name) + 200);
      driver.edge('gpiochip0', LINES[name], false);
      timers.advance(100);
    },
    pendingTimers: () => timers.size,
  };
}

buttonSourceContract('GPIO backend over a fake line driver', gpioHarness);
buttonSourceContract('keyboard backend over a fake terminal', keyboardHarness);
buttonSourceContract('virtual buttons', virtualHarness);
buttonSourceContract('composite (gpio + keyboard + virtual)', compositeHarness);
