import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { Notifier, notifyEnv, type NotifierSources } from '../../../src/ops/notify.js';
import type { NotifyTransport } from '../../../src/ops/notify-socket.js';
import { TestTimers } from '../../test-timers.js';

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

function setup(watchdogMs: number | null = 20_000) {
  const clock = new ManualClock();
  const transport = fakeTransport();
  const timers = new TestTimers(clock);
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
    expect(timers.interval(0)?.every).toBe(10_000);
    expect(transport.sent[1]).toMatch(/^WATCHDOG=1\nSTATUS=phase attract/);
    timers.interval(0)?.fire();
    expect(transport.sent.filter((m) => m.startsWith('WATCHDOG=1'))).toHaveLength(2);
    expect(n.watchdogPings).toBe(2);
  });

  it('withholds pings while frames are stale or inference is silent, and resumes', () => {
    const { n, clock, transport, timers, state } = setup();
    n.ready();
    transport.sent.length = 0;
    state.frameAge = 6000;
    timers.interval(0)?.fire();
    expect(transport.sent).toEqual([expect.stringMatching(/^STATUS=.*STUCK: no camera frame for 6000 ms$/)]);
    expect(n.health()).toMatchObject({ healthy: false, reasons: ['watchdog withheld: no camera frame for 6000 ms'] });
    state.frameAge = 10;
    state.inferAge = null;
    clock.advance(3999); // a null age is "starting" until inferMaxAgeMs after READY
    timers.interval(0)?.fire();
    expect(transport.sent[1]).toMatch(/^WATCHDOG=1\n/);
    transport.sent.splice(1);
    clock.advance(1);
    timers.interval(0)?.fire();
    expect(transport.sent[1]).toMatch(/inference has not answered yet/);
    expect(transport.sent[1]).not.toMatch(/WATCHDOG/);
    state.inferAge = 50;
    timers.interval(0)?.fire();
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
    expect(n.check()).toEqual({ ok: false, reasons: ['inference silent for 999999 ms'], recovering: [] });
  });

  it('keeps pinging while the camera supervisor retries with backoff, says why, and withholds when a retry is overdue', () => {
    const { n, transport, timers, state } = setup();
    const since = new Date(2026, 0, 1, 12, 3, 5).getTime();
    let rec: { since: number; retryEveryMs: number; attempts: number; code: string; message: string; overdueMs: number } | null = null;
    const sources: NotifierSources = {
      frameSource: { stats: () => ({ lastFrameAgeMs: state.frameAge, fps: 0 }), recovery: () => rec },
    };
    const m = new Notifier({ transport, clock: new ManualClock(), log: silentLogger, watchdogMs: 20_000, frameMaxAgeMs: 5000, inferMaxAgeMs: 4000, sources: () => sources, timers });
    void n;
    m.ready();
    transport.sent.length = 0;
    // a camera unplugged for minutes: frames are old, but the supervisor is retrying
    state.frameAge = 600_000;
    rec = { since, retryEveryMs: 30_000, attempts: 12, code: 'POKERFACE_ERR_CAMERA_NOT_FOUND', message: '/dev/video0: no such file', overdueMs: 0 };
    timers.interval(0)?.fire();
    expect(transport.sent).toEqual([
      'WATCHDOG=1\nSTATUS=0.0 fps, RECOVERING: camera missing since 12:03:05, retrying every 30 s (POKERFACE_ERR_CAMERA_NOT_FOUND: /dev/video0: no such file)',
    ]);
    expect(m.recovering()).toEqual(['camera missing since 12:03:05, retrying every 30 s (POKERFACE_ERR_CAMERA_NOT_FOUND: /dev/video0: no such file)']);
    expect(m.health().healthy).toBe(true);
    // the retry timer never fired (a wedged supervisor): now a restart can help
    rec = { ...rec, overdueMs: 9999 }; // late timers on a loaded machine are not a wedge
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toMatch(/^WATCHDOG=1\n.*RECOVERING/);
    rec = { ...rec, overdueMs: 10_000 };
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toBe('STATUS=0.0 fps, STUCK: camera retry overdue by 10000 ms');
    // frames flow again: the supervisor is no longer retrying
    rec = null;
    state.frameAge = 20;
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toBe('WATCHDOG=1\nSTATUS=0.0 fps');
  });

  it('inference silence does not count while the camera is down, and counts from when frames return', () => {
    const { n, clock, transport, timers, state } = setup();
    const rec = { since: 0, retryEveryMs: 1000, attempts: 3, code: 'POKERFACE_ERR_CAMERA_NOT_FOUND', message: 'x', overdueMs: 0 };
    let down = true;
    const sources: NotifierSources = {
      frameSource: { stats: () => ({ lastFrameAgeMs: state.frameAge, fps: 0 }), recovery: () => (down ? rec : null) },
      detector: { stats: () => ({ lastAnswerAgeMs: state.inferAge, provider: 'cpu', msP50: 1 }) },
    };
    const m = new Notifier({ transport, clock, log: silentLogger, watchdogMs: 20_000, frameMaxAgeMs: 5000, inferMaxAgeMs: 4000, sources: () => sources, timers });
    void n;
    m.ready();
    state.frameAge = null;
    state.inferAge = null;
    clock.advance(60_000);
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toMatch(/^WATCHDOG=1\nSTATUS=.*RECOVERING: camera missing/);
    // frames flow again; the first answer is a moment away: not stuck yet
    down = false;
    state.frameAge = 10;
    clock.advance(1000);
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toMatch(/^WATCHDOG=1/);
    // but inference that stays silent with frames flowing is
    clock.advance(3000);
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toMatch(/STUCK: inference has not answered yet$/);
  });

  it('keeps pinging while the detector replaces its worker; a fresh worker gets no grace left over', () => {
    const clock = new ManualClock();
    const transport = fakeTransport();
    const timers = new TestTimers(clock);
    let rec: { since: number; retryEveryMs: number; restarts: number; message: string; overdueMs: number } | null = null;
    let silent: number | null = 10;
    let abandoned = 0;
    let loading = false;
    const detector = {
      stats: () => ({ lastAnswerAgeMs: silent, provider: 'cpu', msP50: 5 }),
      isLoading: () => loading,
      recovery: () => rec,
      silentMs: () => silent,
      abandonedForMs: () => abandoned,
    };
    const n = new Notifier({ transport, clock, log: silentLogger, watchdogMs: 20_000, frameMaxAgeMs: 5000, inferMaxAgeMs: 4000, sources: () => ({ detector }), timers });
    n.ready();
    transport.sent.length = 0;
    // the worker hung: silent, nothing replacing it yet -> withheld
    silent = 4500;
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toBe('STATUS=cpu 5.0 ms, STUCK: inference silent for 4500 ms');
    // timed out and being replaced: a new worker loads -> pings go on
    loading = true;
    rec = { since: new Date(2026, 0, 1, 9, 0, 0).getTime(), retryEveryMs: 0, restarts: 1, message: 'a new inference worker is loading its models', overdueMs: 0 };
    timers.interval(1)?.fire(); // no EXTEND_TIMEOUT grace after READY
    timers.interval(0)?.fire();
    expect(transport.sent.filter((m) => m.startsWith('EXTEND_TIMEOUT'))).toEqual([]);
    expect(transport.sent.at(-1)).toBe('WATCHDOG=1\nSTATUS=cpu 5.0 ms, RECOVERING: inference down since 09:00:00: a new inference worker is loading its models');
    // loaded, and hangs at once: withheld again right away
    loading = false;
    rec = null;
    silent = 4000;
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toBe('STATUS=cpu 5.0 ms, STUCK: inference silent for 4000 ms');
    // answering, but a worker given up on inside native code is still alive: only a restart frees it
    silent = 10;
    abandoned = 4000;
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toBe('STATUS=cpu 5.0 ms, STUCK: an inference worker stuck in native code for 4000 ms (only a restart frees it)');
    abandoned = 0;
    timers.interval(0)?.fire();
    expect(transport.sent.at(-1)).toMatch(/^WATCHDOG=1/);
  });

  it('keeps extending the timeout while the detector loads, and stops when it is ready', () => {
    const clock = new ManualClock();
    const transport = fakeTransport();
    const timers = new TestTimers(clock);
    let loading = true;
    const detector = { stats: () => ({ lastAnswerAgeMs: null, provider: 'tensorrt', msP50: 0 }), isLoading: () => loading };
    const n = new Notifier({ transport, clock, log: silentLogger, watchdogMs: 20_000, frameMaxAgeMs: 5000, inferMaxAgeMs: 4000, sources: () => ({ detector }), timers });
    n.watchLoading(); // the early module, before READY
    expect(transport.sent).toEqual(['EXTEND_TIMEOUT_USEC=30000000', 'STATUS=loading models (TensorRT engines are built on the first start)']);
    clock.advance(5000);
    timers.interval(0)?.fire();
    expect(transport.sent.at(-2)).toBe('EXTEND_TIMEOUT_USEC=30000000');
    loading = false;
    const count = transport.sent.length;
    timers.interval(0)?.fire();
    expect(transport.sent).toHaveLength(count);
  });

  it('without a watchdog only refreshes STATUS', () => {
    const { n, transport, timers } = setup(null);
    n.ready();
    timers.interval(0)?.fire();
    expect(timers.interval(0)?.every).toBe(10_000);
    expect(transport.sent.some((m) => m.includes('WATCHDOG'))).toBe(false);
    expect(transport.sent.filter((m) => m.startsWith('STATUS='))).toHaveLength(2);
  });

  it('STOPPING=1 stops the ticker and nothing is sent after', () => {
    const { n, transport, timers } = setup();
    n.ready();
    n.stopping();
    expect(transport.sent.at(-1)).toBe('STOPPING=1\nSTATUS=stopping');
    expect(timers.interval(0)).toBeNull();
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
