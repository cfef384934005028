// The only file that starts mpv. mpv runs idle with a JSON IPC socket; clips are loaded
// into it, so starting one costs a file open, not a process start. mpv dying or going
// silent is noticed (exit, socket close, unanswered ping) and it is started again; the
// game hears a `restarted` event and aborts its round.
import { spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, realpath, rm, type FileHandle } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { systemClock } from '../clock.js';
import type { FrozenConfig } from '../config/schema.js';
import { PokerfaceError, isPokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, ModuleHealth, Off, Player, PlayerEvent, PlayerStats } from '../types.js';
import { MpvIpcClient, type IpcSocket, type MpvEvent } from './ipc.js';
import { systemTimers, type TimerHandle, type Timers } from '../timers.js';
import { childEnv } from '../child-env.js';
import { Backoff } from '../backoff.js';
import { stopChild } from '../child-stop.js';
import { Listeners } from '../listeners.js';

export type PlayerConfig = FrozenConfig['player'];

/** What the player needs of a child process (node's ChildProcess fits). */
export interface MpvChild {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals | number): boolean;
  once(event: 'exit', cb: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', cb: (err: Error) => void): unknown;
}

export type SpawnFn = (cmd: string, args: string[], opts: SpawnOptions) => MpvChild;
/** Connect to mpv's socket; resolves once connected. */
export type ConnectFn = (socketPath: string) => Promise<IpcSocket>;

export const connectUnix: ConnectFn = (socketPath) =>
  new Promise((resolve, reject) => {
    const s = net.createConnection(socketPath);
    const onError = (e: Error): void => {
      s.destroy();
      reject(e);
    };
    s.once('error', onError);
    s.once('connect', () => {
      s.off('error', onError);
      resolve(s);
    });
  });

export interface MpvPlayerOptions {
  config: PlayerConfig;
  log: Logger;
  clock?: Clock;
  spawn?: SpawnFn;
  connect?: ConnectFn;
  timers?: Timers;
  /** no screen and no sound: --vo=null --ao=null (demo mode, tests) */
  headless?: boolean;
  /** when set, play() refuses files outside this folder (after resolving symlinks) */
  mediaRoot?: string | null;
  /** told mpv's pid right after it starts (the pidfile of ops/children.ts) */
  onChild?: (pid: number) => void;
  /** how long mpv may take to open its socket */
  startTimeoutMs?: number;
  /** hand mpv a nameless RAM file for image overlays (the crack cam); see image() */
  ramImages?: boolean;
  /** where the nameless RAM file is made (default /dev/shm, a tmpfs) */
  ramDir?: string;
}

/** Linux open(2) __O_TMPFILE: a file with no name in any directory, gone when its last fd closes. */
const O_TMPFILE = 0o20000000 | fsConstants.O_DIRECTORY;
/** the RAM file is mpv's fd 3: stdin, stdout, stderr, then it */
const RAM_FD_IN_MPV = 3;
/** osd-overlay ids of ours (each IPC connection has its own namespace) */
const HUD_OVERLAY_ID = 1;
const IMAGE_OVERLAY_ID = 0;
export const HUD_RES = { x: 1280, y: 720 } as const;

/** mpv's command line. Everything after the binary is a separate argv item: no shell. */
export function mpvArgs(cfg: PlayerConfig, socketPath: string, headless: boolean, volume: number): string[] {
  const screen = !headless && cfg.vo !== 'null';
  const args = [
    '--idle=yes',
    `--input-ipc-server=${socketPath}`,
    '--no-config',
    '--input-terminal=no',
    '--quiet',
    '--msg-level=all=warn',
    `--force-window=${screen ? 'immediate' : 'no'}`,
  ];
  if (screen) {
    args.push(`--vo=${cfg.vo}`);
    if (cfg.gpuContext && (cfg.vo === 'gpu' || cfg.vo === 'gpu-next')) args.push(`--gpu-context=${cfg.gpuContext}`);
    args.push(`--hwdec=${cfg.hwdec}`, '--fs', '--cursor-autohide=always');
  } else {
    args.push('--vo=null', '--hwdec=no');
  }
  const ao = headless ? 'null' : cfg.ao;
  if (ao) args.push(`--ao=${ao}`);
  args.push(
    `--volume=${volume}`,
    '--keep-open=no',
    '--loop-file=no',
    '--audio-display=no',
    '--no-osc',
    '--osd-bar=no',
    '--osd-level=1',
    '--osd-align-x=center',
    '--osd-align-y=center',
    '--osd-font-size=72',
    '--osd-border-size=3',
    '--no-input-default-bindings',
    '--input-vo-keyboard=no',
    ...cfg.extraArgs,
  );
  return args;
}

/** show-text expands ${property}; "$$" is a literal "$", so staff text cannot read properties. */
export function escapeOsd(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

interface Entry {
  clip: string;
  kind: 'clip' | 'attract';
  entryId?: number;
  started: boolean;
}

interface Instance {
  gen: number;
  child: MpvChild;
  client: MpvIpcClient | null;
  exited: Promise<void>;
  hasExited: boolean;
}

type State = 'new' | 'starting' | 'running' | 'down' | 'stopping' | 'stopped';

export class MpvPlayer implements Player {
  readonly name = 'player';
  private readonly clock: Clock;
  private readonly spawnFn: SpawnFn;
  private readonly connect: ConnectFn;
  private readonly timers: Timers;
  private readonly listeners: Listeners<PlayerEvent>;
  private state: State = 'new';
  private gen = 0;
  private inst: Instance | null = null;
  private restarts = 0;
  /** a dead mpv is restarted at once, then after 250, 500, 1000 and 2000 ms */
  private readonly restartBackoff = new Backoff({ initialMs: 250, maxMs: 2000, immediateFirst: true });
  private restartTimer: TimerHandle | null = null;
  private pingTimer: TimerHandle | null = null;
  private pinging = false;
  private downReason = '';
  private volume: number;
  /** loadfile commands sent whose start-file has not been matched yet, oldest first */
  private loading: Entry[] = [];
  private readonly entries = new Map<number, Entry>();
  private playing: Entry | null = null;
  private attractClip: string | null = null;
  /** the HUD as last asked for: sent again to a restarted mpv (overlays die with the IPC connection) */
  private hudAss: string | null = null;
  private ram: FileHandle | null = null;

  constructor(private readonly opts: MpvPlayerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.spawnFn = opts.spawn ?? nodeSpawn;
    this.connect = opts.connect ?? connectUnix;
    this.timers = opts.timers ?? systemTimers;
    this.listeners = new Listeners(opts.log, 'player event');
    this.volume = opts.config.volume;
  }

  get socketPath(): string {
    return path.resolve(this.opts.config.socketPath);
  }

  /** pid of the running mpv, for tests and diagnostics */
  get pid(): number | null {
    return this.inst && !this.inst.hasExited ? (this.inst.child.pid ?? null) : null;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`player already ${this.state}`);
    this.state = 'starting';
    if (this.opts.ramImages) await this.openRam();
    try {
      await this.launch();
    } catch (e) {
      const inst = this.inst;
      this.inst = null;
      if (inst) await this.terminate(inst, false);
      await this.closeRam();
      await rm(this.socketPath, { force: true }).catch(() => undefined);
      this.state = 'stopped';
      throw e;
    }
    this.state = 'running';
    this.schedulePing();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.gen++;
    if (this.restartTimer) this.timers.clearTimeout(this.restartTimer);
    if (this.pingTimer) this.timers.clearTimeout(this.pingTimer);
    this.restartTimer = this.pingTimer = null;
    const inst = this.inst;
    this.inst = null;
    if (inst) await this.terminate(inst, true);
    await rm(this.socketPath, { force: true }).catch(() => undefined);
    await this.closeRam();
    this.playing = null;
    this.loading = [];
    this.entries.clear();
    this.hudAss = null;
    this.state = 'stopped';
  }

  onEvent(cb: (e: PlayerEvent) => void): Off {
    return this.listeners.add(cb);
  }

  stats(): PlayerStats {
    return { healthy: this.state === 'running', restarts: this.restarts, current: this.playing?.clip ?? this.loading.at(-1)?.clip ?? null };
  }

  health(): ModuleHealth {
    const reasons: string[] = [];
    if (this.state === 'down') reasons.push(`mpv is down (${this.downReason}); restarting`);
    else if (this.state !== 'running') reasons.push(`player is ${this.state}`);
    return { name: this.name, healthy: this.state === 'running', reasons };
  }

  /** Play a clip once. A clip that cannot be played comes back as a `failed` event. */
  async play(clip: string): Promise<void> {
    this.attractClip = null;
    await this.load(clip, 'clip');
  }

  /** Loop a clip until something else is played or stopClip() is called. */
  async playAttract(clip: string): Promise<void> {
    this.attractClip = clip;
    await this.load(clip, 'attract');
  }

  async stopClip(): Promise<void> {
    this.attractClip = null;
    this.loading = [];
    this.playing = null;
    await this.quietly(['stop']);
  }

  async showText(text: string, ms: number): Promise<void> {
    await this.quietly(['show-text', escapeOsd(text), Math.max(0, Math.round(ms))]);
  }

  /** The HUD: ASS events on a 1280x720 canvas (null removes it). Kept and redrawn after an mpv restart. */
  async overlay(ass: string | null): Promise<void> {
    this.hudAss = ass;
    await this.sendHud();
  }

  /**
   * A BGRA picture (premultiplied, w x h) centred in the lower half of the screen, or
   * null to remove it. The pixels never touch a disk: they are written into a file that
   * has no name (O_TMPFILE on a tmpfs, i.e. RAM) which mpv holds as fd 3 since it
   * started; mpv copies them out during overlay-add ("@3"), and the file is emptied
   * again before this returns. Without the RAM file (ramImages off, or no tmpfs) the
   * picture is not shown.
   */
  async image(img: { bgra: Uint8Array; width: number; height: number } | null): Promise<void> {
    const client = this.inst?.client;
    if (this.state !== 'running' || !client) return;
    if (img === null) {
      await this.quietly({ name: 'overlay-remove', id: IMAGE_OVERLAY_ID });
      return;
    }
    const ram = this.ram;
    if (!ram) return;
    const { bgra, width, height } = img;
    try {
      const ow = Number(await client.request(['get_property', 'osd-width'])) || HUD_RES.x;
      const oh = Number(await client.request(['get_property', 'osd-height'])) || HUD_RES.y;
      await ram.write(bgra, 0, width * height * 4, 0);
      await client.request({
        name: 'overlay-add',
        id: IMAGE_OVERLAY_ID,
        x: Math.max(0, Math.round((ow - width) / 2)),
        y: Math.max(0, Math.round(oh * 0.42)),
        file: `@${RAM_FD_IN_MPV}`,
        offset: 0,
        fmt: 'bgra',
        w: width,
        h: height,
        stride: width * 4,
      });
    } finally {
      // mpv has its copy (or failed): the RAM file holds nothing between pictures
      await ram.truncate(0).catch(() => undefined);
    }
  }

  async setVolume(volume: number): Promise<void> {
    this.volume = Math.min(130, Math.max(0, Math.round(volume)));
    await this.quietly(['set_property', 'volume', this.volume]);
  }

  // ------------------------------------------------------------------ playback

  private async load(clip: string, kind: Entry['kind']): Promise<void> {
    if (this.state === 'new' || this.state === 'stopping' || this.state === 'stopped') {
      throw new PokerfaceError('POKERFACE_ERR_PLAYER_DIED', `player is ${this.state}`);
    }
    const file = await this.resolveClip(clip);
    const client = this.inst?.client;
    if (this.state !== 'running' || !client) {
      this.emit({ type: 'failed', clip, ts: this.clock.now(), reason: `mpv is restarting (${this.downReason})` });
      return;
    }
    const entry: Entry = { clip, kind, started: false };
    try {
      await client.request(['set_property', 'loop-file', kind === 'attract' ? 'inf' : 'no']);
      this.loading.push(entry);
      const data = (await client.request(['loadfile', file, 'replace'])) as { playlist_entry_id?: unknown } | null;
      const id = data?.playlist_entry_id;
      if (typeof id === 'number' && entry.entryId === undefined) {
        entry.entryId = id;
        this.entries.set(id, entry);
        this.loading = this.loading.filter((e) => e !== entry);
      }
    } catch (e) {
      this.loading = this.loading.filter((x) => x !== entry);
      this.emit({ type: 'failed', clip, ts: this.clock.now(), reason: (e as Error).message });
    }
  }

  /** An absolute path (so mpv never reads it as an option, URL or "-"), inside mediaRoot. */
  private async resolveClip(clip: string): Promise<string> {
    const abs = path.resolve(clip);
    const root = this.opts.mediaRoot;
    if (root) {
      const realRoot = await realpath(root).catch(() => path.resolve(root));
      const real = await realpath(abs).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ELOOP') throw new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${clip}: symlink loop`);
        return abs; // missing: mpv reports it as a failed clip
      });
      const rel = path.relative(realRoot, real);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
        throw new PokerfaceError('POKERFACE_ERR_MEDIA_OUTSIDE', clip);
      }
    }
    return abs;
  }

  private async sendHud(): Promise<void> {
    const ass = this.hudAss;
    await this.quietly(
      ass === null
        ? { name: 'osd-overlay', id: HUD_OVERLAY_ID, format: 'none', data: '' }
        : { name: 'osd-overlay', id: HUD_OVERLAY_ID, format: 'ass-events', data: ass, res_x: HUD_RES.x, res_y: HUD_RES.y, z: 0 },
    );
  }

  private async openRam(): Promise<void> {
    const dir = this.opts.ramDir ?? '/dev/shm';
    try {
      this.ram = await open(dir, O_TMPFILE | fsConstants.O_RDWR, 0o600);
    } catch (e) {
      this.ram = null;
      this.opts.log.warn({ dir, err: (e as Error).message }, 'no nameless RAM file for pictures: the crack cam is off');
    }
  }

  private async closeRam(): Promise<void> {
    const ram = this.ram;
    this.ram = null;
    if (ram) await ram.close().catch(() => undefined);
  }

  private async quietly(command: unknown[] | Record<string, unknown>): Promise<void> {
    const client = this.inst?.client;
    if (this.state !== 'running' || !client) return;
    try {
      await client.request(command);
    } catch (e) {
      this.opts.log.warn({ code: isPokerfaceError(e) ? e.code : undefined, command: Array.isArray(command) ? command[0] : command.name }, `mpv command failed: ${(e as Error).message}`);
    }
  }

  private onMpvEvent(gen: number, ev: MpvEvent): void {
    if (gen !== this.gen) return;
    const id = ev.playlist_entry_id;
    switch (ev.event) {
      case 'start-file': {
        let entry = id === undefined ? undefined : this.entries.get(id);
        if (!entry) {
          entry = this.loading.shift();
          if (entry && id !== undefined) {
            entry.entryId = id;
            this.entries.set(id, entry);
          }
        }
        this.playing = entry ?? null;
        break;
      }
      case 'playback-restart': {
        const entry = this.playing;
        if (entry && !entry.started) {
          entry.started = true;
          this.emit({ type: 'started', clip: entry.clip, ts: this.clock.now() });
        }
        break;
      }
      case 'end-file': {
        const entry = id === undefined ? this.playing : this.entries.get(id);
        if (!entry) break;
        if (id !== undefined) this.entries.delete(id);
        if (this.playing === entry) this.playing = null;
        if (ev.reason === 'eof') this.emit({ type: 'ended', clip: entry.clip, ts: this.clock.now() });
        else if (ev.reason === 'error') {
          this.emit({ type: 'failed', clip: entry.clip, ts: this.clock.now(), reason: ev.file_error ?? 'mpv could not play the file' });
        }
        break;
      }
      default:
        break;
    }
  }

  private emit(e: PlayerEvent): void {
    this.listeners.emit(e);
  }

  // ------------------------------------------------------------------ process

  private async launch(): Promise<void> {
    const sock = this.socketPath;
    await mkdir(path.dirname(sock), { recursive: true });
    await rm(sock, { force: true }); // a stale socket from a crashed run would refuse mpv's bind
    if (this.state !== 'starting') throw new PokerfaceError('POKERFACE_ERR_PLAYER_SPAWN', 'player stopped while mpv was starting');
    const gen = ++this.gen;
    const args = mpvArgs(this.opts.config, sock, this.opts.headless === true, this.volume);
    let child: MpvChild;
    try {
      const stdio: SpawnOptions['stdio'] = this.ram ? ['ignore', 'pipe', 'pipe', this.ram.fd] : ['ignore', 'pipe', 'pipe'];
      child = this.spawnFn(this.opts.config.mpvPath, args, { stdio, env: childEnv() });
      if (child.pid) this.opts.onChild?.(child.pid);
    } catch (e) {
      throw new PokerfaceError('POKERFACE_ERR_PLAYER_SPAWN', (e as Error).message, { cause: e });
    }
    const exit: { info: string | null } = { info: null };
    let resolveExit!: () => void;
    const inst: Instance = { gen, child, client: null, exited: new Promise<void>((r) => (resolveExit = r)), hasExited: false };
    const onGone = (why: string): void => {
      if (inst.hasExited) return;
      inst.hasExited = true;
      exit.info = why;
      resolveExit();
      this.down(gen, why);
    };
    child.once('exit', (code, signal) => onGone(`mpv exited (${signal ?? `code ${code}`})`));
    child.once('error', (e) => onGone(`mpv could not run: ${e.message}`));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (line.trim()) this.opts.log.info({ mpv: line.slice(0, 500) }, 'mpv says');
      });
    }
    this.inst = inst;

    const deadline = this.clock.now() + (this.opts.startTimeoutMs ?? 5000);
    let socket: IpcSocket | null = null;
    while (!socket) {
      if (exit.info !== null) throw new PokerfaceError('POKERFACE_ERR_PLAYER_SPAWN', exit.info);
      if (gen !== this.gen) throw new PokerfaceError('POKERFACE_ERR_PLAYER_SPAWN', 'player stopped while mpv was starting');
      try {
        socket = await this.connect(sock);
      } catch {
        if (this.clock.now() > deadline) {
          await this.terminate(inst, false);
          throw new PokerfaceError('POKERFACE_ERR_PLAYER_SPAWN', `mpv did not open ${sock} within ${this.opts.startTimeoutMs ?? 5000} ms`);
        }
        await new Promise<void>((r) => this.timers.setTimeout(r, 20));
      }
    }
    if (exit.info !== null || gen !== this.gen) {
      socket.destroy();
      throw new PokerfaceError('POKERFACE_ERR_PLAYER_SPAWN', exit.info ?? 'player stopped while mpv was starting');
    }
    const client = new MpvIpcClient(socket, {
      timeoutMs: this.opts.config.ipcTimeoutMs,
      timers: this.timers,
      onEvent: (ev) => this.onMpvEvent(gen, ev),
      onClose: (why) => this.down(gen, `mpv IPC ${why}`),
    });
    client.attach();
    inst.client = client;
    // One round trip proves mpv answers before we call it started.
    await client.request(['get_version']);
    if (exit.info !== null || client.isClosed) throw new PokerfaceError('POKERFACE_ERR_PLAYER_SPAWN', exit.info ?? 'mpv closed its socket');
  }

  /** Quit (politely when asked), then SIGKILL if it lingers; resolves once the process is gone. */
  private async terminate(inst: Instance, polite: boolean): Promise<void> {
    if (polite && inst.client && !inst.client.isClosed && !inst.hasExited) {
      await inst.client.request(['quit'], 500).catch(() => undefined);
    }
    inst.client?.close('player stopping');
    // mpv is asked over IPC (when polite), never with SIGTERM; SIGKILL once the grace is out
    if (!inst.hasExited) await stopChild(inst.child, inst.exited, { graceMs: polite ? 1000 : 0, timers: this.timers, signal: null });
  }

  private down(gen: number, reason: string): void {
    if (gen !== this.gen || this.state === 'stopping' || this.state === 'stopped') return;
    if (this.state === 'starting') return; // launch() reports it as a start failure
    this.gen++;
    this.state = 'down';
    this.downReason = reason;
    this.opts.log.error({ code: 'POKERFACE_ERR_PLAYER_DIED', reason }, 'mpv died or stopped answering; restarting it');
    if (this.pingTimer) this.timers.clearTimeout(this.pingTimer);
    this.pingTimer = null;
    const inst = this.inst;
    this.inst = null;
    if (inst) void this.terminate(inst, false);
    const lost = this.playing ?? this.loading.at(-1) ?? null;
    this.playing = null;
    this.loading = [];
    this.entries.clear();
    if (lost && lost.kind === 'clip') this.emit({ type: 'failed', clip: lost.clip, ts: this.clock.now(), reason: `mpv died: ${reason}` });
    this.restartBackoff.reset();
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.restartBackoff.next();
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = null;
      void this.relaunch();
    }, delay);
  }

  private async relaunch(): Promise<void> {
    if (this.state !== 'down') return;
    this.state = 'starting';
    try {
      await this.launch();
    } catch (e) {
      if (this.state !== 'starting') return; // stopped meanwhile
      const old = this.inst;
      this.inst = null;
      if (old) await this.terminate(old, false);
      if ((this.state as State) !== 'starting') return;
      this.state = 'down';
      this.opts.log.error({ code: isPokerfaceError(e) ? e.code : undefined }, `mpv restart failed: ${(e as Error).message}`);
      this.scheduleRestart();
      return;
    }
    if ((this.state as State) !== 'starting') return;
    this.state = 'running';
    this.restarts++;
    const reason = this.downReason;
    this.opts.log.warn({ restarts: this.restarts }, 'mpv restarted');
    this.schedulePing();
    this.emit({ type: 'restarted', ts: this.clock.now(), restarts: this.restarts, reason });
    // overlays belonged to the old IPC connection: draw the HUD again
    if (this.hudAss !== null) await this.sendHud();
    // The idle screen should not stay black: bring the attract loop back if it was on.
    const attract = this.attractClip;
    if (attract && this.state === 'running') await this.playAttract(attract).catch(() => undefined);
  }

  private schedulePing(): void {
    const gen = this.gen;
    this.pingTimer = this.timers.setTimeout(() => {
      this.pingTimer = null;
      if (gen !== this.gen || this.state !== 'running') return;
      const client = this.inst?.client;
      if (!client || this.pinging) {
        this.schedulePing();
        return;
      }
      this.pinging = true;
      client
        .request(['get_version'], this.opts.config.ipcTimeoutMs)
        .then(() => {
          this.pinging = false;
          if (gen === this.gen && this.state === 'running') this.schedulePing();
        })
        .catch((e: unknown) => {
          this.pinging = false;
          this.down(gen, isPokerfaceError(e, 'POKERFACE_ERR_PLAYER_IPC') ? `no answer to a ping within ${this.opts.config.ipcTimeoutMs} ms` : (e as Error).message);
        });
    }, this.opts.config.pingIntervalMs);
  }
}
