// Unattended faults of the whole daemon (real ffmpeg, mpv --vo=null, onnxruntime,
// mosquitto):
//  1. under a pretend systemd (a bound notify socket, WATCHDOG_USEC), a camera that is
//     missing at start and appears later (a file camera whose file is created later):
//     pings never stop for longer than the watchdog period meanwhile, the reason is in
//     STATUS=, /api/health and the MQTT state, frames flow within 5 s of the file
//     appearing, and a round plays;
//  2. `kill -9` of the daemon during a round, then a new `pokerface run`: no mpv or
//     capture child of the old one keeps running, and the new one plays. Children never
//     see the POKERFACE_* secrets.
import { copyFileSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mosquitto, Watcher } from '../integration/api/brokers.js';
import { bindNotifyReceiver, type NotifyReceiver } from '../../src/ops/notify-socket.js';
import {
  DaemonProcess,
  TOKEN,
  childPid,
  childrenOf,
  logTime,
  logsWith,
  makeCamera,
  makeMedia,
  ports,
  pressRound,
  requireBuilt,
  sleep,
  tempDir,
  waitUntil,
  writeConfig,
} from './harness.js';

const T = 'pokerface/e2e/';
/** pings every 1.5 s; systemd would restart after 3 s without one */
const WATCHDOG_MS = 3000;

/** A process that is still running: it exists and is not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function environOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

async function phaseOf(d: DaemonProcess): Promise<string | undefined> {
  const r = await d.api('GET', '/api/status', undefined, null);
  return (r.json as { state?: { phase?: string } | null }).state?.phase;
}

/**
 * Press a round over REST and wait until its clip plays. A loaded machine may stall the
 * camera long enough for a round to abort (camera_lost) before its clip: press again.
 */
async function playRound(d: DaemonProcess, ms = 120_000): Promise<number> {
  const until = Date.now() + ms;
  const t0 = Date.now();
  for (let attempt = 1; ; attempt++) {
    await waitUntil(async () => (await phaseOf(d)) === 'attract', 30_000, `attract\n${d.tail()}`);
    await pressRound(d);
    let left = false;
    await waitUntil(
      async () => {
        const ph = await phaseOf(d);
        if (ph !== 'attract') left = true;
        return ph === 'playing' || (left && (ph === 'result' || ph === 'attract'));
      },
      30_000,
      `phase playing (attempt ${attempt})\n${d.tail()}`,
    );
    if ((await phaseOf(d)) === 'playing') return Date.now() - t0;
    if (Date.now() > until) throw new Error(`no round played in ${ms} ms\n${d.tail()}`);
  }
}

describe('unattended: a camera missing at start under a pretend systemd', () => {
  const dir = tempDir('unattended-camera');
  let broker: Mosquitto;
  let watcher: Watcher;
  let rx: NotifyReceiver;
  let daemon: DaemonProcess;
  const notes: Array<{ at: number; m: string }> = [];
  const mqtt: Array<{ at: number; topic: string; payload: string }> = [];
  const camera = join(dir, 'camera.mp4');
  const staged = join(dir, 'staged-camera.mp4');

  beforeAll(async () => {
    requireBuilt();
    const p = await ports();
    broker = new Mosquitto(p.mqtt);
    await broker.start();
    const media = join(dir, 'media');
    await makeMedia(media, 20);
    await makeCamera(staged, 6, 0);
    rx = await bindNotifyReceiver(join(dir, 'notify.sock'));
    rx.onMessage((m) => notes.push({ at: Date.now(), m }));
    watcher = new Watcher(broker.url, { protocolVersion: 5 });
    watcher.client.on('message', (topic, payload) => mqtt.push({ at: Date.now(), topic, payload: payload.toString() }));
    await watcher.subscribe(`${T}#`, 1);
    const cfg = writeConfig({
      dir,
      // the file does not exist yet: the supervisor retries with backoff (at most every 1 s)
      camera: { backend: 'file', file: { path: camera, loop: true, pace: 'realtime' }, backoffInitialMs: 200, backoffMaxMs: 1000 },
      mediaDir: media,
      mqttUrl: broker.url,
      ports: p,
      // the old gate withheld pings once no frame had come for this long after READY
      extra: { systemd: { frameMaxAgeMs: 1000, inferMaxAgeMs: 5000 } },
    });
    daemon = new DaemonProcess(cfg, p.api, { NOTIFY_SOCKET: join(dir, 'notify.sock'), WATCHDOG_USEC: String(WATCHDOG_MS * 1000) });
    daemon.start();
    await daemon.ready();
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    rx?.close();
    await watcher?.close();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pings go on while the camera is missing, the reason is visible, frames flow within 5 s of it appearing, a round plays', async () => {
    await waitUntil(() => notes.some((n) => n.m.startsWith('READY=1')), 60_000, `READY\n${daemon.tail()}`);
    const readyAt = (notes.find((n) => n.m.startsWith('READY=1')) as { at: number }).at;
    // missing for a while: 20 retries at the longest backoff step
    const MISSING_MS = 20_000;
    await sleep(MISSING_MS);

    const pingTimes = (from: number, to: number): number[] => notes.filter((n) => n.at >= from && n.at <= to && n.m.includes('WATCHDOG=1')).map((n) => n.at);
    const maxGap = (ts: number[], from: number, to: number): number => {
      let gap = 0;
      let prev = from;
      for (const t of [...ts, to]) {
        gap = Math.max(gap, t - prev);
        prev = t;
      }
      return gap;
    };
    const missingEnd = Date.now();
    const pingsMissing = pingTimes(readyAt, missingEnd);
    const gapMissing = maxGap(pingsMissing, readyAt, missingEnd);
    expect(pingsMissing.length, `pings while the camera was missing\n${daemon.tail()}`).toBeGreaterThan(MISSING_MS / WATCHDOG_MS);
    expect(gapMissing, 'longest time without a ping while the camera was missing').toBeLessThan(WATCHDOG_MS);
    // the reason, in STATUS=, /api/health and the retained MQTT state
    const status = notes.filter((n) => n.m.includes('RECOVERING')).at(-1)?.m ?? '';
    expect(status).toMatch(/RECOVERING: camera missing since \d\d:\d\d:\d\d, retrying every 1 s \(POKERFACE_ERR_CAMERA_NOT_FOUND/);
    expect(notes.filter((n) => n.m.includes('STUCK')).map((n) => n.m)).toEqual([]);
    const health = await daemon.api('GET', '/api/health', undefined, null);
    expect(health.status).toBe(503);
    expect(JSON.stringify(health.json)).toMatch(/camera missing since \d\d:\d\d:\d\d, retrying every 1 s/);
    // what the status page shows
    const st = await daemon.api('GET', '/api/status', undefined, null);
    expect((st.json as { reasons: string[] }).reasons.join('\n')).toMatch(/capture: camera missing since \d\d:\d\d:\d\d, retrying every 1 s/);
    await waitUntil(
      () => mqtt.some((m) => m.topic === `${T}state` && /camera missing since/.test(m.payload)),
      10_000,
      `MQTT state with the problem\n${mqtt.map((m) => m.topic + ' ' + m.payload.slice(0, 200)).join('\n')}`,
    );
    expect(mqtt.filter((m) => m.topic === `${T}available`).at(-1)?.payload).toBe('online');

    // the camera appears (renamed into place, as a file is plugged in whole)
    copyFileSync(staged, `${camera}.part`);
    const appearAt = Date.now();
    renameSync(`${camera}.part`, camera);
    await waitUntil(() => logsWith(daemon, 'camera frames flowing', appearAt - 1000).length > 0, 15_000, `frames flowing\n${daemon.tail()}`);
    const flowingAt = logTime(logsWith(daemon, 'camera frames flowing', appearAt - 1000)[0] as Record<string, unknown>);
    expect(flowingAt - appearAt, 'frames flow within 5 s of the camera appearing').toBeLessThan(5000);
    await waitUntil(async () => (await daemon.api('GET', '/api/health', undefined, null)).status === 200, 20_000, `healthy\n${daemon.tail()}`);
    await waitUntil(
      () => {
        const last = mqtt.filter((m) => m.topic === `${T}state`).at(-1);
        return last !== undefined && !last.payload.includes('problems');
      },
      15_000,
      'MQTT state without problems',
    );
    const roundMs = await playRound(daemon);
    const end = Date.now();
    const gapAll = maxGap(pingTimes(readyAt, end), readyAt, end);
    expect(gapAll, 'longest time without a ping, start to end').toBeLessThan(WATCHDOG_MS);
    console.log(
      `camera missing ${missingEnd - readyAt} ms after READY: ${pingsMissing.length} pings, longest gap ${gapMissing} ms (watchdog ${WATCHDOG_MS} ms); frames flowing ${flowingAt - appearAt} ms after the file appeared; round playing ${roundMs} ms after the first press; longest ping gap overall ${gapAll} ms`,
    );
  }, 180_000);
});

describe('unattended: kill -9 of the daemon during a round leaves no orphans', () => {
  const dir = tempDir('unattended-orphans');
  let first: DaemonProcess;
  let second: DaemonProcess;
  let cfg = '';
  let apiPort = 0;

  beforeAll(async () => {
    requireBuilt();
    const p = await ports();
    apiPort = p.api;
    const media = join(dir, 'media');
    await makeMedia(media, 30);
    const camera = join(dir, 'neutral.mp4');
    await makeCamera(camera, 6, 0);
    cfg = writeConfig({
      dir,
      // a loaded machine can hold ffmpeg back for over a second
      camera: { backend: 'ffmpeg', ffmpeg: { input: camera, loop: true, realtime: true }, stallMs: 5000 },
      mediaDir: media,
      mqttUrl: 'mqtt://127.0.0.1:1',
      ports: p,
      extra: { mqtt: { enabled: false } },
    });
  }, 180_000);

  afterAll(async () => {
    await second?.stop();
    if (first?.proc && first.proc.exitCode === null && first.proc.signalCode === null) first.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new daemon ends the old mpv and capture child, then plays; no child sees POKERFACE_* secrets', async () => {
    // the token also comes in the environment, as systemd's EnvironmentFile gives it
    first = new DaemonProcess(cfg, apiPort, { POKERFACE_API_TOKEN: TOKEN });
    first.start();
    await first.ready();
    await playRound(first);
    const mpv = childPid(first.pid, 'mpv');
    const ffmpeg = childPid(first.pid, 'ffmpeg');
    expect(mpv, JSON.stringify(childrenOf(first.pid))).not.toBeNull();
    expect(ffmpeg, JSON.stringify(childrenOf(first.pid))).not.toBeNull();
    for (const pid of [mpv, ffmpeg] as number[]) {
      const env = environOf(pid);
      expect(env).toContain('PATH=');
      expect(env).not.toContain('POKERFACE_');
    }

    process.kill(first.pid, 'SIGKILL');
    await first.exit;
    await sleep(500); // bounded: mpv is to be still alive a while after its parent died
    // the fault: mpv outlives its parent (on a real screen it keeps DRM master)
    expect(running(mpv as number), 'mpv outlives a killed daemon').toBe(true);

    const restartAt = Date.now();
    second = new DaemonProcess(cfg, apiPort);
    second.start();
    await second.ready();
    await waitUntil(() => !running(mpv as number) && !running(ffmpeg as number), 10_000, 'old mpv and ffmpeg gone');
    const goneMs = Date.now() - restartAt;
    const reaped = logsWith(second, 'ending a child a killed predecessor left behind');
    expect(reaped.length).toBeGreaterThan(0);
    const reapedAfter = logTime(reaped[0] as Record<string, unknown>) - restartAt;
    const roundMs = await playRound(second);
    const newMpv = childPid(second.pid, 'mpv');
    expect(newMpv).not.toBeNull();
    expect(newMpv).not.toBe(mpv);
    console.log(
      `kill -9 mid-round: the new daemon ended the stale children ${reapedAfter} ms after it was launched (${reaped.length} of mpv ${mpv} / ffmpeg ${ffmpeg} still running); both gone and the new daemon ready after ${goneMs} ms; its own round was playing ${roundMs} ms after the first press`,
    );
  }, 180_000);
});
