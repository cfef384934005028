// A Player without mpv, for other modules' tests and for a booth with the player
// switched off. It keeps the same promises as the mpv player (see the contract suite):
// started then ended for a playable clip, failed for one that is not, restarted after
// a crash.
import { statSync } from 'node:fs';
import { systemClock } from '../clock.js';
import { PokerfaceError } from '../errors.js';
import { Listeners, type ListenerErrorLog } from '../listeners.js';
import { silentLogger } from '../log.js';
import type { Clock, ModuleHealth, Off, Player, PlayerEvent, PlayerStats } from '../types.js';
import { systemTimers, type TimerHandle, type Timers } from '../timers.js';

export interface FakePlayerOptions {
  clock?: Clock;
  timers?: Timers;
  /** where a throwing event listener is reported (default: nowhere) */
  log?: ListenerErrorLog;
  /** how long a clip plays before `ended`; null: only finish() ends it (default 100 ms, or durationOf) */
  clipMs?: number | null;
  /** per-clip length, e.g. from the media library's probe */
  durationOf?: (clip: string) => number | undefined;
  /** whether a clip can be played (default: the file exists and is not empty) */
  playable?: (clip: string) => boolean;
  /** delay from play() to `started` (default 5 ms) */
  startDelayMs?: number;
  /** delay from a crash to `restarted` (default 20 ms) */
  restartDelayMs?: number;
}

const existsNonEmpty = (clip: string): boolean => {
  try {
    return statSync(clip).size > 0;
  } catch {
    return false;
  }
};

export class FakePlayer implements Player {
  readonly name = 'player';
  /** every play()/playAttract() call, in order */
  readonly played: Array<{ clip: string; kind: 'clip' | 'attract' }> = [];
  readonly texts: Array<{ text: string; ms: number }> = [];
  volume = 80;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly listeners: Listeners<PlayerEvent>;
  private readonly pending = new Set<TimerHandle>();
  private state: 'new' | 'running' | 'down' | 'stopped' = 'new';
  private current: { clip: string; kind: 'clip' | 'attract'; token: number } | null = null;
  private token = 0;
  private restarts = 0;

  constructor(private readonly opts: FakePlayerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.listeners = new Listeners(opts.log ?? silentLogger, 'player event');
  }

  /** true while the pretend mpv "process" runs */
  get running(): boolean {
    return this.state === 'running' || this.state === 'down';
  }

  async start(): Promise<void> {
    this.state = 'running';
  }

  async stop(): Promise<void> {
    for (const t of this.pending) this.timers.clearTimeout(t);
    this.pending.clear();
    this.current = null;
    this.state = 'stopped';
  }

  onEvent(cb: (e: PlayerEvent) => void): Off {
    return this.listeners.add(cb);
  }

  stats(): PlayerStats {
    return { healthy: this.state === 'running', restarts: this.restarts, current: this.current?.clip ?? null };
  }

  health(): ModuleHealth {
    return { name: this.name, healthy: this.state === 'running', reasons: this.state === 'running' ? [] : [`player is ${this.state}`] };
  }

  async play(clip: string): Promise<void> {
    this.load(clip, 'clip');
  }

  async playAttract(clip: string): Promise<void> {
    this.load(clip, 'attract');
  }

  async stopClip(): Promise<void> {
    this.token++;
    this.current = null;
  }

  async showText(text: string, ms: number): Promise<void> {
    this.texts.push({ text, ms });
  }

  async setVolume(volume: number): Promise<void> {
    this.volume = Math.min(130, Math.max(0, Math.round(volume)));
  }

  /** End the current clip now, as if it reached its end. */
  finish(): void {
    const cur = this.current;
    if (!cur || cur.kind !== 'clip') return;
    this.current = null;
    this.token++;
    this.emit({ type: 'ended', clip: cur.clip, ts: this.clock.now() });
  }

  /** Pretend mpv died: the playing clip fails, then the player comes back. */
  crash(reason = 'mpv exited (SIGKILL)'): void {
    if (this.state !== 'running') return;
    this.state = 'down';
    this.token++;
    const cur = this.current;
    this.current = null;
    if (cur?.kind === 'clip') this.emit({ type: 'failed', clip: cur.clip, ts: this.clock.now(), reason: `mpv died: ${reason}` });
    this.later(this.opts.restartDelayMs ?? 20, () => {
      this.state = 'running';
      this.restarts++;
      this.emit({ type: 'restarted', ts: this.clock.now(), restarts: this.restarts, reason });
    });
  }

  private load(clip: string, kind: 'clip' | 'attract'): void {
    if (this.state === 'new' || this.state === 'stopped') throw new PokerfaceError('POKERFACE_ERR_PLAYER_DIED', `player is ${this.state}`);
    this.played.push({ clip, kind });
    const token = ++this.token;
    if (this.state === 'down') {
      this.emit({ type: 'failed', clip, ts: this.clock.now(), reason: 'mpv is restarting' });
      return;
    }
    this.current = { clip, kind, token };
    const ok = (this.opts.playable ?? existsNonEmpty)(clip);
    this.later(this.opts.startDelayMs ?? 5, () => {
      if (token !== this.token) return;
      if (!ok) {
        this.current = null;
        this.emit({ type: 'failed', clip, ts: this.clock.now(), reason: 'cannot play the file' });
        return;
      }
      this.emit({ type: 'started', clip, ts: this.clock.now() });
      const ms = this.opts.durationOf?.(clip) ?? (this.opts.clipMs === undefined ? 100 : this.opts.clipMs);
      if (kind === 'clip' && ms !== null) this.later(ms, () => token === this.token && this.finish());
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = this.timers.setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, ms);
    this.pending.add(t);
  }

  private emit(e: PlayerEvent): void {
    this.listeners.emit(e);
  }
}
