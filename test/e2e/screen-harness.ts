// The player's screen, for real: the daemon as a child process with mpv drawing into an
// Xvfb display (--vo=x11), real mosquitto, onnxruntime and a camera video of a real face
// (neutral, then a smile). One demo round is played over REST and the screen is grabbed
// with ffmpeg's x11grab at each stage: attract, countdown, the clip with the meter while
// the face is neutral and while it smiles, and the result (with the crack cam).
// Used by test/e2e/screen.test.ts (asserts what the shots show) and scripts/screen/shots.ts
// (writes the small PNGs in docs/screen/).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Mosquitto, Watcher, freePort } from '../integration/api/brokers.js';
import { DaemonProcess, makeCamera, makeMedia, requireBuilt, sleep, waitUntil, writeConfig } from './harness.js';

export const SCREEN_W = 1280;
export const SCREEN_H = 720;

/** the camera video loops: a straight face, then SMILE_S of a broad smile */
const CAMERA_LOOP_S = 22;
const SMILE_S = 7;

export type ShotName = 'attract' | 'countdown' | 'neutral' | 'smiling' | 'result';
export type Shots = Record<ShotName, Buffer>;

export const haveXvfb = (): boolean => ['/usr/bin/Xvfb', '/usr/local/bin/Xvfb'].some((p) => existsSync(p));

/** An Xvfb server on the first free display number from 90. */
export class Xvfb {
  proc: ChildProcess | null = null;
  display = '';

  async start(): Promise<void> {
    for (let n = 90; n < 140; n++) {
      if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
      const p = spawn('Xvfb', [`:${n}`, '-screen', '0', `${SCREEN_W}x${SCREEN_H}x24`, '-nolisten', 'tcp'], { stdio: 'ignore' });
      this.proc = p;
      this.display = `:${n}`;
      try {
        await waitUntil(() => existsSync(`/tmp/.X11-unix/X${n}`) || p.exitCode !== null, 10_000, `Xvfb ${this.display}`);
      } catch {
        /* checked below */
      }
      if (p.exitCode === null && existsSync(`/tmp/.X11-unix/X${n}`)) return;
      p.kill('SIGKILL');
      this.proc = null;
    }
    throw new Error('no free X display for Xvfb');
  }

  /**
   * The screen as it is now, as a PNG: the next frame a running x11grab delivers after
   * this call (started on first use; 8 frames a second into memory, the newest kept).
   */
  async shot(): Promise<Buffer> {
    if (!this.grab) this.startGrab();
    const want = this.frames + 1;
    await waitUntil(() => this.frames >= want || this.grab === null, 10_000, 'a screen frame');
    const f = this.latest;
    if (!f) throw new Error(`x11grab gave no frame: ${this.grabErr}`);
    return sharp(f, { raw: { width: SCREEN_W, height: SCREEN_H, channels: 3 } }).png().toBuffer();
  }

  private grab: ChildProcess | null = null;
  private latest: Buffer | null = null;
  private frames = 0;
  private grabErr = '';

  private startGrab(): void {
    const size = SCREEN_W * SCREEN_H * 3;
    const p = spawn(
      'ffmpeg',
      ['-loglevel', 'error', '-f', 'x11grab', '-draw_mouse', '0', '-framerate', '8', '-video_size', `${SCREEN_W}x${SCREEN_H}`, '-i', `${this.display}+0,0`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.grab = p;
    let chunks: Buffer[] = [];
    let have = 0;
    p.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      have += d.length;
      while (have >= size) {
        const all = Buffer.concat(chunks);
        this.latest = all.subarray(0, size);
        this.frames++;
        chunks = [all.subarray(size)];
        have = all.length - size;
      }
    });
    p.stderr.on('data', (d: Buffer) => (this.grabErr += d.toString()));
    p.once('exit', () => {
      if (this.grab === p) this.grab = null;
    });
  }

  async stop(): Promise<void> {
    const g = this.grab;
    this.grab = null;
    if (g && g.exitCode === null) {
      const gone = new Promise((r) => g.once('exit', r));
      g.kill('SIGTERM');
      await Promise.race([gone, sleep(3000)]);
    }
    this.latest = null;
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([gone, sleep(3000)]);
    if (p.exitCode === null) p.kill('SIGKILL');
  }
}

interface ScoreMsg { smoothed: number; heldMs: number }
interface EventMsg { type: string; phase?: string; outcome?: string | null }

export interface ScreenRoundOptions {
  dir: string;
  /** progress lines */
  log?: (line: string) => void;
  /** extra daemon config over the harness's */
  player?: Record<string, unknown>;
}

/**
 * Play demo rounds until one goes neutral → smiling → cracked (the camera loops, so a
 * round that starts while the face smiles is played out and tried again), grabbing the
 * screen at each stage.
 */
export async function playScreenRound(o: ScreenRoundOptions): Promise<Shots> {
  requireBuilt();
  const log = o.log ?? ((): void => undefined);
  const media = join(o.dir, 'media');
  const camera = join(o.dir, 'camera.mp4');
  await makeMedia(media, 24);
  await makeCamera(camera, CAMERA_LOOP_S - SMILE_S, SMILE_S);
  const x = new Xvfb();
  const broker = new Mosquitto(await freePort());
  let daemon: DaemonProcess | null = null;
  let watcher: Watcher | null = null;
  try {
    await x.start();
    await broker.start();
    log(`Xvfb on ${x.display}, mosquitto on ${broker.port}`);
    const api = await freePort();
    const cfg = writeConfig({
      dir: o.dir,
      camera: { backend: 'file', file: { path: camera, loop: true, pace: 'realtime' } },
      mediaDir: media,
      mqttUrl: broker.url,
      ports: { api, mqtt: broker.port },
      // a long hold on level 1 leaves time to grab the meter while the smile builds
      game: { countdownMs: 3000, resultMs: 5000, levels: [{ threshold: 0.8, holdMs: 2500, smoothingMs: 150 }, { threshold: 0.7, holdMs: 700, smoothingMs: 120 }, { threshold: 0.6, holdMs: 400, smoothingMs: 100 }] },
      extra: {
        player: { socketPath: join(o.dir, 'mpv.sock'), vo: 'x11', ao: 'null', hwdec: 'no', mediaDir: media, watchMedia: false, hud: { enabled: true, crackCam: true }, ...o.player },
      },
    });
    daemon = new DaemonProcess(cfg, api, { DISPLAY: x.display });
    daemon.start();
    await daemon.ready(90_000);
    watcher = new Watcher(broker.url);
    await watcher.subscribe('pokerface/e2e/#', 0);
    const d = daemon;
    const w = watcher;
    const phase = async (): Promise<string> => ((await d.api('GET', '/api/status', undefined, null)).json as { state?: { phase?: string } }).state?.phase ?? '';
    await waitUntil(async () => (await phase()) === 'attract', 30_000, 'attract');
    const events = (): EventMsg[] => w.on('pokerface/e2e/event').map((m) => JSON.parse(m.payload) as EventMsg);
    const scores = (): ScoreMsg[] => w.on('pokerface/e2e/score').map((m) => JSON.parse(m.payload) as ScoreMsg);
    const ended = (): boolean => events().some((e) => e.type === 'cracked' || e.type === 'survived' || e.type === 'aborted');
    const smiling = (): boolean => (scores().at(-1)?.smoothed ?? 0) >= 0.3;

    for (let attempt = 1; attempt <= 5; attempt++) {
      w.got.length = 0;
      for (const b of ['funny', 'level1', 'start']) {
        const r = await d.api('POST', `/api/buttons/${b}`);
        if (r.status !== 200) throw new Error(`button ${b}: ${r.status} ${JSON.stringify(r.json)}`);
      }
      await waitUntil(async () => (await phase()) === 'countdown', 10_000, 'countdown');
      await sleep(400);
      const countdown = await x.shot();
      log(`round ${attempt}: countdown`);
      await waitUntil(() => scores().length >= 3 || ended(), 20_000, 'the clip and its scores');
      // the meter while the face is straight (mpv draws a HUD change a few frames later),
      // then make sure the smile was still to come
      await sleep(600);
      const neutral = smiling() || ended() ? null : await x.shot();
      const calmUntil = Date.now() + 2000;
      await waitUntil(() => smiling() || ended() || Date.now() > calmUntil, 5000, 'a calm start');
      if (!neutral || smiling() || ended()) {
        // the camera loop was on (or near) the smile: stop, wait for the straight face to come round, again
        await waitUntil(() => smiling() || ended(), CAMERA_LOOP_S * 1000, 'the smile');
        const smileSeen = Date.now();
        log(`round ${attempt}: the smile came too early; again`);
        await d.api('POST', '/api/game/stop');
        await waitUntil(async () => (await phase()) === 'attract', 10_000, 'attract after stop');
        await sleep(Math.max(0, smileSeen + SMILE_S * 1000 + 500 - Date.now()));
        continue;
      }
      log(`round ${attempt}: neutral`);
      // well into the hold (2.5 s), so the HUD has caught up with the smile
      await waitUntil(() => (scores().at(-1)?.heldMs ?? 0) >= 900 || ended(), CAMERA_LOOP_S * 1000, 'a smile on the meter');
      if (ended()) throw new Error(`the round ended before the smile: ${JSON.stringify(events())}`);
      await sleep(300);
      const smile = await x.shot();
      log(`round ${attempt}: smiling`);
      await waitUntil(ended, 15_000, 'the round to end');
      const outcome = events().find((e) => e.type === 'cracked' || e.type === 'survived' || e.type === 'aborted');
      if (outcome?.type !== 'cracked') throw new Error(`expected cracked, got ${JSON.stringify(outcome)}`);
      await sleep(800);
      const result = await x.shot();
      log(`round ${attempt}: result`);
      // back to attract: now with today's figures from the results log
      await waitUntil(async () => (await phase()) === 'attract', 20_000, 'attract after the result');
      await sleep(1200);
      const attract = await x.shot();
      log('attract');
      return { attract, countdown, neutral, smiling: smile, result };
    }
    throw new Error('no round went neutral → smiling → cracked in 5 tries');
  } finally {
    await watcher?.close().catch(() => undefined);
    if (daemon) await daemon.stop();
    await broker.dispose().catch(() => undefined);
    await x.stop();
  }
}
