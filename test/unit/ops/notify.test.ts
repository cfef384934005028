import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { Notifier, notifyEnv, type NotifierSources, type Timers } from '../../../src/ops/notify.js';
import type { NotifyTransport } from '../../../src/ops/notify-socket.js';

function fakeTransport(): NotifyTransport & { sent: string[]; closed: boolean } {
  const t = {
    sent: [] as string[],
    closed: false,
    send: (m: string) => {
      t.sent.push(m);
      return Promise.resolve();
    },
    close: () => {
      t.closed = true;
    },
  };
  return t;
}

function manualTimers(): Timers & { cb: (() => void) | null; every: number | null } {
  const t = {
    cb: null as (() => void) | null,
    every: null as number | null,
    setInterval: (cb: () => void, ms: number) => {
      t.cb = cb;
      t.every = ms;
      return 1;
    },
    clearInterval: () => {
      t.cb = null;
    },
  };
  return t;
}

function setup(watchdogMs: number | null = 20_000) {
  const clock = new ManualClock();
  const transport = fakeTransport();
  const timers = manualTimers();
  const state = { frameAge: 30 as number | null, inferAge: 40 as number | null };
  const sources: NotifierSources = {
    frameSource: { stats: () => ({ lastFrameAgeMs: state.frameAge, fps: 29.97 }) },
    detector: { stats: () => ({ lastAnswerAgeMs: state.inferAge, provider: 'cpu', msP50: 12.34 }) },
    booth: { state: () => ({ phase: 'attract' }) },
  };
  const n = new Notifier({ transport, clock, log: silentLogger, watchdogMs, frameMaxAgeMs: 5000, inferMaxAgeMs: 4000, sources: () => sources, timers });
  return { n, clock, transport, timers, state };
}

describe('sd_notify notifier', () => {
  it('sends READY=1 with a status line, then pings at half the watchdog interval', () => {
    const { n, transport, timers } = setup();
    n.ready();
    expect(transport.sent[0]).toBe('READY=1\nSTATUS=phase attract, 30.0 fps, cpu 12.3 ms');
    expect(timers.every).toBe(10_000);
    expect(transport.sent[1]).toMatch(/^WATCHDOG=1\nSTATUS=phase attract/);
    timers.cb?.();
    expect(transport.sent.filter((m) => m.startsWith('WATCHDOG=1'))).toHaveLength(2);
    expect(n.watchdogPings).toBe(2);
  });

  it('withholds pings while frames are stale or inference is silent, and resumes', () => {
    const { n, transport, timers, state } = setup();
    n.ready();
    transport.sent.length = 0;
    state.frameAge = 6000;
    timers.cb?.();
    expect(transport.sent).toEqual([expect.stringMatching(/^STATUS=.*STUCK: no camera frame for 6000 ms$/)]);
    expect(n.health()).toMatchObject({ healthy: false, reasons: ['watchdog withheld: no camera frame for 6000 ms'] });
    state.frameAge = 10;
    state.inferAge = null;
    timers.cb?.();
    expect(transport.sent[1]).toMatch(/inference has not answered yet/);
    expect(transport.sent[1]).not.toMatch(/WATCHDOG/);
    state.inferAge = 50;
    timers.cb?.();
    expect(transport.sent[2]).toMatch(/^WATCHDOG=1\n/);
    expect(n.health().healthy).toBe(true);
  });

  it('EXTEND_TIMEOUT_USEC suspends the inference check for as long', () => {
    const { n, clock, transport, state } = setup();
    state.inferAge = 999_999;
    n.extendTimeout(90_000);
    expect(transport.sent[0]).toBe('EXTEND_TIMEOUT_USEC=90000000');
    expect(n.check().ok).toBe(true);
    clock.advance(90_001);
    expect(n.check()).toEqual({ ok: false, reasons: ['inference silent for 999999 ms'] });
  });

  it('without a watchdog only refreshes STATUS', () => {
    const { n, transport, timers } = setup(null);
    n.ready();
    timers.cb?.();
    expect(timers.every).toBe(10_000);
    expect(transport.sent.some((m) => m.includes('WATCHDOG'))).toBe(false);
    expect(transport.sent.filter((m) => m.startsWith('STATUS='))).toHaveLength(2);
  });

  it('STOPPING=1 stops the ticker and nothing is sent after', () => {
    const { n, transport, timers } = setup();
    n.ready();
    n.stopping();
    expect(transport.sent.at(-1)).toBe('STOPPING=1\nSTATUS=stopping');
    expect(timers.cb).toBeNull();
    const count = transport.sent.length;
    n.tick();
    n.status('late');
    n.close();
    expect(transport.sent).toHaveLength(count);
    expect(transport.closed).toBe(true);
  });

  it('status lines stay on one line', () => {
    const { n, transport } = setup();
    n.status('building TensorRT engine\nSTOPPING=1');
    expect(transport.sent[0]).toBe('STATUS=building TensorRT engine STOPPING=1');
  });

  it('is a no-op without a transport', () => {
    const clock = new ManualClock();
    const n = new Notifier({ transport: null, clock, log: silentLogger, watchdogMs: 1000, frameMaxAgeMs: 1, inferMaxAgeMs: 1, sources: () => ({}) });
    n.ready();
    n.extendTimeout(5);
    n.stopping();
    expect(n.enabled).toBe(false);
  });

  it('reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID', () => {
    expect(notifyEnv({}, 7)).toEqual({ socket: null, watchdogMs: null });
    expect(notifyEnv({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '20000000' }, 7)).toEqual({ socket: '/run/systemd/notify', watchdogMs: 20_000 });
    expect(notifyEnv({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '20000000', WATCHDOG_PID: '8' }, 7).watchdogMs).toBeNull();
    expect(notifyEnv({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '20000000', WATCHDOG_PID: '7' }, 7).watchdogMs).toBe(20_000);
  });
});
