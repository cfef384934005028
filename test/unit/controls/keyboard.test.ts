import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { KEY_REPEAT_DELAY_MS, KeyboardButtons, type KeyInput } from '../../../src/controls/keyboard.js';
import { silentLogger } from '../../../src/log.js';
import { collect, controlsConfig, FakeTty, manualTime } from './helpers.js';

function setup(input: KeyInput = new FakeTty()) {
  const config = controlsConfig('backends: [keyboard]');
  const { clock, timers } = manualTime();
  let interrupts = 0;
  const kb = new KeyboardButtons({ config, input, clock, timers, log: silentLogger, interrupt: () => void interrupts++ });
  const events = collect(kb);
  return { config, clock, timers, kb, events, interrupts: () => interrupts };
}

/** auto-repeat as a terminal sends it: first repeat after 500 ms, then every 33 ms, for `ms` */
function holdKey(tty: FakeTty, timers: { advance(ms: number): void }, key: string, ms: number): void {
  tty.type(key);
  timers.advance(500);
  for (let t = 500; t < ms; t += 33) {
    tty.type(key);
    timers.advance(33);
  }
}

describe('keyboard backend', () => {
  it('puts the terminal in raw mode while running and restores it on stop', async () => {
    const tty = new FakeTty();
    const { kb } = setup(tty);
    await kb.start();
    expect(tty.isRaw).toBe(true);
    expect(tty.flowing).toBe(true);
    expect(tty.listenerCount('data')).toBe(1);
    await kb.stop();
    expect(tty.rawModes).toEqual([true, false]);
    expect(tty.flowing).toBe(false);
    expect(tty.listenerCount('data')).toBe(0);
  });

  it('restores raw mode as it found it', async () => {
    const tty = new FakeTty();
    tty.isRaw = true;
    const { kb } = setup(tty);
    await kb.start();
    await kb.stop();
    expect(tty.rawModes).toEqual([true, true]);
  });

  it('stays inactive (healthy, degraded) when stdin is not a terminal, and touches nothing', async () => {
    const pipe = Object.assign(new EventEmitter(), { isTTY: false, resume: () => pipe, pause: () => pipe });
    const { kb } = setup(pipe);
    await kb.start();
    expect(kb.health()).toEqual({ healthy: true, backends: [{ name: 'keyboard', state: 'degraded', error: 'inactive: stdin is not a terminal' }] });
    expect(pipe.listenerCount('data')).toBe(0);
    await kb.stop();
  });

  it('maps keys to presses; several keys in one chunk; unmapped keys and escape sequences ignored', async () => {
    const tty = new FakeTty();
    const { kb, events, timers } = setup(tty);
    await kb.start();
    tty.type('f');
    tty.type('s1');
    tty.type('x');
    tty.type('\u001b[A'); // arrow up
    tty.type('\r');
    timers.advance(10);
    expect(events.map((e) => e.name)).toEqual(['funny', 'scary', 'level1', 'start']);
    expect(events.every((e) => e.kind === 'press' && e.source === 'keyboard')).toBe(true);
    await kb.stop();
  });

  it('Ctrl-C asks the daemon to stop', async () => {
    const tty = new FakeTty();
    const { kb, interrupts, events } = setup(tty);
    await kb.start();
    tty.type('\u0003');
    expect(interrupts()).toBe(1);
    expect(events).toEqual([]);
    await kb.stop();
  });

  it('a key kept down (auto-repeat) is one press and, past holdMs, one hold', async () => {
    const tty = new FakeTty();
    const { kb, events, timers, clock, config } = setup(tty);
    await kb.start();
    const t0 = clock.now();
    holdKey(tty, timers, 'f', 2500);
    timers.advance(1000);
    expect(events.map((e) => `${e.name} ${e.kind} ${e.ts - t0}`)).toEqual(['funny press 0', `funny hold ${config.holdMs}`]);
    await kb.stop();
  });

  it('space kept down past staffHoldMs gives the staff hold on start; shorter gives none', async () => {
    const tty = new FakeTty();
    const { kb, events, timers, config } = setup(tty);
    await kb.start();
    holdKey(tty, timers, ' ', config.staffHoldMs - 400);
    timers.advance(2000);
    expect(events.map((e) => `${e.name} ${e.kind}`)).toEqual(['start press']);
    holdKey(tty, timers, ' ', config.staffHoldMs + 100);
    timers.advance(2000);
    expect(events.map((e) => `${e.name} ${e.kind}`)).toEqual(['start press', 'start press', 'start hold']);
    await kb.stop();
  });

  it('holdKeys give a hold at once (q: staff back to attract)', async () => {
    const tty = new FakeTty();
    const { kb, events } = setup(tty);
    await kb.start();
    tty.type('q');
    tty.type('F');
    expect(events.map((e) => `${e.name} ${e.kind}`)).toEqual(['start hold', 'funny hold']);
    await kb.stop();
  });

  it('the same key twice counts twice once the repeat delay has passed', async () => {
    const tty = new FakeTty();
    const { kb, events, timers } = setup(tty);
    await kb.start();
    tty.type('2');
    timers.advance(KEY_REPEAT_DELAY_MS + 1);
    tty.type('2');
    timers.advance(2000);
    expect(events.map((e) => `${e.name} ${e.kind}`)).toEqual(['level2 press', 'level2 press']);
    await kb.stop();
    expect(timers.size).toBe(0);
  });
});
