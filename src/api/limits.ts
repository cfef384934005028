// Per-client-IP counters for the REST API: every request is counted before anything else
// runs (authentication included), and failed authentications have a tighter count of
// their own. Fixed one-minute windows: cheap (one map lookup), and a client over the limit
// costs the booth a 429 and nothing else.

export interface LimitVerdict {
  ok: boolean;
  /** ms until the client's window resets (0 when ok) */
  retryAfterMs: number;
  /** count in the current window, this hit included */
  count: number;
}

interface Window {
  start: number;
  n: number;
}

export class IpLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    /** clients tracked at once; a flood of addresses cannot grow the map without bound */
    private readonly maxClients = 10_000,
  ) {}

  /** Count one hit for `ip`. */
  hit(ip: string): LimitVerdict {
    const w = this.window(ip, true) as Window;
    w.n++;
    return this.verdict(w);
  }

  /** Whether `ip` is over the limit now, without counting. */
  over(ip: string): LimitVerdict {
    const w = this.window(ip, false);
    if (!w) return { ok: true, retryAfterMs: 0, count: 0 };
    return this.verdict(w, true);
  }

  get size(): number {
    return this.windows.size;
  }

  private verdict(w: Window, peek = false): LimitVerdict {
    const ok = peek ? w.n < this.max : w.n <= this.max;
    return { ok, retryAfterMs: ok ? 0 : Math.max(0, w.start + this.windowMs - this.now()), count: w.n };
  }

  private window(ip: string, create: boolean): Window | undefined {
    const t = this.now();
    let w = this.windows.get(ip);
    if (w && t - w.start >= this.windowMs) {
      this.windows.delete(ip);
      w = undefined;
    }
    if (w || !create) return w;
    if (this.windows.size >= this.maxClients) this.evict(t);
    w = { start: t, n: 0 };
    this.windows.set(ip, w);
    return w;
  }

  private evict(t: number): void {
    for (const [ip, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(ip);
    // still full: drop the oldest (Map keeps insertion order)
    while (this.windows.size >= this.maxClients) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) break;
      this.windows.delete(oldest);
    }
  }
}
