// Just enough of the Prometheus text format for the soak bench: samples by series, and
// quantiles of the difference of two reads of a cumulative histogram.

/** series (name plus labels exactly as printed, e.g. `x{le="5"}`) → value */
export type Samples = Map<string, number>;

export function parseProm(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    if (i <= 0) continue;
    const v = Number(line.slice(i + 1));
    if (!Number.isNaN(v)) out.set(line.slice(0, i), v);
  }
  return out;
}

export function value(s: Samples, series: string): number | null {
  return s.get(series) ?? null;
}

/** Sum of every series of a metric whose labels contain all of `match` (e.g. `outcome="cracked"`). */
export function sum(s: Samples, name: string, match: string[] = []): number {
  let t = 0;
  for (const [k, v] of s) {
    if (k !== name && !k.startsWith(`${name}{`)) continue;
    if (match.every((m) => k.includes(m))) t += v;
  }
  return t;
}

export interface Bucket {
  le: number;
  count: number;
}

/** Cumulative buckets of histogram `name`, sorted by upper bound. */
export function buckets(s: Samples, name: string): Bucket[] {
  const out: Bucket[] = [];
  const re = new RegExp(`^${name}_bucket\\{(?:.*,)?le="([^"]+)"`);
  for (const [k, v] of s) {
    const m = re.exec(k);
    if (m) out.push({ le: m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), count: v });
  }
  return out.sort((a, b) => a.le - b.le);
}

/** Buckets of what was observed between two reads (b later than a). */
export function diffBuckets(a: Bucket[], b: Bucket[]): Bucket[] {
  return b.map((x) => ({ le: x.le, count: x.count - (a.find((y) => y.le === x.le)?.count ?? 0) }));
}

/**
 * Quantile q of cumulative buckets, interpolated linearly inside the bucket it falls in
 * (as Prometheus' histogram_quantile does). Past the last finite bound it answers that
 * bound and says so with `above`. null when nothing was observed.
 */
export function quantile(bs: Bucket[], q: number): { value: number; above: boolean } | null {
  const total = bs.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of bs) {
    if (b.count >= rank) {
      if (b.le === Number.POSITIVE_INFINITY) return { value: prevLe, above: true };
      const inBucket = b.count - prevCount;
      const f = inBucket > 0 ? (rank - prevCount) / inBucket : 1;
      return { value: prevLe + (b.le - prevLe) * f, above: false };
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return { value: prevLe, above: true };
}
