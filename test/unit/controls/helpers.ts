import { EventEmitter } from 'node:events';
import { ManualClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import type { FrozenConfig } from '../../../src/config/schema.js';
import type { KeyInput } from '../../../src/controls/keyboard.js';
import { TestTimers } from '../../test-timers.js';
import type { ButtonEvent } from '../../../src/types.js';

/** controls config from YAML text (the part under `controls:`), defaults applied */
export function controlsConfig(yaml = ''): FrozenConfig['controls'] {
  const body = yaml
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return parseConfig(`controls:\n${body}\n`, 'test').controls;
}

export const SIX_BUTTONS = `backends: [gpio]
gpio:
  chip: gpiochip0
  buttons:
    funny:  { line: 17 }
    scary:  { line: 27 }
    level1: { line: 22 }
    level2: { line: 23 }
    level3: { line: 24 }
    start:  { line: 25 }
  lights:
    funny:  { line: 5 }
    scary:  { line: 6 }
    start:  { line: 26, activeLow: true }`;

export const LINES = { funny: 17, scary: 27, level1: 22, level2: 23, level3: 24, start: 25 } as const;

export function manualTime(): { clock: ManualClock; timers: TestTimers } {
  const clock = new ManualClock(1000);
  return { clock, timers: new TestTimers(clock) };
}

export function collect(source: { onButton(cb: (e: ButtonEvent) => void): void }): ButtonEvent[] {
  const events: ButtonEvent[] = [];
  source.onButton((e) => events.push(e));
  return events;
}

/** A terminal stdin: records raw-mode changes, lets a test type keys. */
export class FakeTty extends EventEmitter implements KeyInput {
  isTTY = true;
  isRaw = false;
  rawModes: boolean[] = [];
  flowing = false;
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    this.rawModes.push(mode);
    return this;
  }
  resume(): this {
    this.flowing = true;
    return this;
  }
  pause(): this {
    this.flowing = false;
    return this;
  }
  type(text: string): void {
    this.emit('data', Buffer.from(text, 'utf8'));
  }
}
