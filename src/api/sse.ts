// Server-sent events for /api/events and the status page: state, score, event, result.
import type { ServerResponse } from 'node:http';
import { systemTimers, type Timers } from '../timers.js';
import { redact } from '../redact.js';

export interface SseLimits {
  /** streams open at once */
  max: number;
  /** streams open at once from one client IP, so one client cannot take every slot */
  perIp: number;
  /** a stream is ended after this long (EventSource reconnects by itself), so an abandoned tab frees its slot */
  maxAgeMs: number;
}

const DEFAULT_LIMITS: SseLimits = { max: 32, perIp: 4, maxAgeMs: 900_000 };

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly perIp = new Map<string, number>();
  private keepalive: unknown = null;
  private readonly limits: SseLimits;

  constructor(
    limits: Partial<SseLimits> | number = DEFAULT_LIMITS,
    private readonly timers: Timers = systemTimers,
    private readonly keepaliveMs = 15_000,
  ) {
    this.limits = typeof limits === 'number' ? { ...DEFAULT_LIMITS, max: limits } : { ...DEFAULT_LIMITS, ...limits };
  }

  get size(): number {
    return this.clients.size;
  }

  /** false when full, in total or for this client IP */
  add(res: ServerResponse, initial: Array<[event: string, data: unknown]>, ip = ''): boolean {
    if (this.clients.size >= this.limits.max) return false;
    const mine = this.perIp.get(ip) ?? 0;
    if (mine >= this.limits.perIp) return false;
    this.perIp.set(ip, mine + 1);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    for (const [ev, data] of initial) res.write(frame(ev, data));
    this.clients.add(res);
    const expire = this.timers.setTimeout(() => res.end(), this.limits.maxAgeMs);
    res.once('close', () => {
      this.timers.clearTimeout(expire);
      this.clients.delete(res);
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
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
  return `event: ${event}\ndata: ${redact(JSON.stringify(data))}\n\n`;
}
