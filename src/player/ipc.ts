// Our own small client for mpv's JSON IPC: one JSON object per line, requests carry a
// request_id, replies echo it, events arrive unsolicited on the same stream. Arguments
// travel as JSON arrays, so file names with spaces or quotes never meet a shell.
import { StringDecoder } from 'node:string_decoder';
import { PokerfaceError } from '../errors.js';
import type { Timers, TimerHandle } from '../timers.js';

/** The part of a net.Socket the client uses. */
export interface IpcSocket {
  write(data: string): boolean;
  on(event: 'data', cb: (chunk: Buffer) => void): unknown;
  on(event: 'close', cb: () => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  destroy(): unknown;
}

export interface MpvEvent {
  event: string;
  reason?: string;
  playlist_entry_id?: number;
  file_error?: string;
  [k: string]: unknown;
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (e: Error) => void;
  timer: TimerHandle;
  command: string;
}

export interface IpcClientOptions {
  timeoutMs: number;
  timers: Timers;
  onEvent: (e: MpvEvent) => void;
  /** the socket closed or failed; called once */
  onClose: (reason: string) => void;
}

export class MpvIpcClient {
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly socket: IpcSocket,
    private readonly opts: IpcClientOptions,
  ) {}

  /** Attach to the socket; separate from the constructor so constructing stays inert. */
  attach(): void {
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (e) => this.shutdown(`socket error: ${e.message}`));
    this.socket.on('close', () => this.shutdown('socket closed'));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Send one command; resolves with its `data`, rejects on an mpv error or timeout. */
  request(command: readonly unknown[] | Readonly<Record<string, unknown>>, timeoutMs = this.opts.timeoutMs): Promise<unknown> {
    // an array is positional; an object is mpv's named-argument form ({ name, ...args })
    const name = String(Array.isArray(command) ? command[0] : (command as Record<string, unknown>).name);
    if (this.closed) return Promise.reject(new PokerfaceError('POKERFACE_ERR_PLAYER_DIED', `${name}: IPC connection is closed`));
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = this.opts.timers.setTimeout(() => {
        this.pending.delete(id);
        reject(new PokerfaceError('POKERFACE_ERR_PLAYER_IPC', `${name}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, command: name });
      this.socket.write(`${JSON.stringify({ command, request_id: id })}\n`);
    });
  }

  /** Close the socket and fail every request still waiting. */
  close(reason = 'closed by the player'): void {
    this.shutdown(reason);
  }

  private onData(chunk: Buffer): void {
    this.buf += this.decoder.write(chunk);
    let nl = this.buf.indexOf('\n');
    while (nl >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) this.onLine(line);
      nl = this.buf.indexOf('\n');
    }
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // mpv only writes JSON here; a garbled line is not worth dying for
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as Record<string, unknown>;
    if (typeof m.event === 'string') {
      this.opts.onEvent(m as MpvEvent);
      return;
    }
    if (typeof m.request_id !== 'number') return;
    const p = this.pending.get(m.request_id);
    if (!p) return;
    this.pending.delete(m.request_id);
    this.opts.timers.clearTimeout(p.timer);
    if (m.error === 'success') p.resolve(m.data);
    else p.reject(new PokerfaceError('POKERFACE_ERR_PLAYER_IPC', `${p.command}: ${String(m.error)}`));
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, p] of this.pending) {
      this.opts.timers.clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new PokerfaceError('POKERFACE_ERR_PLAYER_DIED', `${p.command}: ${reason}`));
    }
    this.socket.destroy();
    this.opts.onClose(reason);
  }
}
