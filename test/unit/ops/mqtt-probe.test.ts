// The selftest's mosquitto clients are ended through the one child-stop rule: SIGTERM,
// then SIGKILL after a grace on the injected timers, for one that does not leave.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mosquittoProbe, type BrokerAddress } from '../../../src/ops/selftest/mqtt-probe.js';
import { TestTimers } from '../../test-timers.js';

/** a client that ignores SIGTERM; SIGKILL ends it */
class StubbornClient extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  exitCode: number | null = null;
  readonly signals: Array<NodeJS.Signals | number | undefined> = [];
  kill(signal?: NodeJS.Signals | number): boolean {
    this.signals.push(signal);
    if (signal === 'SIGKILL') {
      this.exitCode = 137;
      setImmediate(() => this.emit('close', null, 'SIGKILL'));
    }
    return true;
  }
}

const addr: BrokerAddress = { host: '127.0.0.1', port: 1, tls: false, username: '', password: '', ca: '', cert: '', key: '', rejectUnauthorized: true };
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('mosquittoProbe', () => {
  it('on timeout: the clients get SIGTERM, and SIGKILL once the grace runs out on the injected timers', async () => {
    const timers = new TestTimers();
    const spawned: StubbornClient[] = [];
    const probe = mosquittoProbe(() => {
      const c = new StubbornClient();
      spawned.push(c);
      return c as unknown as ChildProcess;
    }, timers);
    let err: unknown = null;
    const p = probe.roundTrip(addr, 'a', 'x', 'b', 1000).catch((e: unknown) => (err = e));
    timers.advance(1000); // one resend (500 ms) then the timeout
    await p;
    expect((err as Error).message).toMatch(/no answer on b within 1000 ms/);
    expect(spawned.length).toBeGreaterThanOrEqual(2);
    for (const c of spawned) expect(c.signals).toEqual(['SIGTERM']);
    timers.advance(1000);
    await flush();
    for (const c of spawned) expect(c.signals).toEqual(['SIGTERM', 'SIGKILL']);
    await flush();
    expect(timers.size).toBe(0);
  });
});
