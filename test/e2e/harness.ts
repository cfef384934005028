// The whole booth as a child process: real mosquitto, mpv (--vo=null), onnxruntime,
// ffmpeg; the camera is a video of a real face made from the face-api demo photos.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../integration/api/brokers.js';
import { waitFor } from '../wait-for.js';
import { demoFaces, makeFaceVideo } from '../../src/player/demo-camera.js';
import { ffmpegRunner } from '../../src/player/ffmpeg-run.js';
import { TIME_SCALE } from '../time-scale.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const TOKEN = 'e2e-token-0123456789abcdef';
/** Stretches the e2e timeouts (see test/time-scale.ts). */
export { TIME_SCALE };

export function requireBuilt(): void {
  for (const f of ['dist/cli.js', 'models/manifest.json']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run ./scripts/setup.sh (npm test builds dist/)`);
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pokerface-${prefix}-`));
}

/** Clips for every mode/level and an attract loop: plain test patterns, `seconds` long. */
export async function makeMedia(dir: string, seconds: number): Promise<void> {
  const run = ffmpegRunner({ timeoutMs: 120_000 * TIME_SCALE });
  const clip = async (out: string, secs: number): Promise<void> => {
    await run(['-f', 'lavfi', '-i', `testsrc=size=160x120:rate=15:duration=${secs}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', out]);
  };
  mkdirSync(join(dir, 'attract'), { recursive: true });
  await clip(join(dir, 'attract', 'loop.mp4'), 2);
  for (const mode of ['funny', 'scary']) {
    for (const level of [1, 2, 3]) {
      mkdirSync(join(dir, mode, String(level)), { recursive: true });
      await clip(join(dir, mode, String(level), 'clip.mp4'), seconds);
    }
  }
}

/** Neutral face for `neutralSeconds`, then (optionally) a clear smile. */
export async function makeCamera(out: string, neutralSeconds: number, smileSeconds: number): Promise<void> {
  const faces = demoFaces();
  await makeFaceVideo({ neutral: faces.neutral, smile: smileSeconds > 0 ? faces.smile : undefined, neutralSeconds, smileSeconds, out, ffmpeg: ffmpegRunner({ timeoutMs: 120_000 * TIME_SCALE }) });
}

export interface DaemonPorts {
  api: number;
  mqtt: number;
}

export interface BoothConfigOptions {
  dir: string;
  camera: Record<string, unknown>;
  mediaDir: string;
  mqttUrl: string;
  ports: DaemonPorts;
  game?: Record<string, unknown>;
  modelDir?: string;
  extra?: Record<string, unknown>;
}

export function writeConfig(o: BoothConfigOptions): string {
  const cfg = {
    boothId: 'e2e',
    demo: true,
    logLevel: 'info',
    camera: { width: 640, height: 480, fps: 30, stallMs: 1500 * TIME_SCALE, backoffInitialMs: 100, backoffMaxMs: 1000, ...o.camera },
    model: { dir: o.modelDir ?? join(ROOT, 'models'), providers: ['cpu'], workerTimeoutMs: 3000 * TIME_SCALE },
    // Under emulation a frame can take seconds to infer: a 2 s countdown may see no face
    // at all, and the judge aborts such a round (no_face) before the clip.
    game: { countdownMs: Math.min(30_000, 2000 * TIME_SCALE), resultMs: 1000, selectTimeoutMs: 30000, ...o.game },
    // The defaults (1 s per mpv request, 5 s to start) at TIME_SCALE 1; under emulation an mpv
    // starved of CPU answers a ping late, and a player taken for dead aborts the round.
    player: { socketPath: join(o.dir, 'mpv.sock'), vo: 'null', ao: 'null', mediaDir: o.mediaDir, watchMedia: false, ipcTimeoutMs: Math.min(60_000, 1000 * TIME_SCALE), startTimeoutMs: Math.min(60_000, 5000 * TIME_SCALE) },
    controls: { backends: [] },
    mqtt: { url: o.mqttUrl, scoreHz: 60, statsIntervalS: 1, reconnectMinMs: 200, reconnectMaxMs: 1000 },
    api: { host: '127.0.0.1', port: o.ports.api, token: TOKEN, requestsPerMinute: 100_000 },
    results: { path: join(o.dir, 'results.sqlite') },
    ...o.extra,
  };
  const file = join(o.dir, 'pokerface.yaml');
  writeFileSync(file, stringify(cfg));
  return file;
}

export interface LoadTargetOptions {
  /** the run's folder (config, mpv socket) */
  dir: string;
  /** the video the file camera loops in real time (a neutral face) */
  cameraFile: string;
  mediaDir: string;
  /** a results log made beforehand (makeResultsLog) */
  resultsPath: string;
  maxRows: number;
  ports: DaemonPorts;
  /** api settings over the shipped per-IP limits (not the harness's raised one) */
  api?: Record<string, unknown>;
}

/**
 * The daemon a REST load runs against (test/e2e/security.test.ts, scripts/bench/dos.ts):
 * a demo booth on a looping file camera, no MQTT, a large results log, and the shipped
 * request limits unless `api` changes them.
 */
export function writeLoadTargetConfig(o: LoadTargetOptions): string {
  return writeConfig({
    dir: o.dir,
    camera: { backend: 'file', file: { path: o.cameraFile, loop: true, pace: 'realtime' } },
    mediaDir: o.mediaDir,
    mqttUrl: 'mqtt://127.0.0.1:1',
    ports: o.ports,
    extra: {
      mqtt: { enabled: false },
      results: { path: o.resultsPath, maxRows: o.maxRows, retentionDays: 3650 },
      api: { host: '127.0.0.1', port: o.ports.api, token: TOKEN, ...o.api },
    },
  });
}

export async function ports(): Promise<DaemonPorts> {
  return { api: await freePort(), mqtt: await freePort() };
}

export class DaemonProcess {
  proc: ChildProcess | null = null;
  readonly logs: Array<Record<string, unknown>> = [];
  stderr = '';
  exit: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly configFile: string,
    readonly apiPort: number,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  start(): void {
    const p = spawn(process.execPath, [join(ROOT, 'bin/pokerface.js'), 'run', '--config', this.configFile], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = p;
    let buf = '';
    p.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: line });
        }
      }
    });
    p.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exit = new Promise((r) => p.once('exit', (code) => r(code)));
  }

  get pid(): number {
    return this.proc?.pid ?? -1;
  }

  async api(method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`http://127.0.0.1:${this.apiPort}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, json };
  }

  /** Resolve once the REST API answers and the booth reports its phase. */
  async ready(ms = 60_000): Promise<void> {
    let exited: Error | null = null;
    const answers = async (): Promise<boolean> => {
      if (this.proc?.exitCode !== null && this.proc?.exitCode !== undefined) {
        exited = new Error(`daemon exited with ${this.proc.exitCode}: ${this.stderr}\n${this.tail()}`);
        throw exited;
      }
      try {
        return (await this.api('GET', '/api/status', undefined, null)).status === 200;
      } catch {
        return false; // not listening yet
      }
    };
    try {
      await waitFor(answers, { timeoutMs: ms, what: 'the REST API', everyMs: 100 });
    } catch (e) {
      if (exited) throw e;
      // a test that gives up must not leave the daemon (and its mpv/ffmpeg) running
      const tail = this.tail();
      await this.stop();
      throw new Error(`daemon not ready in ${ms} ms\n${tail}`);
    }
  }

  /** start() and ready(), then wait until `seen` (what an MQTT watcher received) holds `<prefix>available` = online. */
  async startOnline(seen: ReadonlyArray<{ topic: string; payload: string }>, prefix: string): Promise<void> {
    this.start();
    await this.ready();
    await waitUntil(() => seen.some((m) => m.topic === `${prefix}available` && m.payload === 'online'), 20_000, 'available online');
  }

  tail(n = 30): string {
    return this.logs
      .slice(-n)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }

  async stop(): Promise<number | null> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return p?.exitCode ?? null;
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 8000 * TIME_SCALE);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }
}

/** Direct children of a process (from /proc), to check none are left behind. */
export function childrenOf(pid: number): Array<{ pid: number; comm: string }> {
  const out: Array<{ pid: number; comm: string }> = [];
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    for (const c of tasks.split(/\s+/).filter(Boolean)) {
      const cp = Number(c);
      let comm = '';
      try {
        comm = readFileSync(`/proc/${cp}/comm`, 'utf8').trim();
      } catch {
        /* gone */
      }
      out.push({ pid: cp, comm });
    }
  } catch {
    /* process gone */
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- fault tests

/** Poll until pred holds (sync or async), or throw naming what was awaited: test/wait-for.ts with the e2e suites' arguments. */
export function waitUntil(pred: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 50): Promise<void> {
  return waitFor(pred, { timeoutMs: ms, what, everyMs });
}

/** The pid of a direct child with this command name (comm), or null. */
export function childPid(pid: number, comm: string): number | null {
  return childrenOf(pid).find((c) => c.comm === comm)?.pid ?? null;
}

/** The wall-clock time (epoch ms) pino stamped on a log line. */
export function logTime(l: Record<string, unknown>): number {
  return typeof l.time === 'number' ? l.time : Number.NaN;
}

/** Log lines of the daemon with this message, optionally only those after a time. */
export function logsWith(d: DaemonProcess, msg: string, after = 0): Array<Record<string, unknown>> {
  return d.logs.filter((l) => l.msg === msg && (after === 0 || logTime(l) >= after));
}

export interface GameEventMsg {
  id: string;
  type: string;
  ts: number;
  outcome: string | null;
  mode: string | null;
  level: number | null;
  phase?: string;
  reason?: string;
}

/** The number in an event id (`<prefix>-e<n>`): the judge numbers its events in order. */
export function eventSeq(e: GameEventMsg): number {
  const m = /-e(\d+)$/.exec(e.id);
  return m ? Number(m[1]) : Number.NaN;
}

/** Press mode, level and start over REST, as a player would. */
export async function pressRound(d: DaemonProcess, mode = 'funny', level = 'level1'): Promise<void> {
  for (const b of [mode, level, 'start']) {
    const r = await d.api('POST', `/api/buttons/${b}`, {});
    if (r.status >= 300) throw new Error(`button ${b}: ${r.status} ${JSON.stringify(r.json)}`);
    await sleep(100); // a player's pace between presses
  }
}
