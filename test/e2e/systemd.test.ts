// The whole daemon under a stand-in systemd: the test binds the notify socket, starts the
// daemon with NOTIFY_SOCKET/WATCHDOG_USEC and checks READY, watchdog pings only while
// frames flow (the camera child is frozen with SIGSTOP), STATUS lines and STOPPING.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindNotifyReceiver, type NotifyReceiver } from '../../src/ops/notify-socket.js';
import { DaemonProcess, childrenOf, makeCamera, makeMedia, ports, requireBuilt, sleep, tempDir, writeConfig } from './harness.js';

describe('systemd notify protocol, whole daemon', () => {
  const dir = tempDir('notify');
  let rx: NotifyReceiver;
  const got: Array<{ t: number; m: string }> = [];

  beforeAll(async () => {
    requireBuilt();
    await makeMedia(join(dir, 'media'), 4);
    await makeCamera(join(dir, 'face.mp4'), 6, 0);
    rx = await bindNotifyReceiver(join(dir, 'notify.sock'));
    rx.onMessage((m) => got.push({ t: Date.now(), m }));
  }, 120_000);

  afterAll(() => {
    rx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('READY once up, pings while frames flow, none while the camera is frozen, STOPPING on SIGTERM', async () => {
    const p = await ports();
    const cfg = writeConfig({
      dir,
      camera: { backend: 'ffmpeg', stallMs: 60_000, ffmpeg: { input: join(dir, 'face.mp4'), loop: true, realtime: true } },
      mediaDir: join(dir, 'media'),
      mqttUrl: 'embedded',
      ports: p,
      extra: { systemd: { notify: true, frameMaxAgeMs: 800, inferMaxAgeMs: 3000 } },
    });
    // The embedded broker needs its own port.
    const daemon = new DaemonProcess(cfg, p.api, {
      NOTIFY_SOCKET: join(dir, 'notify.sock'),
      WATCHDOG_USEC: '600000',
      POKERFACE_MQTT_EMBEDDEDPORT: String(p.mqtt),
    });
    daemon.start();
    try {
      await daemon.ready();
      const pings = (): number => got.filter((g) => g.m.split('\n').includes('WATCHDOG=1')).length;
      await sleep(2000);
      const ready = got.find((g) => g.m.split('\n').includes('READY=1'));
      expect(ready, JSON.stringify(got)).toBeDefined();
      expect(got.some((g) => /STATUS=.*attract.*fps/i.test(g.m)), JSON.stringify(got.slice(-3))).toBe(true);
      const before = pings();
      expect(before).toBeGreaterThanOrEqual(3);

      const ffmpeg = childrenOf(daemon.pid).find((c) => c.comm === 'ffmpeg');
      expect(ffmpeg, JSON.stringify(childrenOf(daemon.pid))).toBeDefined();
      process.kill((ffmpeg as { pid: number }).pid, 'SIGSTOP');
      await sleep(1500); // frames older than frameMaxAgeMs: pings must have stopped
      const frozenAt = pings();
      await sleep(2000);
      const whileFrozen = pings() - frozenAt;
      process.kill((ffmpeg as { pid: number }).pid, 'SIGCONT');
      await sleep(2500);
      const after = pings() - frozenAt - whileFrozen;
      console.log(`watchdog pings: ${before} in the first 2 s, ${whileFrozen} in 2 s with the camera frozen, ${after} in 2.5 s after it resumed`);
      expect(whileFrozen).toBe(0);
      expect(after).toBeGreaterThanOrEqual(2);
    } finally {
      const code = await daemon.stop();
      expect(code).toBe(0);
      await sleep(100);
      expect(got.some((g) => g.m.split('\n').includes('STOPPING=1'))).toBe(true);
    }
  }, 120_000);
});
