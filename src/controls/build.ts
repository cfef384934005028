// Builds services.buttons from the controls config. Every outside thing comes in through
// ControlsDeps so tests, the daemon and `pokerface buttons` share one construction.
import type { FrozenConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { ButtonSource, Clock } from '../types.js';
import { Controls } from './composite.js';
import { GpioButtons } from './gpio-backend.js';
import { GpiodDriver } from './gpiod.js';
import { KeyboardButtons, type KeyInput } from './keyboard.js';
import type { LineDriver } from './line-driver.js';
import { systemTimers, type Timers } from '../timers.js';
import { VirtualButtonSource } from './virtual.js';

export interface ControlsDeps {
  clock: Clock;
  log: Logger;
  timers?: Timers;
  /** default: libgpiod tools at the configured paths */
  driver?: LineDriver;
  /** default: process.stdin */
  input?: KeyInput;
  /** Ctrl-C on the keyboard; default: SIGINT to this process */
  interrupt?: () => void;
  monoNs?: () => bigint;
}

export function buildControls(config: FrozenConfig['controls'], deps: ControlsDeps): Controls {
  const timers = deps.timers ?? systemTimers;
  const backends: ButtonSource[] = [];
  for (const kind of config.backends) {
    if (kind === 'gpio') {
      const driver =
        deps.driver ?? new GpiodDriver({ paths: { gpiomon: config.gpio.gpiomonPath, gpioset: config.gpio.gpiosetPath, gpioinfo: config.gpio.gpioinfoPath } });
      backends.push(new GpioButtons({ config, driver, clock: deps.clock, timers, log: deps.log.child({ backend: 'gpio' }), monoNs: deps.monoNs }));
    } else {
      backends.push(
        new KeyboardButtons({
          config,
          input: deps.input ?? process.stdin,
          clock: deps.clock,
          timers,
          log: deps.log.child({ backend: 'keyboard' }),
          interrupt: deps.interrupt,
        }),
      );
    }
  }
  return new Controls(backends, new VirtualButtonSource(deps.clock, deps.log), deps.log);
}
