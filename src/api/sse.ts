// Server-sent events for /api/events and the status page: state, score, event, result.
import type { ServerResponse } from 'node:http';
import { systemTimers, type Timers } from '../timers.js';

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private keepalive: unknown = null;

  constructor(
    private readonly maxClients = 32,
    private readonly timers: Timers = systemTimers,
    private readonly keepaliveMs = 15_000,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** false when full */
  add(res: ServerResponse, initial: Array<[event: string, data: unknown]>): boolean {
    if (this.clients.size >= this.maxClients) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    for (const [ev, data] of initial) res.write(frame(ev, data));
    this.clients.add(res);
    res.once('close', () => this.clients.delete(res));
    if (this.keepalive === null) this.scheduleKeepalive();
    return true;
  }

  send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const text = frame(event, data);
    for (const res of this.clients) {
      // a client that cannot keep up is dropped rather than buffered without bound
      if (res.writableLength > 1_000_000) res.destroy();
      else res.write(text);
    }
  }

  closeAll(): void {
    if (this.keepalive !== null) this.timers.clearTimeout(this.keepalive);
    this.keepalive = null;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private scheduleKeepalive(): void {
    this.keepalive = this.timers.setTimeout(() => {
      this.keepalive = null;
      if (this.clients.size === 0) return;
      for (const res of this.clients) res.write(': keepalive\n\n');
      this.scheduleKeepalive();
    }, this.keepaliveMs);
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
