// Failed MQTT logins per client address: after `maxFailures` within `windowMs` an address
// is refused without its password being looked at until the window has passed, so a
// guesser on the LAN gets a handful of tries a minute instead of about 1,400 a second.
// Pure: time comes in as now().

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    private readonly maxFailures = 10,
    private readonly windowMs = 60_000,
    /** addresses tracked at most; the oldest are forgotten first */
    private readonly maxAddresses = 10_000,
  ) {}

  /** whether this address may try a password now */
  allowed(address: string): boolean {
    const list = this.recent(address);
    return list === undefined || list.length < this.maxFailures;
  }

  /** note a failed login; returns true when this failure is the one that blocks the address */
  failed(address: string): boolean {
    const list = this.recent(address) ?? [];
    list.push(this.now());
    this.failures.delete(address); // re-insert: Map order is then least recently failed first
    this.failures.set(address, list);
    if (this.failures.size > this.maxAddresses) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    return list.length === this.maxFailures;
  }

  private recent(address: string): number[] | undefined {
    const list = this.failures.get(address);
    if (!list) return undefined;
    const cutoff = this.now() - this.windowMs;
    while (list.length > 0 && (list[0] as number) <= cutoff) list.shift();
    if (list.length === 0) {
      this.failures.delete(address);
      return undefined;
    }
    return list;
  }
}
