// The whole demo daemon as a child process under a pretend systemd: the test binds the
// notify socket, starts `pokerface run` with NOTIFY_SOCKET and WATCHDOG_USEC, and checks
// READY, the watchdog pings, that the pings stop while the camera process is frozen
// (SIGSTOP), that they come back, and STOPPING on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bindNotifyReceiver, type NotifyReceiver } from '../../../src/ops/notify-socket.js';
import { waitFor } from '../../wait-for.js';

function childrenOf(pid: number): Array<{ pid: number; comm: string }> {
  const out: Array<{ pid: number; comm: string }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(e), comm: readFileSync(`/proc/${e}/comm`, 'utf8').trim() });
    } catch {
      // the process went away while we looked
    }
  }
  return out;
}

describe('whole daemon under a pretend systemd', () => {
  let dir = '';
  let rx: NotifyReceiver | null = null;
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('READY, pings, no pings while the camera is frozen, pings again, STOPPING', async () => {
    expect(existsSync('media/demo-camera.mp4'), 'run `pokerface media make-demo` (scripts/setup.sh does)').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'pokerface-notify-daemon-'));
    rx = await bindNotifyReceiver(join(dir, 'notify.sock'));
    const got: Array<{ t: number; m: string }> = [];
    rx.onMessage((m) => got.push({ t: Date.now(), m }));
    const runner = join(dir, 'run.mjs');
    writeFileSync(runner, `const m = await import(${JSON.stringify(resolve('src/cli.ts'))});\nprocess.exitCode = await m.main(process.argv.slice(2));\n`);
    let stderr = '';
    child = spawn(process.execPath, ['--import', 'tsx', runner, 'run', '--config', 'config/demo.yaml'], {
      env: {
        ...process.env,
        NOTIFY_SOCKET: join(dir, 'notify.sock'),
        WATCHDOG_USEC: '1000000',
        POKERFACE_LOG_LEVEL: 'warn',
        POKERFACE_SYSTEMD_FRAMEMAXAGEMS: '1000',
        POKERFACE_CAMERA_STALLMS: '60000', // the capture supervisor must not heal the freeze first
        POKERFACE_API_PORT: '0',
        POKERFACE_MQTT_EMBEDDEDPORT: '0',
        POKERFACE_PLAYER_SOCKETPATH: join(dir, 'mpv.sock'),
        POKERFACE_RESULTS_PATH: join(dir, 'results.sqlite'),
        POKERFACE_CONTROLS_BACKENDS: '[]',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const pid = child.pid as number;
    const pings = (after = 0): number => got.filter((g) => g.t > after && g.m.startsWith('WATCHDOG=1')).length;

    await waitFor(() => got.some((g) => g.m.startsWith('READY=1')) || child?.exitCode !== null, { timeoutMs: 60_000, what: `READY (stderr: ${stderr.slice(-500)})` });
    expect(child.exitCode).toBeNull();
    await waitFor(() => pings() >= 3, { timeoutMs: 10_000, what: 'three pings' });
    expect(got.find((g) => g.m.startsWith('WATCHDOG=1'))?.m).toMatch(/STATUS=phase attract, [\d.]+ fps, cpu [\d.]+ ms/);

    // freeze the camera process: no frame reaches the daemon
    const cam = childrenOf(pid).filter((c) => c.comm !== 'mpv');
    expect(cam.length, JSON.stringify(childrenOf(pid))).toBeGreaterThan(0);
    for (const c of cam) process.kill(c.pid, 'SIGSTOP');
    const frozenAt = Date.now();
    await waitFor(() => got.some((g) => g.t > frozenAt && g.m.includes('STUCK: no camera frame')), { timeoutMs: 5000, what: 'STUCK status' });
    const stuckAt = got.find((g) => g.t > frozenAt && g.m.includes('STUCK'))?.t ?? 0;
    await new Promise((r) => setTimeout(r, 1500)); // bounded: only a wait shows no ping comes while frozen
    expect(pings(stuckAt)).toBe(0);

    for (const c of cam) process.kill(c.pid, 'SIGCONT');
    const thawedAt = Date.now();
    await waitFor(() => pings(thawedAt) >= 2, { timeoutMs: 10_000, what: 'pings after the camera resumed' });

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child?.once('exit', (c) => r(c)));
    await waitFor(() => got.some((g) => g.m.startsWith('STOPPING=1')), { timeoutMs: 2000, what: 'STOPPING' });
    expect(code).toBe(0);
  }, 90_000);
});
