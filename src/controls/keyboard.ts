// Buttons on a terminal's keyboard, for demo mode. A terminal reports key presses but
// never releases, so a key kept down is recognised by the terminal's auto-repeat: after
// the first character, repeats arrive within KEY_REPEAT_DELAY_MS and then every
// KEY_REPEAT_GAP_MS or less. A chain of one key's characters is one press; if the chain
// is still going when holdMs (staffHoldMs for start) has passed, it is also a hold.
// controls.keyboard.holdKeys give a hold at once, for terminals without auto-repeat.
import type { FrozenConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { ButtonEvent, ButtonName, ButtonSource, Clock, ControlsHealth, LightMode, MonoMs } from '../types.js';
import { Listeners } from '../listeners.js';
import type { TimerHandle, Timers } from '../timers.js';

/** The part of process.stdin this backend uses. */
export interface KeyInput {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', cb: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', cb: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** longest wait for the first auto-repeat (X11 default 660 ms, Linux console 250 ms) */
export const KEY_REPEAT_DELAY_MS = 700;
/** longest gap between later auto-repeats (usually 25-50 ms) */
export const KEY_REPEAT_GAP_MS = 150;

const CTRL_C = '\u0003';
const ESC = '\u001b';

export interface KeyboardButtonsOptions {
  config: FrozenConfig['controls'];
  input: KeyInput;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** Ctrl-C in raw mode arrives as a character: hand it to the daemon's SIGINT path */
  interrupt?: () => void;
}

interface Chain {
  name: ButtonName;
  first: MonoMs;
  last: MonoMs;
  count: number;
  holdTimer: TimerHandle | null;
}

export class KeyboardButtons implements ButtonSource {
  readonly name = 'keyboard';
  private readonly listeners: Listeners<ButtonEvent>;
  private readonly chains = new Map<string, Chain>();
  private state: 'new' | 'running' | 'inactive' | 'stopped' = 'new';
  private wasRaw = false;

  constructor(private readonly opts: KeyboardButtonsOptions) {
    this.listeners = new Listeners(opts.log, 'button');
  }

  onButton(cb: (e: ButtonEvent) => void): void {
    this.listeners.add(cb);
  }

  async start(): Promise<void> {
    if (this.state === 'running' || this.state === 'inactive') return;
    const input = this.opts.input;
    if (!input.isTTY || !input.setRawMode) {
      this.state = 'inactive';
      this.opts.log.info('keyboard buttons inactive: stdin is not a terminal');
      return;
    }
    this.wasRaw = input.isRaw === true;
    input.setRawMode(true);
    input.on('data', this.onData);
    input.resume();
    this.state = 'running';
    const keys = Object.entries(this.opts.config.keyboard.keys).map(([k, b]) => `${printable(k)}=${b}`);
    const holds = Object.entries(this.opts.config.keyboard.holdKeys).map(([k, b]) => `${printable(k)}=${b} hold`);
    this.opts.log.info({ keys: [...keys, ...holds] }, 'keyboard buttons active');
  }

  async stop(): Promise<void> {
    const was = this.state;
    this.state = 'stopped';
    for (const c of this.chains.values()) if (c.holdTimer) this.opts.timers.clearTimeout(c.holdTimer);
    this.chains.clear();
    if (was !== 'running') return;
    const input = this.opts.input;
    input.off('data', this.onData);
    input.setRawMode?.(this.wasRaw);
    // A paused stdin no longer keeps the event loop alive.
    input.pause();
  }

  setLights(_lights: Partial<Record<ButtonName, LightMode>>): void {
    // a keyboard has no lamps
  }

  health(): ControlsHealth {
    if (this.state === 'running') return { healthy: true, backends: [{ name: this.name, state: 'ok' }] };
    if (this.state === 'inactive') return { healthy: true, backends: [{ name: this.name, state: 'degraded', error: 'inactive: stdin is not a terminal' }] };
    return { healthy: false, backends: [{ name: this.name, state: 'failed', error: 'not running' }] };
  }

  private readonly onData = (chunk: Buffer | string): void => {
    if (this.state !== 'running') return;
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    // Arrow and function keys arrive as escape sequences: not buttons.
    if (text.startsWith(ESC)) return;
    const now = this.opts.clock.now();
    for (const ch of text) this.key(ch, now);
  };

  private key(ch: string, now: MonoMs): void {
    if (ch === CTRL_C) {
      this.opts.log.info('Ctrl-C on the keyboard: stopping');
      (this.opts.interrupt ?? (() => process.kill(process.pid, 'SIGINT')))();
      return;
    }
    const { keys, holdKeys } = this.opts.config.keyboard;
    const hold = holdKeys[ch];
    if (hold) {
      this.emit(hold, 'hold', now);
      return;
    }
    const name = keys[ch];
    if (!name) return;
    const chain = this.chains.get(ch);
    if (chain && now - chain.last <= (chain.count === 1 ? KEY_REPEAT_DELAY_MS : KEY_REPEAT_GAP_MS)) {
      chain.last = now;
      chain.count++;
      return;
    }
    if (chain?.holdTimer) this.opts.timers.clearTimeout(chain.holdTimer);
    const fresh: Chain = { name, first: now, last: now, count: 1, holdTimer: null };
    this.chains.set(ch, fresh);
    this.emit(name, 'press', now);
    const holdMs = name === 'start' ? this.opts.config.staffHoldMs : this.opts.config.holdMs;
    fresh.holdTimer = this.opts.timers.setTimeout(() => this.checkHold(ch, fresh, holdMs), holdMs);
  }

  private checkHold(ch: string, chain: Chain, holdMs: number): void {
    chain.holdTimer = null;
    if (this.chains.get(ch) !== chain || this.state !== 'running') return;
    const now = this.opts.clock.now();
    // Still repeating: the key is down.
    if (chain.count > 1 && now - chain.last <= KEY_REPEAT_GAP_MS) this.emit(chain.name, 'hold', chain.first + holdMs);
  }

  private emit(name: ButtonName, kind: 'press' | 'hold', ts: MonoMs): void {
    this.listeners.emit({ name, kind, ts, source: 'keyboard' });
  }
}

function printable(k: string): string {
  if (k === ' ') return 'space';
  if (k === '\r') return 'enter';
  return k;
}
