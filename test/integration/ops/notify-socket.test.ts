// The notifier against a real unix datagram socket bound by the test (playing systemd),
// inside a real Daemon with fake capture and inference modules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import { Daemon, type ModuleSpec } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { notifyModule } from '../../../src/ops/module.js';
import type { Notifier } from '../../../src/ops/notify.js';
import { defineModule } from '../../../src/wiring.js';
import { bindNotifyReceiver, type NotifyReceiver } from '../../../src/ops/notify-socket.js';
import type { CaptureStats, InferStats } from '../../../src/types.js';
import { waitFor } from '../../wait-for.js';

/** A frame source whose frames stop on demand (a stuck camera). */
class StallableSource {
  lastFrameAt = systemClock.now();
  stalled = false;
  private timer: NodeJS.Timeout | null = null;
  start(): Promise<void> {
    this.timer = setInterval(() => {
      if (!this.stalled) this.lastFrameAt = systemClock.now();
    }, 20);
    return Promise.resolve();
  }
  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return Promise.resolve();
  }
  stats(): Pick<CaptureStats, 'lastFrameAgeMs' | 'fps'> {
    return { lastFrameAgeMs: systemClock.now() - this.lastFrameAt, fps: this.stalled ? 0 : 50 };
  }
}

const fakeDetector = {
  stats: (): Pick<InferStats, 'lastAnswerAgeMs' | 'provider' | 'msP50'> => ({ lastAnswerAgeMs: 5, provider: 'cpu', msP50: 3 }),
};

describe('sd_notify over a real datagram socket', () => {
  let dir = '';
  let rx: NotifyReceiver | null = null;
  afterEach(() => {
    rx?.close();
    rx = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('READY, pings while frames flow, none while stalled, pings again, STOPPING', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-notify-'));
    const sock = join(dir, 'notify.sock');
    rx = await bindNotifyReceiver(sock);
    const got: Array<{ t: number; m: string }> = [];
    rx.onMessage((m) => got.push({ t: Date.now(), m }));

    const source = new StallableSource();
    const config = { ...defaultConfig(), systemd: { notify: true, frameMaxAgeMs: 400, inferMaxAgeMs: 2000, restartMinIntervalS: 60 } };
    const env = { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid) };
    const modules: ModuleSpec[] = [
      notifyModule({ env }),
      {
        // a stand-in: the notifier reads only stats() of it
        name: 'capture',
        needs: [],
        provides: ['frameSource'],
        create: () => ({ lifecycle: { name: 'capture', start: () => source.start(), stop: () => source.stop() }, services: { frameSource: source } }),
      },
      {
        name: 'infer',
        needs: [],
        provides: ['detector'],
        create: () => ({ lifecycle: { name: 'infer', start: () => Promise.resolve(), stop: () => Promise.resolve() }, services: { detector: fakeDetector } }),
      },
      defineModule({
        name: 'engine-build',
        needs: ['notifier'],
        provides: [],
        create: (ctx) => {
          // what a module building a TensorRT engine may do
          ctx.services.notifier.extendTimeout(30_000);
          return { lifecycle: null, services: {} };
        },
      }),
    ];
    const daemon = new Daemon({ config: config, log: silentLogger, modules });
    await daemon.start();
    const pings = (): number => got.filter((g) => g.m.includes('WATCHDOG=1')).length;
    await waitFor(() => pings() >= 4, { timeoutMs: 5000 });
    expect(got[0]?.m).toBe('EXTEND_TIMEOUT_USEC=30000000');
    expect(got[1]?.m).toMatch(/^READY=1\nSTATUS=50\.0 fps, cpu 3\.0 ms$/);

    source.stalled = true;
    const stalledAt = Date.now();
    await waitFor(() => got.some((g) => g.t > stalledAt && g.m.includes('STUCK: no camera frame')), { timeoutMs: 5000 });
    const firstStuck = got.findIndex((g) => g.t > stalledAt && g.m.includes('STUCK'));
    // once stuck is reported, no ping follows while the stall lasts (bounded: only a wait
    // shows that nothing comes; 400 ms is several ping intervals)
    await new Promise((r) => setTimeout(r, 400));
    expect(got.slice(firstStuck).filter((g) => g.m.includes('WATCHDOG=1'))).toEqual([]);
    expect(daemon.health().find((h) => h.name === 'notifier')?.healthy).toBe(false);

    source.stalled = false;
    const before = pings();
    await waitFor(() => pings() >= before + 2, { timeoutMs: 5000 });

    await daemon.stop();
    await waitFor(() => got.at(-1)?.m === 'STOPPING=1\nSTATUS=stopping', { timeoutMs: 1000 });
    const n = got.length;
    await new Promise((r) => setTimeout(r, 150)); // bounded: nothing may follow STOPPING
    expect(got.length).toBe(n);
  });

  it('does nothing when NOTIFY_SOCKET is unset', async () => {
    const daemon = new Daemon({ config: defaultConfig(), log: silentLogger, modules: [notifyModule({ env: {} })] });
    await daemon.start();
    expect((daemon.serviceMap.notifier as Notifier).enabled).toBe(false);
    await daemon.stop();
  });
});
