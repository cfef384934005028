// Children (mpv, ffmpeg, gst-launch, gpiomon, ...) never see the daemon's POKERFACE_*
// secrets nor its sd_notify variables.
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv } from '../../src/child-env.js';
import { spawnChild } from '../../src/capture/child.js';

const SET = ['POKERFACE_API_TOKEN', 'POKERFACE_MQTT_PASSWORD', 'NOTIFY_SOCKET', 'WATCHDOG_USEC'];
afterEach(() => {
  for (const k of SET) delete process.env[k];
});

describe('childEnv', () => {
  it('drops POKERFACE_* and the sd_notify variables, keeps the rest, adds extras', () => {
    const env = childEnv({ OPENCV_LOG_LEVEL: 'ERROR' }, { PATH: '/usr/bin', HOME: '/var/lib/pokerface', POKERFACE_API_TOKEN: 's3cret', POKERFACE_MQTT_PASSWORD: 'pw', NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_PID: '1', MALLOC_ARENA_MAX: '2' });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/var/lib/pokerface', MALLOC_ARENA_MAX: '2', OPENCV_LOG_LEVEL: 'ERROR' });
  });

  it('a real capture child does not see them', async () => {
    process.env.POKERFACE_API_TOKEN = 'tok-must-not-leak';
    process.env.POKERFACE_MQTT_PASSWORD = 'pw-must-not-leak';
    process.env.NOTIFY_SOCKET = '/tmp/nowhere.sock';
    const child = spawnChild('env', [], { EXTRA_FOR_CHILD: 'yes' });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((r) => child.once('close', () => r()));
    expect(out).toContain('EXTRA_FOR_CHILD=yes');
    expect(out).toContain('PATH=');
    expect(out).not.toMatch(/POKERFACE_|must-not-leak|NOTIFY_SOCKET/);
  });
});
