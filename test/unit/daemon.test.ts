import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.js';
import { Daemon, ExitRequests, runUntilSignal, type ModuleSpec } from '../../src/daemon.js';
import { silentLogger } from '../../src/log.js';
import { EventEmitter } from 'node:events';
import { TestTimers } from '../test-timers.js';

function recorder(): { specs: ModuleSpec[]; log: string[] } {
  const log: string[] = [];
  const make = (name: string, failStart = false): ModuleSpec => ({
    name,
    needs: [],
    provides: [],
    create: () => ({
      lifecycle: {
        name,
        start: () => {
          log.push(`start ${name}`);
          return failStart ? Promise.reject(new Error('boom')) : Promise.resolve();
        },
        stop: () => {
          log.push(`stop ${name}`);
          return Promise.resolve();
        },
      },
      services: {},
    }),
  });
  return { specs: [make('a'), make('b'), { name: 'off', needs: [], provides: [], create: () => null }, make('c')], log };
}

describe('daemon lifecycle', () => {
  it('starts in order and stops in reverse', async () => {
    const { specs, log } = recorder();
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: specs });
    await d.start();
    await d.stop();
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('stops what started when a later module fails', async () => {
    const log: string[] = [];
    const ok: ModuleSpec = { name: 'ok', needs: [], provides: [], create: () => ({ lifecycle: { name: 'ok', start: async () => void log.push('start ok'), stop: async () => void log.push('stop ok') }, services: {} }) };
    const bad: ModuleSpec = { name: 'bad', needs: [], provides: [], create: () => ({ lifecycle: { name: 'bad', start: () => Promise.reject(new Error('boom')), stop: async () => void log.push('stop bad') }, services: {} }) };
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: [ok, bad] });
    await expect(d.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_STARTUP' });
    expect(log).toEqual(['start ok', 'stop ok']);
  });

  it('stops cleanly on SIGTERM and resolves exit 0', async () => {
    const { specs, log } = recorder();
    const proc = new EventEmitter() as EventEmitter & { exit: (c: number) => void };
    const exits: number[] = [];
    proc.exit = (c) => void exits.push(c);
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: specs });
    await d.start();
    const done = runUntilSignal(d, silentLogger, { proc: proc as never, exitRequests: new ExitRequests() });
    proc.emit('SIGTERM');
    await expect(done).resolves.toBe(0);
    expect(log.at(-1)).toBe('stop a');
    expect(exits).toEqual([]);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('exits non-zero when stopping overruns the deadline', async () => {
    const hang: ModuleSpec = { name: 'hang', needs: [], provides: [], create: () => ({ lifecycle: { name: 'hang', start: () => Promise.resolve(), stop: () => new Promise<void>((r) => setTimeout(r, 300)) }, services: {} }) };
    const proc = new EventEmitter() as EventEmitter & { exit: (c: number) => void };
    const exits: number[] = [];
    proc.exit = (c) => void exits.push(c);
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: [hang] });
    await d.start();
    const done = runUntilSignal(d, silentLogger, { proc: proc as never, stopDeadlineMs: 50, exitRequests: new ExitRequests() });
    proc.emit('SIGINT');
    await done;
    expect(exits).toEqual([70]);
  });

  it('the stop deadline runs on the injected timers: a hung stop exits 70 when it runs out, a finished one leaves no timer', async () => {
    let release: () => void = () => undefined;
    const hang: ModuleSpec = { name: 'hang', needs: [], provides: [], create: () => ({ lifecycle: { name: 'hang', start: () => Promise.resolve(), stop: () => new Promise<void>((r) => (release = r)) }, services: {} }) };
    const proc = new EventEmitter() as EventEmitter & { exit: (c: number) => void };
    const exits: number[] = [];
    proc.exit = (c) => void exits.push(c);
    const timers = new TestTimers();
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: [hang] });
    await d.start();
    const done = runUntilSignal(d, silentLogger, { proc: proc as never, stopDeadlineMs: 5000, timers, exitRequests: new ExitRequests() });
    proc.emit('SIGTERM');
    expect(timers.size).toBe(1);
    timers.advance(4999);
    expect(exits).toEqual([]);
    timers.advance(1);
    expect(exits).toEqual([70]);
    release();
    await done;

    const ok = new Daemon({ config: defaultConfig(), log: silentLogger, modules: recorder().specs });
    await ok.start();
    const t2 = new TestTimers();
    const done2 = runUntilSignal(ok, silentLogger, { proc: proc as never, timers: t2, exitRequests: new ExitRequests() });
    proc.emit('SIGTERM');
    await expect(done2).resolves.toBe(0);
    expect(t2.size).toBe(0);
  });

  it('turns an exit request into a clean stop with that code', async () => {
    const { specs } = recorder();
    const exits = new ExitRequests();
    const proc = new EventEmitter() as EventEmitter & { exit: (c: number) => void };
    proc.exit = () => undefined;
    const d = new Daemon({ config: defaultConfig(), log: silentLogger, modules: specs, onExitRequest: exits.request });
    await d.start();
    exits.request(75, 'restart');
    await expect(runUntilSignal(d, silentLogger, { proc: proc as never, exitRequests: exits })).resolves.toBe(75);
  });
});
