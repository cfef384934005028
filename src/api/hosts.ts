// The Host header check (DNS rebinding guard): a page on some web site, resolved to this
// booth's address by a hostile DNS server, arrives with that site's name in Host. Only
// names the booth really answers to are served.
import { hostname, networkInterfaces } from 'node:os';

export interface HostSource {
  hostname(): string;
  addresses(): string[];
}

export const osHosts: HostSource = {
  hostname,
  addresses: () =>
    Object.values(networkInterfaces())
      .flat()
      .flatMap((a) => (a ? [a.address] : [])),
};

/** The host part of a Host header: lower case, port and IPv6 brackets removed. */
export function hostOf(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(1, end);
  }
  const colon = h.indexOf(':');
  const name = colon < 0 ? h : h.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

export class HostCheck {
  private auto = new Set<string>();
  private refreshedAt = -Infinity;
  private readonly any: boolean;
  private readonly configured: Set<string>;

  constructor(
    allowed: readonly string[],
    private readonly now: () => number,
    private readonly source: HostSource = osHosts,
    /** the machine's addresses change with DHCP: looked up again at most this often */
    private readonly refreshMs = 30_000,
  ) {
    this.any = allowed.includes('*');
    this.configured = new Set(allowed.map(hostOf));
  }

  /** true when the request may be served; a request without Host (HTTP/1.0) is not a browser's */
  allows(header: string | undefined): boolean {
    if (this.any || header === undefined) return true;
    const h = hostOf(header);
    if (this.configured.size > 0) return this.configured.has(h);
    if (h === 'localhost' || h === '::1' || h.startsWith('127.')) return true;
    const t = this.now();
    if (t - this.refreshedAt > this.refreshMs) this.refresh(t);
    return this.auto.has(h);
  }

  private refresh(t: number): void {
    this.refreshedAt = t;
    const name = this.source.hostname().toLowerCase();
    const next = new Set<string>([name, `${name}.local`, ...this.source.addresses().map((a) => a.toLowerCase())]);
    this.auto = next;
  }
}
